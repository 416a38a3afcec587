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
/// out_i = e^(x_i - max) / sum_j e^(x_j - max) along axis;  dx = out * (g - sum(g * out))
Tensor softmax(const Tensor& x, int axis = -1);
/// out = x - max - log(sum e^(x - max)) along axis, stable for any x;  dx = g - softmax(x) * sum(g)
Tensor log_softmax(const Tensor& x, int axis = -1);

}  // namespace tg
/// @}
