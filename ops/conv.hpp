#pragma once
/// @defgroup conv Convolution (NCHW, im2col lowering onto BLAS gemm)
/// @{
#include <cstddef>
#include <source_location>

#include "../graph/tensor.hpp"
#include "affine.hpp"

namespace tg {

/// A pair of sizes (height, width) for kernels, strides, paddings and dilations.
/// A single number means the same size along both axes: `conv2d(x, w, b, 2, 1)`
/// is stride 2 and padding 1 on both axes; `{2, 1}` is 2 along height, 1 along width.
struct Size2 {
    std::size_t h = 0, w = 0;
    Size2(std::size_t both) : h(both), w(both) {}  // NOLINT: implicit on purpose
    Size2(std::size_t height, std::size_t width) : h(height), w(width) {}
};

/// The largest kernel size, stride, padding or dilation accepted: 2^31 - 1. A larger
/// one is a mistake, most often a negative int converted to std::size_t (-1 becomes
/// 2^64 - 1, which would wrap the size arithmetic and silently crop the input).
inline constexpr std::size_t kMaxWindowArg = 0x7fffffff;

/// Throws ShapeError naming op unless `value` (the `what` along `axis`: "kernel size",
/// "stride", "padding", "dilation") is at most kMaxWindowArg, and positive unless
/// may_be_zero. Used by the conv and pool ops and by the layers' constructors.
void check_window_arg(const char* op, const char* what, const char* axis, std::size_t value, bool may_be_zero,
                      const std::source_location& loc = {});

/// 2-D cross-correlation, as PyTorch's conv2d (groups = 1).
///   x [N, C, H, W], w [O, C, kh, kw], b [O] or undefined -> y [N, O, OH, OW] with
///   OH = (H + 2 ph - dh (kh - 1) - 1) / sh + 1 (and likewise OW),
///   y[n, o, i, j] = b[o] + sum_{c, p, q} w[o, c, p, q] x[n, c, i sh - ph + p dh, j sw - pw + q dw]
///   (x is zero outside its bounds).
/// Each image is lowered by im2col to a [C kh kw, OH OW] matrix and multiplied by the
/// weight with one gemm. Backward: dx and dw are two more recorded ops (the transposed
/// convolution, through col2im, and the weight gradient), each differentiable in turn, so
/// gradients of any order are exact; db = sum of g over N, OH, OW.
/// Throws ShapeError for a wrong rank, a channel mismatch, a bias of the wrong size, a zero
/// stride or dilation, a stride, padding or dilation above kMaxWindowArg (a negative number
/// converted to size_t), an output too large to allocate, or a (dilated) kernel larger than
/// the padded input; DTypeError for mixed dtypes.
Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& b = {}, Size2 stride = 1, Size2 padding = 0,
              Size2 dilation = 1, std::source_location loc = std::source_location::current());
/// epilogue(conv2d(x, w, b, ...)) as one op (see affine.hpp): the activation runs on
/// each image's output as it leaves the product, its gradient taken from the output.
Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& b, Size2 stride, Size2 padding, Size2 dilation,
              Epilogue epilogue, std::source_location loc = std::source_location::current());

/// 1-D cross-correlation: x [N, C, L], w [O, C, k], b [O] or undefined -> y [N, O, OL],
/// OL = (L + 2 padding - dilation (k - 1) - 1) / stride + 1. Same lowering and errors as conv2d.
Tensor conv1d(const Tensor& x, const Tensor& w, const Tensor& b = {}, std::size_t stride = 1,
              std::size_t padding = 0, std::size_t dilation = 1,
              std::source_location loc = std::source_location::current());

}  // namespace tg
/// @}
