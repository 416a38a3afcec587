#pragma once
/// @ingroup nn
/// Initialisers: fill a tensor in place (under NoGradGuard internally), as
/// torch.nn.init does. Random ones draw from gen, or from the global generator
/// when gen is null, so tg::manual_seed(s) makes a whole run reproducible bit for bit.
/// fan_in / fan_out follow PyTorch: for a [out, in, k...] weight, fan_in = in * prod(k),
/// fan_out = out * prod(k). Tensors of rank < 2 have no fans (std::invalid_argument).
#include <string_view>
#include <utility>

#include "../graph/random.hpp"
#include "../graph/tensor.hpp"

namespace tg::nn {
class Module;
}

namespace tg::nn::init {

enum class FanMode { fan_in, fan_out };

/// (fan_in, fan_out) of a weight tensor.
std::pair<double, double> fans(const Tensor& t);
/// PyTorch's recommended gain: 1 for linear/identity/sigmoid/step, 5/3 for tanh,
/// sqrt(2) for relu, sqrt(2 / (1 + slope^2)) for leaky_relu.
double calculate_gain(std::string_view nonlinearity, double param = 0.01);

Tensor& zeros_(Tensor& t);
Tensor& ones_(Tensor& t);
Tensor& constant_(Tensor& t, double value);
/// U(low, high)
Tensor& uniform_(Tensor& t, double low = 0, double high = 1, Generator* gen = nullptr);
/// N(mean, stddev^2)
Tensor& normal_(Tensor& t, double mean = 0, double stddev = 1, Generator* gen = nullptr);
/// Glorot & Bengio (2010): U(±a), a = gain * sqrt(6 / (fan_in + fan_out)).
Tensor& xavier_uniform_(Tensor& t, double gain = 1, Generator* gen = nullptr);
/// N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out)).
Tensor& xavier_normal_(Tensor& t, double gain = 1, Generator* gen = nullptr);
/// He et al. (2015): U(±b), b = gain * sqrt(3 / fan), gain = calculate_gain(nonlinearity, a).
Tensor& kaiming_uniform_(Tensor& t, double a = 0, FanMode mode = FanMode::fan_in,
                         std::string_view nonlinearity = "leaky_relu", Generator* gen = nullptr);
/// N(0, std^2), std = gain / sqrt(fan).
Tensor& kaiming_normal_(Tensor& t, double a = 0, FanMode mode = FanMode::fan_in,
                        std::string_view nonlinearity = "leaky_relu", Generator* gen = nullptr);

/// Re-initialise every parameter of a module tree by name of scheme:
/// weights (rank >= 2) with "xavier_uniform", "xavier_normal", "he_uniform" / "kaiming_uniform",
/// "he_normal" / "kaiming_normal" (ReLU gain), "normal" (std 0.01), "uniform" (±0.05),
/// "zeros" or "default" (leave PyTorch's default); biases (rank 1) are set to zero
/// unless the scheme is "default". Throws std::invalid_argument for an unknown scheme.
void initialize(Module& module, std::string_view scheme, Generator* gen = nullptr);

}  // namespace tg::nn::init
