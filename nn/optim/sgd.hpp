#pragma once
/// @ingroup nn
#include "optimizer.hpp"

namespace tg::optim {

struct SGDOptions {
    double lr = 0.01;
    double momentum = 0;
    double dampening = 0;
    double weight_decay = 0;
    bool nesterov = false;
    bool maximize = false;  ///< gradient ascent: climb the objective instead of descending
};

/// Stochastic gradient descent, PyTorch's algorithm (torch.optim.SGD):
///   g ← ∇ (−∇ when maximize);  g ← g + weight_decay·θ
///   momentum μ ≠ 0:  b ← g on the first step, else b ← μ·b + (1 − dampening)·g;
///                    g ← g + μ·b (nesterov) or g ← b
///   θ ← θ − lr·g
/// Plain SGD (the default) is the lesson's rule θ ← θ − η·∂E/∂θ; with maximize,
/// θ ← θ + η·∂J/∂θ (gradient ascent). Throws std::invalid_argument for a negative
/// momentum or weight decay, or nesterov without momentum or with dampening.
///
///     tg::optim::SGD opt(model.parameters(), {.lr = 0.1, .momentum = 0.9});
class SGD : public OptimizerWithOptions<SGDOptions> {
public:
    SGD(std::vector<Tensor> params, SGDOptions options = {});
    SGD(std::vector<Tensor> params, double lr) : SGD(std::move(params), SGDOptions{.lr = lr}) {}
    std::string name() const override { return "SGD"; }
    std::map<std::string, double> hyperparameters() const override;

protected:
    void update() override;
    std::vector<std::string> slot_names() const override { return {"momentum_buffer"}; }
};

}  // namespace tg::optim
