#pragma once
// The backward engine: reverse-mode passes over the recorded graph.
// See Note [tape ownership] in node.hpp.
#include <vector>

#include "tensor.hpp"

namespace tg {

struct GradOptions {
    bool retain_graph = false;  ///< keep the graph (implied by create_graph)
    bool create_graph = false;  ///< make the returned gradients differentiable
    bool allow_unused = false;  ///< an input the outputs do not depend on gets an undefined tensor instead of an error
};

/// Gradients of outputs with respect to inputs, without touching any .grad()
/// (like torch.autograd.grad). grad_outputs are the seeds; they may be omitted
/// for one-element outputs.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, GradOptions options = {});

/// Backward from several roots at once, accumulating into the leaves' .grad().
void backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& seeds = {},
              BackwardOptions options = {});

/// Number of recorded nodes alive in this process: a graph nobody refers to is
/// freed, so this returns to its old value after each training step (a leak check).
std::size_t live_node_count();

}  // namespace tg
