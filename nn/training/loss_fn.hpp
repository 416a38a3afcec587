#pragma once
/// @ingroup nn
/// The loss functions fit and evaluate take: LossFn for a model with one output
/// and one target, MultiLossFn for several outputs or targets.
#include <functional>
#include <string>
#include <vector>

#include "../module.hpp"

namespace tg::nn {

/// loss(output, target) -> a one-element tensor. Loss objects (MSELoss(),
/// BCEWithLogitsLoss(pos_weight), ...) and lambdas both fit.
using LossFn = std::function<Tensor(const Tensor& output, const Tensor& target)>;

/// loss(outputs, targets) -> a one-element tensor, for a model with several
/// outputs, or data with several targets (Dataset::targets()).
using MultiLossFn = std::function<Tensor(const Tensors& outputs, const Tensors& targets)>;

/// Keras's list of losses with loss_weights: sum_i weights[i] · losses[i](outputs[i], targets[i]).
/// weights empty: all 1. Throws std::invalid_argument when the counts differ, and,
/// when called, when the outputs or targets are not one per loss.
MultiLossFn per_output_loss(std::vector<LossFn> losses, std::vector<double> weights = {});

/// loss as a MultiLossFn taking one output and one target; `caller` ("fit") names
/// the error thrown for any other count, which says to pass a MultiLossFn.
/// An empty loss gives an empty MultiLossFn.
MultiLossFn as_multi_loss(LossFn loss, const std::string& caller);

}  // namespace tg::nn
