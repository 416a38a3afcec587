#pragma once
/// @defgroup activation Activation functions
/// @{
#include "../graph/tensor.hpp"

namespace tg {

/// Heaviside step: out = 1 if x > 0 else 0. Its gradient is zero everywhere
/// (documented choice: the true derivative is 0 except at 0, where it does not
/// exist), so a loss that must train through a step needs another path for the
/// gradient, as the perceptron criterion has.
Tensor step(const Tensor& x);
/// out = -1, 0 or 1 by the sign of x; gradient zero.
Tensor sign(const Tensor& x);
/// out = 1 / (1 + e^-x), computed without overflow for any x;  dx = g * out * (1 - out)
Tensor sigmoid(const Tensor& x);
/// out = tanh x;  dx = g * (1 - out^2)
Tensor tanh(const Tensor& x);
/// out = max(x, 0);  dx = g * (x > 0)
Tensor relu(const Tensor& x);
/// out = x if x > 0 else slope * x;  dx = g * (x > 0 ? 1 : slope)
Tensor leaky_relu(const Tensor& x, double slope = 0.01);
/// out = log(1 + e^x), stable;  dx = g * sigmoid(x)
Tensor softplus(const Tensor& x);
/// PyTorch's Softplus(beta, threshold): out = log(1 + e^(beta x)) / beta, and x
/// itself where beta x > threshold;  dx = g * sigmoid(beta x) (g where linear)
Tensor softplus(const Tensor& x, double beta, double threshold = 20);
/// GELU's two forms, as PyTorch's approximate="none" / "tanh".
enum class GeluApproximation { none, tanh };
/// out = x Phi(x), Phi the standard normal CDF (exact, with erf), or
/// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) with tanh;  dx = g d(out)/dx
Tensor gelu(const Tensor& x, GeluApproximation approximate = GeluApproximation::none);
/// SiLU (swish): out = x sigmoid(x);  dx = g s (1 + x (1 - s)), s = sigmoid(x)
Tensor silu(const Tensor& x);
/// out_i = e^(x_i - max) / sum_j e^(x_j - max) along axis;  dx = out * (g - sum(g * out))
Tensor softmax(const Tensor& x, int axis = -1);
/// out = x - max - log(sum e^(x - max)) along axis, stable for any x;  dx = g - softmax(x) * sum(g)
Tensor log_softmax(const Tensor& x, int axis = -1);

}  // namespace tg
/// @}
