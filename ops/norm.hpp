#pragma once
/// @defgroup norm Normalisation
/// @{
#include <source_location>

#include "../graph/tensor.hpp"

namespace tg {

/// Batch normalisation (PyTorch's batch_norm) over x [N, C], [N, C, L] or [N, C, H, W]:
/// each channel c is normalised with statistics over every axis but 1.
///   training (or no running statistics given):
///     mu = mean(x), var = mean((x - mu)^2) (biased), y = (x - mu) / sqrt(var + eps);
///     running_mean and running_var (if given, [C], updated in place, not recorded) move as
///     r = (1 - momentum) r + momentum s, with the unbiased variance var n / (n - 1) for running_var.
///   evaluation: y = (x - running_mean) / sqrt(running_var + eps).
/// Then y = y * weight + bias (each [C], optional). Written with tapegrad ops, so the
/// gradient (through the batch statistics in training) and its gradients come from the tape.
/// Throws ShapeError for rank < 2, statistics or affine parameters not of shape [C], or a
/// training batch with one value per channel; DTypeError for mixed dtypes.
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum = 0.1, double eps = 1e-5,
                  std::source_location loc = std::source_location::current());

/// Layer normalisation (PyTorch's layer_norm) over the last `dims` axes of x: each
/// slice is normalised with its own mean and (biased) variance,
///   y = (x - mean) / sqrt(var + eps) * weight + bias,
/// weight and bias (optional) shaped like those last axes. Written with tapegrad ops.
/// Throws ShapeError when x has fewer than `dims` axes, dims is 0, or weight/bias do
/// not match the normalised shape.
Tensor layer_norm(const Tensor& x, std::size_t dims, const Tensor& weight, const Tensor& bias, double eps = 1e-5);
/// RMS normalisation (PyTorch's rms_norm) over the last `dims` axes:
///   y = x / sqrt(mean(x^2) + eps) * weight (weight optional).
Tensor rms_norm(const Tensor& x, std::size_t dims, const Tensor& weight, double eps);

}  // namespace tg
/// @}
