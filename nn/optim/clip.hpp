#pragma once
/// @ingroup nn
/// Gradient clipping and the gradient report (to see vanishing and exploding gradients).
#include <string>
#include <vector>

#include "../module.hpp"

namespace tg::nn {

/// Scale all gradients together so their global L2 norm (over every element of
/// every parameter) is at most max_norm: g ← g · max_norm / (norm + 1e-6) when
/// norm > max_norm (PyTorch's clip_grad_norm_). Returns the norm before clipping.
/// Parameters without a gradient are skipped. A non-finite norm throws
/// std::runtime_error when error_if_nonfinite (the gradients are then left alone).
double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, bool error_if_nonfinite = false);
/// Clamp every gradient element to [−clip_value, clip_value].
void clip_grad_value_(const std::vector<Tensor>& params, double clip_value);
/// Global L2 norm of the gradients (0 when none has one).
double grad_norm(const std::vector<Tensor>& params);

/// One row of a gradient report.
struct GradStat {
    std::string name;
    Shape shape;
    double norm = 0;       ///< L2 norm of the gradient
    double max_abs = 0;    ///< largest |g|
    double param_norm = 0; ///< L2 norm of the parameter, for the ratio
    bool has_grad = false;
};

/// Per-parameter gradient norms after a backward, in named_parameters() order.
std::vector<GradStat> gradient_report(const Module& module);
/// The report as an aligned table (name, shape, ‖g‖, max |g|, ‖g‖/‖θ‖).
std::string format_gradient_report(const std::vector<GradStat>& report);

}  // namespace tg::nn
