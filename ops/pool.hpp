#pragma once
/// @defgroup pool Pooling (NCHW)
/// @{
#include <cstddef>
#include <source_location>

#include "../graph/tensor.hpp"
#include "conv.hpp"

namespace tg {

/// Max over each kernel window: x [N, C, H, W] -> [N, C, OH, OW],
/// OH = (H + 2 ph - kh) / sh + 1. A stride of 0 (the default) means stride = kernel.
/// Padding counts as -infinity and may be at most half the kernel (as PyTorch).
///
/// Ties: when several elements of a window share the maximum, the gradient is split
/// evenly between them, as tapegrad's max() and maximum() do. PyTorch instead gives it
/// all to the first maximum of the window; both are valid subgradients and they agree
/// whenever a window's maximum is unique. The even split is the one that matches
/// central finite differences at a two-way tie. A NaN in a window is its maximum.
/// Backward: a recorded scatter of g onto the maxima, whose own backward gathers
/// (so gradients of gradients are exact).
/// Throws ShapeError for a wrong rank, zero kernel, too much padding or a window larger
/// than the padded input.
Tensor max_pool2d(const Tensor& x, Size2 kernel, Size2 stride = 0, Size2 padding = 0,
                  std::source_location loc = std::source_location::current());

/// Mean over each kernel window: x [N, C, H, W] -> [N, C, OH, OW] (sizes as max_pool2d).
/// With count_include_pad (the default, as PyTorch) the divisor is always kh * kw;
/// otherwise it is the number of window elements inside the input.
/// dx spreads g / divisor over each window (a recorded op; its backward is avg pooling again).
Tensor avg_pool2d(const Tensor& x, Size2 kernel, Size2 stride = 0, Size2 padding = 0, bool count_include_pad = true,
                  std::source_location loc = std::source_location::current());

/// 1-D versions: x [N, C, L] -> [N, C, OL].
Tensor max_pool1d(const Tensor& x, std::size_t kernel, std::size_t stride = 0, std::size_t padding = 0,
                  std::source_location loc = std::source_location::current());
Tensor avg_pool1d(const Tensor& x, std::size_t kernel, std::size_t stride = 0, std::size_t padding = 0,
                  bool count_include_pad = true, std::source_location loc = std::source_location::current());

/// Global average pooling: x [N, C, H, W] -> [N, C] (the mean over H and W);  dx = g / (H W) broadcast.
Tensor global_avg_pool2d(const Tensor& x, std::source_location loc = std::source_location::current());

}  // namespace tg
/// @}
