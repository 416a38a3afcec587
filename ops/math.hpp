#pragma once
/// @defgroup math More elementwise functions
/// Trigonometry, log1p/expm1, erf and one-sided clamps. Each backward rule is
/// written with recorded ops, so gradients of gradients are exact too.
/// @{
#include "../graph/tensor.hpp"

namespace tg {

/// out = sin x;  dx = g cos x
Tensor sin(const Tensor& x);
/// out = cos x;  dx = -g sin x
Tensor cos(const Tensor& x);
/// out = ln(1 + x), accurate for small x;  dx = g / (1 + x)
Tensor log1p(const Tensor& x);
/// out = e^x - 1, accurate for small x;  dx = g (out + 1)
Tensor expm1(const Tensor& x);
/// out = erf x;  dx = g 2/sqrt(pi) e^(-x^2)
Tensor erf(const Tensor& x);
/// out = max(x, lo) (PyTorch's clamp(x, min=lo));  dx = g where x >= lo, else 0. NaN stays NaN.
Tensor clamp_min(const Tensor& x, double lo);
/// out = min(x, hi) (PyTorch's clamp(x, max=hi));  dx = g where x <= hi, else 0. NaN stays NaN.
Tensor clamp_max(const Tensor& x, double hi);

}  // namespace tg
/// @}
