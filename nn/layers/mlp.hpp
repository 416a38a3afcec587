#pragma once
/// @ingroup nn
/// The MLP builder: the number and kind of layers and neurons set programmatically.
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

/// A Sequential of Linear layers sizes[0] -> sizes[1] -> ... -> sizes.back(),
/// each followed by its activation module. `activations` holds either one
/// activation per Linear layer (Activation::none, or "none"/"linear", for no
/// activation module), or a single one used for every hidden layer, the output
/// layer then having none. Children are numbered as PyTorch numbers
/// nn.Sequential(Linear, Tanh, Linear, Sigmoid): "0.weight", "2.weight", ...
///
///     auto net = mlp({2, 4, 1}, {Activation::tanh, Activation::sigmoid});  // tanh hidden, sigmoid out
///     auto deep = mlp({30, 64, 32, 1}, {Activation::relu}, {.dropout = 0.1, .init = init::Scheme::he_uniform});
///     auto from_config = mlp({2, 4, 1}, {"tanh", "sigmoid"}, {.init = "he_uniform"});
///
/// Throws std::invalid_argument for fewer than two sizes, a zero size, or a wrong
/// number of activations.
std::shared_ptr<Sequential> mlp(const std::vector<std::size_t>& sizes, const ActivationList& activations,
                                 const MlpOptions& options = {});

}  // namespace tg::nn
