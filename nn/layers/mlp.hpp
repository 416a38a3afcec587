#pragma once
/// @ingroup nn
/// The MLP builder: the number and kind of layers and neurons set programmatically.
#include <concepts>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "../init.hpp"
#include "activations.hpp"
#include "containers.hpp"

namespace tg::nn {

struct MlpOptions {
    bool bias = true;
    /// Dropout probability after each hidden activation (0: no Dropout layers).
    double dropout = 0;
    /// Weight initialisation (see init::initialize), by kind or by name ("he_uniform");
    /// the default leaves PyTorch's.
    std::variant<init::Scheme, std::string> init = init::Scheme::pytorch_default;
    DType dtype = DType::f32;
};

/// The activations of an mlp(), by kind or by name (names as in make_activation,
/// for configs and command lines; an unknown name throws std::invalid_argument here).
///
/// Note [one parameter type for kinds and names]: two mlp() overloads, taking
/// std::vector<Activation> and std::vector<std::string>, would make
/// mlp(sizes, {"tanh", "tanh"}) ambiguous: two strings also fit vector's
/// (first, last) iterator constructor. One type with an initializer-list
/// constructor per route has no such second reading.
struct ActivationList {
    ActivationList() = default;
    ActivationList(std::initializer_list<Activation> kinds) : kinds(kinds) {}
    ActivationList(std::vector<Activation> kinds) : kinds(std::move(kinds)) {}
    ActivationList(std::initializer_list<std::string_view> names);
    ActivationList(const std::vector<std::string>& names);
    std::vector<Activation> kinds;
};

/// One activation, by kind or by name (an unknown name throws std::invalid_argument).
struct ActivationName {
    ActivationName(Activation kind) : kind(kind) {}
    ActivationName(const char* name);
    ActivationName(std::string_view name);
    ActivationName(const std::string& name);
    Activation kind;
};

/// The activations of an mlp() by role: after every hidden Linear layer, and after
/// the last one. Activation::none ("none", "linear") adds no module.
///
///     mlp({30, 16, 1}, MlpActivations{.hidden = "relu"});                      // logit out
///     mlp({30, 1}, MlpActivations{.output = Activation::sigmoid});             // logistic regression
struct MlpActivations {
    ActivationName hidden = Activation::none;
    ActivationName output = Activation::none;
};

/// A Sequential of Linear layers sizes[0] -> sizes[1] -> ... -> sizes.back(),
/// each followed by its activation module (none for Activation::none). Children
/// are numbered as PyTorch numbers nn.Sequential(Linear, Tanh, Linear, Sigmoid):
/// "0.weight", "2.weight", ... The activations are either
///  - an MlpActivations, naming the hidden and output activations (the clear form);
///  - a list with one entry per Linear layer, the last being the output's;
///  - a list of one entry for two or more Linear layers: every hidden layer's,
///    the output then having none (kept for existing code);
///  - an empty list: no activation at all.
/// A one-entry list for a single Linear layer could mean either of the last two
/// readings (its output's activation, or hidden layers' that do not exist), so it
/// throws std::invalid_argument saying to write MlpActivations{.output = ...}.
///
///     auto net = mlp({2, 4, 1}, {Activation::tanh, Activation::sigmoid});  // tanh hidden, sigmoid out
///     auto deep = mlp({30, 64, 32, 1}, MlpActivations{.hidden = "relu"},
///                     {.dropout = 0.1, .init = init::Scheme::he_uniform});
///     auto from_config = mlp({2, 4, 1}, {"tanh", "sigmoid"}, {.init = "he_uniform"});
///
/// Throws std::invalid_argument for fewer than two sizes, a zero size, or a wrong
/// number of activations.
std::shared_ptr<Sequential> mlp(const std::vector<std::size_t>& sizes, const ActivationList& activations,
                                 const MlpOptions& options = {});

std::shared_ptr<Sequential> mlp_by_role(const std::vector<std::size_t>& sizes, const MlpActivations& activations,
                                         const MlpOptions& options = {});

/// mlp(sizes, MlpActivations{.hidden = ..., .output = ...}, options). A template so
/// that a braced list such as {"relu"} never reaches it: it stays an ActivationList,
/// and the two overloads are never ambiguous.
template <std::same_as<MlpActivations> A>
std::shared_ptr<Sequential> mlp(const std::vector<std::size_t>& sizes, const A& activations,
                                 const MlpOptions& options = {}) {
    return mlp_by_role(sizes, activations, options);
}

}  // namespace tg::nn
