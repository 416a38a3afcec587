#pragma once
/// Writing your own differentiable op (like torch.autograd.Function): a forward that
/// computes values, and a backward rule that adds the inputs' gradients. See
/// ops/README.md, "Writing your own differentiable op".
///
///     // straight-through estimator: round forward, identity backward
///     Tensor round_ste(const Tensor& x) {
///         return tg::custom_op("round_ste", {x},
///             [](const std::vector<Tensor>& in) { ... values of round(in[0]) ... },
///             [](tg::BackwardContext& ctx) { ctx.add(0, ctx.grad_out()); });
///     }
#include <utility>
#include <vector>

#include "../graph/grad_mode.hpp"
#include "../graph/node.hpp"
#include "../graph/tensor.hpp"

namespace tg {

/// Run forward(inputs) without recording, and record the result as one op whose
/// gradient is backward(ctx). In the rule (BackwardContext):
///  - ctx.grad_out(): the gradient of the loss with respect to the output;
///  - ctx.input(i), ctx.out(): the inputs and the output, saved by the op (checked
///    against in-place writes since the forward); other saved values are captured
///    by value in the lambda (Tensors or numbers, never references);
///  - ctx.needs(i): does input i need a gradient? (skip work for those that don't);
///  - ctx.add(i, g): add g to input i's gradient (a broadcast shape is summed back).
/// Write the rule with tapegrad ops: under create_graph they are recorded, so the
/// gradient is itself differentiable (second derivatives, gradgradcheck).
///
/// `name` is kept as a pointer by the graph: give a string literal. The forward
/// may use any ops (or to_vector / from_vector); its result is copied when it is
/// one of the inputs, so an identity forward is fine. When no input needs a
/// gradient, or grad mode is off, nothing is recorded and backward is dropped.
template <class Forward, class Backward>
Tensor custom_op(const char* name, const std::vector<Tensor>& inputs, Forward&& forward, Backward&& backward) {
    Tensor out;
    {
        NoGradGuard no_grad;
        out = std::forward<Forward>(forward)(inputs);
        for (const Tensor& in : inputs)
            if (in.impl() == out.impl()) out = out.detach();  // never attach the op to an input itself
    }
    return record(name, inputs, std::move(out), std::forward<Backward>(backward));
}

}  // namespace tg
