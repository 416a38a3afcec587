#include "loss_fn.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "../../ops/ops.hpp"

namespace tg::nn {

MultiLossFn per_output_loss(std::vector<LossFn> losses, std::vector<double> weights) {
    if (losses.empty()) throw std::invalid_argument("per_output_loss: needs at least one loss");
    for (std::size_t i = 0; i < losses.size(); ++i)
        if (!losses[i]) throw std::invalid_argument(fmt::format("per_output_loss: loss {} is empty", i));
    if (weights.empty()) weights.assign(losses.size(), 1.0);
    if (weights.size() != losses.size())
        throw std::invalid_argument(fmt::format("per_output_loss: {} losses but {} weights (one weight per loss)",
                                                losses.size(), weights.size()));
    return [losses = std::move(losses), weights = std::move(weights)](const Tensors& outputs, const Tensors& targets) {
        if (outputs.size() != losses.size() || targets.size() != losses.size())
            throw std::invalid_argument(fmt::format("per_output_loss: {} losses, but the model gave {} outputs and the "
                                                    "data has {} targets (one of each per loss)",
                                                    losses.size(), outputs.size(), targets.size()));
        Tensor total = losses[0](outputs[0], targets[0]) * weights[0];
        for (std::size_t i = 1; i < losses.size(); ++i) total = total + losses[i](outputs[i], targets[i]) * weights[i];
        return total;
    };
}

MultiLossFn as_multi_loss(LossFn loss, const std::string& caller) {
    if (!loss) return {};
    return [loss = std::move(loss), caller](const Tensors& outputs, const Tensors& targets) {
        if (outputs.size() != 1 || targets.size() != 1)
            throw std::invalid_argument(fmt::format(
                "{}: the model gave {} outputs and the data has {} targets, but a one-tensor loss (LossFn) takes one "
                "of each: pass a MultiLossFn, e.g. nn::per_output_loss({{loss_a, loss_b}})",
                caller, outputs.size(), targets.size()));
        return loss(outputs[0], targets[0]);
    };
}

}  // namespace tg::nn
