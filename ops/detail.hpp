#pragma once
// Helpers shared by the ops' .cpp files (internal; includes xtensor).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "../graph/kernels.hpp"
#include "../graph/node.hpp"
#include "../graph/tensor_impl.hpp"

namespace tg::detail {

/// Axis in [-rank, rank) to [0, rank); ShapeError naming op otherwise.
std::size_t normalize_axis(int axis, std::size_t rank, const char* op);

/// The values of an index tensor (gather, index_select, embedding, class targets):
/// int64 as they are; float32/float64 ones must hold whole numbers (ShapeError
/// naming op and the first that is not, NaN included); bool is a DTypeError.
/// Ranges are the caller's to check.
std::vector<std::int64_t> index_values(const char* op, const Tensor& index);

/// out[i] = f(x[i]) in x's dtype (forward value only; the caller records).
template <class F>
Tensor map(const Tensor& x, F f) {
    return dispatch(x.dtype(), [&](auto z) {
        using T = decltype(z);
        return make_tensor(kernels::map(values<T>(x), [&](T v) { return static_cast<T>(f(v)); }));
    });
}

/// out[i] = f(a[i], b[i]) with broadcasting (forward value only).
template <class F>
Tensor zip(const Tensor& a, const Tensor& b, const char* op, F f) {
    return dispatch(a.dtype(), [&](auto z) {
        using T = decltype(z);
        return make_tensor(kernels::zip(values<T>(a), values<T>(b), [&](T u, T v) { return static_cast<T>(f(u, v)); }, op));
    });
}

}  // namespace tg::detail

namespace tg::detail {

/// A tensor seen as [outer, n, inner] around one axis.
struct AxisView {
    std::size_t outer = 1, n = 1, inner = 1;
};
AxisView axis_view(const Shape& shape, std::size_t axis);

/// Shape with the given (normalised, sorted, unique) axes set to 1.
Shape keepdims_shape(const Shape& shape, const std::vector<std::size_t>& axes);
/// Normalise, sort and de-duplicate axes; empty means all axes.
std::vector<std::size_t> normalize_axes(const std::vector<int>& axes, std::size_t rank, const char* op);

}  // namespace tg::detail

namespace tg::detail {

/// Backward rules of the activations from their output o (relu's from its input
/// or output alike: both are <= 0 at the same places), each one recorded op:
/// g·o·(1 − o), g·(1 − o²), g·[x > 0]. Shared by the activations and fused ops.
Tensor sigmoid_backward(const Tensor& g, const Tensor& o);
Tensor tanh_backward(const Tensor& g, const Tensor& o);
Tensor relu_backward(const Tensor& g, const Tensor& x);

}  // namespace tg::detail

#include "affine.hpp"

namespace tg::detail {

/// The epilogue over n values in place (float32 by fast_math's kernels, float64 by
/// the C library, as the separate activation ops compute them).
void apply_epilogue(Epilogue e, float* values, std::size_t n);
void apply_epilogue(Epilogue e, double* values, std::size_t n);
/// g · epilogue'(out) as a recorded op (g itself for none): the fused ops' backward.
Tensor epilogue_grad(Epilogue e, const Tensor& g, const Tensor& out);
/// epilogue(linear(x, w, b)) for x of any rank >= 1 (w [out, in], b [out] or
/// undefined), the product on x's data as it lies, without reshaping copies
/// (Note [linear on N-D input] in affine.cpp). The caller has checked the
/// shapes and dtypes.
Tensor linear_rows(const Tensor& x, const Tensor& w, const Tensor& b, Epilogue epilogue);

}  // namespace tg::detail
