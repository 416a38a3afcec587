#pragma once
/// @ingroup nn
/// The MLP builder: the number and kind of layers and neurons set programmatically.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "containers.hpp"

namespace tg::nn {

struct MlpOptions {
    bool bias = true;
    /// Dropout probability after each hidden activation (0: no Dropout layers).
    double dropout = 0;
    /// Weight initialisation (see init::initialize): "default" is PyTorch's.
    std::string init = "default";
    DType dtype = DType::f32;
};

/// A Sequential of Linear layers sizes[0] -> sizes[1] -> ... -> sizes.back(),
/// each followed by its activation module. `activations` holds either one name
/// per Linear layer ("none"/"linear" for no activation module), or a single name
/// used for every hidden layer, the output layer then having none. Names as in
/// make_activation. Children are numbered as PyTorch numbers
/// nn.Sequential(Linear, Tanh, Linear, Sigmoid): "0.weight", "2.weight", ...
///
///     auto net = mlp({2, 4, 1}, {"tanh", "sigmoid"});  // 2-4-1, tanh hidden, sigmoid out
///     auto deep = mlp({30, 64, 32, 1}, {"relu"}, {.dropout = 0.1, .init = "he_uniform"});
///
/// Throws std::invalid_argument for fewer than two sizes, a zero size, or a wrong
/// number of activation names.
std::shared_ptr<Sequential> mlp(const std::vector<std::size_t>& sizes, const std::vector<std::string>& activations,
                                 const MlpOptions& options = {});

}  // namespace tg::nn
