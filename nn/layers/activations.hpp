#pragma once
/// @ingroup nn
/// Activation functions as modules (no parameters), for Sequential and mlp().
/// Each forwards to the op of the same name in ops/activation.hpp.
#include <string>
#include <string_view>
#include <vector>

#include "../../ops/activation.hpp"
#include "../module.hpp"

namespace tg::nn {

/// Heaviside step (1 where x > 0, else 0). Its gradient is zero: train through
/// the score before the step (see Perceptron and perceptron_criterion).
struct Step : Module {
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "Step"; }
};
/// 1 / (1 + e^-x)
struct Sigmoid : Module {
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "Sigmoid"; }
};
struct Tanh : Module {
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "Tanh"; }
};
/// max(x, 0)
struct ReLU : Module {
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "ReLU"; }
};
/// x if x > 0 else slope * x
struct LeakyReLU : Module {
    explicit LeakyReLU(double negative_slope = 0.01) : slope(negative_slope) {}
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "LeakyReLU"; }
    std::string extra_repr() const override;
    double slope;
};
/// log(1 + e^x)
struct Softplus : Module {
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "Softplus"; }
};
/// x Phi(x) (exact, with erf) or its tanh approximation (PyTorch's GELU(approximate=...))
struct GELU : Module {
    explicit GELU(GeluApproximation approximate = GeluApproximation::none) : approximate(approximate) {}
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "GELU"; }
    std::string extra_repr() const override;
    GeluApproximation approximate;
};
/// x sigmoid(x) (SiLU, swish)
struct SiLU : Module {
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "SiLU"; }
};
/// Softmax along axis (default the last: class scores of each row sum to 1).
struct Softmax : Module {
    explicit Softmax(int axis = -1) : axis(axis) {}
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "Softmax"; }
    std::string extra_repr() const override;
    int axis;
};
struct LogSoftmax : Module {
    explicit LogSoftmax(int axis = -1) : axis(axis) {}
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "LogSoftmax"; }
    std::string extra_repr() const override;
    int axis;
};
/// Returns its input (a placeholder for "no activation").
struct Identity : Module {
    Tensor forward(const Tensor& x) override { return x; }
    std::string type_name() const override { return "Identity"; }
};

/// The activations make_activation builds, for code: a typo fails to compile.
/// `none` is no activation (Identity; mlp() then adds no module).
enum class Activation { step, sigmoid, tanh, relu, leaky_relu, softplus, softmax, log_softmax, none };

/// The activation module of a kind (LeakyReLU, Softmax and LogSoftmax with their defaults).
ModulePtr make_activation(Activation kind);
/// An activation module by name, for configs and command lines: "step", "sigmoid",
/// "tanh", "relu", "leaky_relu", "softplus", "softmax", "log_softmax", and "linear" /
/// "identity" / "none" for none. Case-insensitive. Throws std::invalid_argument
/// listing the known names.
ModulePtr make_activation(std::string_view name);
/// The kind a name stands for (the names and error of make_activation).
Activation activation_from_name(std::string_view name);
/// The name of a kind, as activation_from_name reads it ("relu", "none", ...).
std::string activation_name(Activation kind);
/// The names make_activation accepts.
std::vector<std::string> activation_names();

}  // namespace tg::nn
