#include "activations.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <fmt/format.h>

#include "../../ops/activation.hpp"
#include "../named_kinds.hpp"

namespace tg::nn {

Tensor Step::forward(const Tensor& x) { return step(x); }
Tensor Sigmoid::forward(const Tensor& x) { return sigmoid(x); }
Tensor Tanh::forward(const Tensor& x) { return tg::tanh(x); }
Tensor ReLU::forward(const Tensor& x) { return relu(x); }
Tensor LeakyReLU::forward(const Tensor& x) { return leaky_relu(x, slope); }
Tensor Softplus::forward(const Tensor& x) { return softplus(x); }
Tensor GELU::forward(const Tensor& x) { return gelu(x, approximate); }
Tensor SiLU::forward(const Tensor& x) { return silu(x); }
Tensor Softmax::forward(const Tensor& x) { return softmax(x, axis); }
Tensor LogSoftmax::forward(const Tensor& x) { return log_softmax(x, axis); }

std::string LeakyReLU::extra_repr() const { return fmt::format("negative_slope={}", slope); }
std::string GELU::extra_repr() const {
    return approximate == GeluApproximation::tanh ? "approximate='tanh'" : "approximate='none'";
}
std::string Softmax::extra_repr() const { return fmt::format("axis={}", axis); }
std::string LogSoftmax::extra_repr() const { return fmt::format("axis={}", axis); }

namespace {

/// Every name make_activation accepts, with its kind (Note [kinds and names]).
constexpr detail::NamedKind<Activation> activation_table[] = {
    {"step", Activation::step},         {"sigmoid", Activation::sigmoid},
    {"tanh", Activation::tanh},         {"relu", Activation::relu},
    {"leaky_relu", Activation::leaky_relu}, {"leakyrelu", Activation::leaky_relu},
    {"softplus", Activation::softplus}, {"softmax", Activation::softmax},
    {"log_softmax", Activation::log_softmax}, {"logsoftmax", Activation::log_softmax},
    {"none", Activation::none},         {"linear", Activation::none},
    {"identity", Activation::none},
};

}  // namespace

std::vector<std::string> activation_names() { return detail::all_names(activation_table); }

Activation activation_from_name(std::string_view name) {
    std::string n(name);
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (n.empty()) return Activation::none;
    if (const auto kind = detail::kind_named(activation_table, n)) return *kind;
    throw std::invalid_argument(fmt::format("make_activation: unknown activation '{}'; known: {}", name,
                                            fmt::join(activation_names(), ", ")));
}

std::string activation_name(Activation kind) { return detail::name_of(activation_table, kind); }

ModulePtr make_activation(std::string_view name) { return make_activation(activation_from_name(name)); }

ModulePtr make_activation(Activation kind) {
    switch (kind) {
        case Activation::step: return std::make_shared<Step>();
        case Activation::sigmoid: return std::make_shared<Sigmoid>();
        case Activation::tanh: return std::make_shared<Tanh>();
        case Activation::relu: return std::make_shared<ReLU>();
        case Activation::leaky_relu: return std::make_shared<LeakyReLU>();
        case Activation::softplus: return std::make_shared<Softplus>();
        case Activation::softmax: return std::make_shared<Softmax>();
        case Activation::log_softmax: return std::make_shared<LogSoftmax>();
        case Activation::none: return std::make_shared<Identity>();
    }
    throw std::invalid_argument(fmt::format("make_activation: {} is not an Activation", static_cast<int>(kind)));
}

}  // namespace tg::nn
