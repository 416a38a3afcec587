#pragma once
// Opt-in bridge between tapegrad tensors and xtensor. It includes xtensor, so
// tapegrad.hpp does not include it: include <tapegrad/graph/xtensor.hpp> where
// you want it.
//
//   auto v = tg::as_xtensor<float>(t);            // read-only view, no copy
//   double s = xt::sum(v)();
//   tg::Tensor u = tg::from_xtensor(xt::xarray<double>{{1, 2}, {3, 4}});  // a copy
//
// The views adapt the tensor's own contiguous row-major storage (Tensor::span),
// with the tensor's shape; they are valid while the tensor lives and its storage
// is not replaced (set_data). The other direction copies: a tensor's storage is
// its own array (README.md, "Data in and out").
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>

#include "tensor.hpp"

namespace tg {

namespace xtensor_detail {
template <class T>
constexpr bool is_element = std::is_same_v<T, float> || std::is_same_v<T, double> ||
                            std::is_same_v<T, std::int64_t> || std::is_same_v<T, bool>;
template <class T>
constexpr DType dtype_for() {
    if constexpr (std::is_same_v<T, float>) return DType::f32;
    else if constexpr (std::is_same_v<T, double>) return DType::f64;
    else if constexpr (std::is_same_v<T, std::int64_t>) return DType::i64;
    else return DType::boolean;
}
}  // namespace xtensor_detail

/// A read-only xtensor expression over t's values (no copy). T must be the
/// tensor's element type (DTypeError otherwise).
template <class T>
auto as_xtensor(const Tensor& t) {
    static_assert(xtensor_detail::is_element<T>, "as_xtensor: T is float, double, std::int64_t or bool");
    const std::span<const T> s = t.span<T>();
    const ShapeView shape = t.shape();
    return xt::adapt(s.data(), s.size(), xt::no_ownership(), std::vector<std::size_t>(shape.begin(), shape.end()));
}

/// A writable xtensor view of t's values (no copy). Asking for it counts as an
/// in-place write (Tensor::mutable_span: it bumps version()); a tensor that
/// requires grad may be written only under NoGradGuard.
template <class T>
auto as_xtensor_mut(Tensor& t) {
    static_assert(xtensor_detail::is_element<T>, "as_xtensor_mut: T is float, double, std::int64_t or bool");
    const std::span<T> s = t.mutable_span<T>();
    const ShapeView shape = t.shape();
    return xt::adapt(s.data(), s.size(), xt::no_ownership(), std::vector<std::size_t>(shape.begin(), shape.end()));
}

/// A new tensor (no grad) holding a copy of e's values, evaluated in row-major
/// order, converted to options.dtype.
template <class E>
Tensor from_xtensor(const xt::xexpression<E>& e, TensorOptions options) {
    using V = std::decay_t<typename E::value_type>;
    static_assert(xtensor_detail::is_element<V>,
                  "from_xtensor: the expression's values must be float, double, std::int64_t or bool");
    const xt::xarray<V, xt::layout_type::row_major> a = e.derived_cast();
    return from_span(std::span<const V>(a.data(), a.size()), Shape(a.shape().begin(), a.shape().end()), options);
}

/// As above, keeping the expression's element type as the dtype.
template <class E>
Tensor from_xtensor(const xt::xexpression<E>& e) {
    using V = std::decay_t<typename E::value_type>;
    return from_xtensor(e, TensorOptions{xtensor_detail::dtype_for<V>()});
}

}  // namespace tg
