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
    // In DType's order: index() is the dtype.
    std::variant<Array<float>, Array<double>, Array<std::int64_t>, Array<bool>> values;
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

    DType dtype() const { return static_cast<DType>(values.index()); }
    template <class T> Array<T>& get() { return std::get<Array<T>>(values); }
    template <class T> const Array<T>& get() const { return std::get<Array<T>>(values); }
    // index() instead of std::visit: no jump table, no valueless check (hot paths);
    // the float dtypes are tested first, each with one compare
    const auto& shape() const {
        const std::size_t i = values.index();
        if (i == 0) [[likely]] return std::get_if<0>(&values)->shape();
        if (i == 1) return std::get_if<1>(&values)->shape();
        if (i == 2) return std::get_if<2>(&values)->shape();
        return std::get_if<3>(&values)->shape();
    }
    std::size_t size() const {
        const std::size_t i = values.index();
        if (i == 0) [[likely]] return std::get_if<0>(&values)->size();
        if (i == 1) return std::get_if<1>(&values)->size();
        if (i == 2) return std::get_if<2>(&values)->size();
        return std::get_if<3>(&values)->size();
    }
};

template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::f32; }
template <> constexpr DType dtype_of<double>() { return DType::f64; }
template <> constexpr DType dtype_of<std::int64_t>() { return DType::i64; }
template <> constexpr DType dtype_of<bool>() { return DType::boolean; }

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

/// Throws DTypeError: a float-only kernel reached with an int64 or bool tensor.
/// Ops check their inputs first (check_float), so that the message names the op;
/// this is the backstop that keeps a kernel from reading the wrong bytes.
[[noreturn]] void throw_float_kernel_dtype(DType d);

/// Call f(T{}) with T the C++ type of floating dtype d (float or double).
/// Float-only: arithmetic and gradients; see dispatch_all for every dtype.
template <class F>
decltype(auto) dispatch(DType d, F&& f) {
    if (d == DType::f32) return f(float{});
    if (d != DType::f64) [[unlikely]] throw_float_kernel_dtype(d);
    return f(double{});
}

/// Call f(T{}) with T the C++ type of any dtype d: float, double, std::int64_t, bool.
/// For code that only moves, copies, converts or prints values.
template <class F>
decltype(auto) dispatch_all(DType d, F&& f) {
    switch (d) {
        case DType::f32: return f(float{});
        case DType::f64: return f(double{});
        case DType::i64: return f(std::int64_t{});
        case DType::boolean: break;
    }
    return f(bool{});
}

/// Shape of an array as a tg::Shape.
template <class A>
Shape shape_of(const A& a) { return Shape(a.shape().begin(), a.shape().end()); }

}  // namespace tg
