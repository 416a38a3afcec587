#pragma once
// Storage behind a Tensor handle. Only the library's .cpp files (and internal
// code built with tapegrad_internal_dep) include this, because it pulls in xtensor.
#include <cstdint>
#include <memory>
#include <variant>

#include <xtensor/xarray.hpp>

#include "allocator.hpp"
#include "tensor.hpp"

namespace tg {

// Storage comes from the caching allocator (Note [caching allocator]).
template <class T>
using Array = xt::xarray<T, xt::layout_type::row_major, memory::CachingAllocator<T>>;

struct TensorImpl {
    std::variant<Array<float>, Array<double>> values;
    bool requires_grad = false;    // leaves only; non-leaves require grad through grad_fn
    // In the padding after requires_grad, so TensorImpl keeps its size.
    std::uint32_t version = 0;      // in-place writes so far (Note [version counter] in node.hpp)
    std::shared_ptr<Node> grad_fn;  // the node that produced this tensor, if recorded
    Tensor grad;                    // accumulated gradient (leaves)

    // Flattened: moving an array moves its shape, strides and backstrides, three small
    // vectors that xtensor moves by a general swap (resize, fill, copy). Inlined where
    // the destination is known to be empty, that folds to a few copies; left to GCC,
    // whether the swap stayed a call changed with TensorImpl's size (seed-net: 4%).
    template <class T>
    [[gnu::flatten]] explicit TensorImpl(Array<T>&& a) : values(std::move(a)) {}

    DType dtype() const { return values.index() == 0 ? DType::f32 : DType::f64; }
    template <class T> Array<T>& get() { return std::get<Array<T>>(values); }
    template <class T> const Array<T>& get() const { return std::get<Array<T>>(values); }
    // index() instead of std::visit: no jump table, no valueless check (hot paths)
    const auto& shape() const {
        return values.index() == 0 ? std::get_if<0>(&values)->shape() : std::get_if<1>(&values)->shape();
    }
    std::size_t size() const {
        return values.index() == 0 ? std::get_if<0>(&values)->size() : std::get_if<1>(&values)->size();
    }
};

template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::f32; }
template <> constexpr DType dtype_of<double>() { return DType::f64; }

/// Wrap an array in a new tensor (no grad).
template <class T>
Tensor make_tensor(Array<T>&& a) {
    return Tensor(std::allocate_shared<TensorImpl>(memory::CachingAllocator<TensorImpl>(), std::move(a)));
}

/// The array of a tensor whose dtype is known to be T.
template <class T>
const Array<T>& values(const Tensor& t) { return t.impl()->get<T>(); }
template <class T>
Array<T>& values_mut(const Tensor& t) { return t.impl()->get<T>(); }

/// Call f(T{}) with T the C++ type of dtype d.
template <class F>
decltype(auto) dispatch(DType d, F&& f) {
    if (d == DType::f32) return f(float{});
    return f(double{});
}

/// Shape of an array as a tg::Shape.
template <class A>
Shape shape_of(const A& a) { return Shape(a.shape().begin(), a.shape().end()); }

}  // namespace tg
