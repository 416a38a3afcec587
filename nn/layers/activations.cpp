#include "activations.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <fmt/format.h>

#include "../../ops/activation.hpp"

namespace tg::nn {

Tensor Step::forward(const Tensor& x) { return step(x); }
Tensor Sigmoid::forward(const Tensor& x) { return sigmoid(x); }
Tensor Tanh::forward(const Tensor& x) { return tg::tanh(x); }
Tensor ReLU::forward(const Tensor& x) { return relu(x); }
Tensor LeakyReLU::forward(const Tensor& x) { return leaky_relu(x, slope); }
Tensor Softplus::forward(const Tensor& x) { return softplus(x); }
Tensor Softmax::forward(const Tensor& x) { return softmax(x, axis); }
Tensor LogSoftmax::forward(const Tensor& x) { return log_softmax(x, axis); }

std::string LeakyReLU::extra_repr() const { return fmt::format("negative_slope={}", slope); }
std::string Softmax::extra_repr() const { return fmt::format("axis={}", axis); }
std::string LogSoftmax::extra_repr() const { return fmt::format("axis={}", axis); }

std::vector<std::string> activation_names() {
    return {"step", "sigmoid", "tanh", "relu", "leaky_relu", "softplus", "softmax", "log_softmax", "linear",
            "identity", "none"};
}

ModulePtr make_activation(std::string_view name) {
    std::string n(name);
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (n == "step") return std::make_shared<Step>();
    if (n == "sigmoid") return std::make_shared<Sigmoid>();
    if (n == "tanh") return std::make_shared<Tanh>();
    if (n == "relu") return std::make_shared<ReLU>();
    if (n == "leaky_relu" || n == "leakyrelu") return std::make_shared<LeakyReLU>();
    if (n == "softplus") return std::make_shared<Softplus>();
    if (n == "softmax") return std::make_shared<Softmax>();
    if (n == "log_softmax" || n == "logsoftmax") return std::make_shared<LogSoftmax>();
    if (n == "linear" || n == "identity" || n == "none" || n.empty()) return std::make_shared<Identity>();
    throw std::invalid_argument(fmt::format("make_activation: unknown activation '{}'; known: {}", name,
                                            fmt::join(activation_names(), ", ")));
}

}  // namespace tg::nn
