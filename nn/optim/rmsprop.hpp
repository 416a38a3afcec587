#pragma once
/// @ingroup nn
#include "optimizer.hpp"

namespace tg::optim {

struct RMSpropOptions {
    double lr = 0.01;
    double alpha = 0.99;  ///< smoothing constant of the squared-gradient average
    double eps = 1e-8;
    double weight_decay = 0;
    double momentum = 0;
    bool centered = false;
    bool maximize = false;
};

/// RMSprop (Hinton), PyTorch's algorithm (torch.optim.RMSprop):
///   g ← ∇ (−∇ when maximize);  g ← g + weight_decay·θ
///   v ← α·v + (1 − α)·g²
///   centered: ḡ ← α·ḡ + (1 − α)·g,  d = √(v − ḡ²) + eps;  else d = √v + eps
///   momentum μ > 0: b ← μ·b + g/d, θ ← θ − lr·b;  else θ ← θ − lr·g/d
class RMSprop : public OptimizerWithOptions<RMSpropOptions> {
public:
    RMSprop(std::vector<Tensor> params, RMSpropOptions options = {});
    RMSprop(std::vector<Tensor> params, double lr) : RMSprop(std::move(params), RMSpropOptions{.lr = lr}) {}
    std::string name() const override { return "RMSprop"; }
    std::map<std::string, double> hyperparameters() const override;

protected:
    void update() override;
    std::vector<std::string> slot_names() const override { return {"square_avg", "grad_avg", "momentum_buffer"}; }
};

}  // namespace tg::optim
