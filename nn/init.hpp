#pragma once
/// @ingroup nn
/// Initialisers: fill a tensor in place (under NoGradGuard internally), as
/// torch.nn.init does. Random ones draw from gen, or from the global generator
/// when gen is null, so tg::manual_seed(s) makes a whole run reproducible bit for bit.
/// fan_in / fan_out follow PyTorch: for a [out, in, k...] weight, fan_in = in * prod(k),
/// fan_out = out * prod(k). Tensors of rank < 2 have no fans (std::invalid_argument).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

/// Whole-model initialisation schemes for initialize(), for code: a typo fails to compile.
/// Weights (rank >= 2): xavier_uniform, xavier_normal, he_uniform / he_normal (Kaiming,
/// ReLU gain), normal (std 0.01), uniform (±0.05), zeros; biases (rank 1) are set to
/// zero. pytorch_default leaves every parameter as its layer initialised it.
enum class Scheme { pytorch_default, xavier_uniform, xavier_normal, he_uniform, he_normal, normal, uniform, zeros };

/// The scheme a name stands for, for configs and command lines: "default",
/// "xavier_uniform", "xavier_normal", "he_uniform" / "kaiming_uniform",
/// "he_normal" / "kaiming_normal", "normal", "uniform", "zeros".
/// Throws std::invalid_argument listing the known names.
Scheme scheme_from_name(std::string_view name);
/// The name of a scheme, as scheme_from_name reads it ("default", "he_uniform", ...).
std::string scheme_name(Scheme scheme);
/// The names scheme_from_name accepts.
std::vector<std::string> scheme_names();

/// Re-initialise every parameter of a module tree with a scheme (see Scheme).
void initialize(Module& module, Scheme scheme, Generator* gen = nullptr);
/// The same by name (scheme_from_name): initialize(model, "he_uniform").
void initialize(Module& module, std::string_view scheme, Generator* gen = nullptr);

}  // namespace tg::nn::init
