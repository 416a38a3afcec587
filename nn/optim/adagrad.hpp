#pragma once
/// @ingroup nn
#include "optimizer.hpp"

namespace tg::optim {

struct AdagradOptions {
    double lr = 0.01;
    double lr_decay = 0;
    double weight_decay = 0;
    double initial_accumulator_value = 0;
    double eps = 1e-10;
    bool maximize = false;
};

/// Adagrad (Duchi et al.), PyTorch's algorithm (torch.optim.Adagrad), at step t:
///   g ← ∇ (−∇ when maximize);  g ← g + weight_decay·θ
///   η_t = lr / (1 + (t − 1)·lr_decay);  s ← s + g²  (s starts at initial_accumulator_value)
///   θ ← θ − η_t·g / (√s + eps)
class Adagrad : public OptimizerWithOptions<AdagradOptions> {
public:
    Adagrad(std::vector<Tensor> params, AdagradOptions options = {});
    Adagrad(std::vector<Tensor> params, double lr) : Adagrad(std::move(params), AdagradOptions{.lr = lr}) {}
    std::string name() const override { return "Adagrad"; }
    std::map<std::string, double> hyperparameters() const override;

protected:
    void update() override;
    std::vector<std::string> slot_names() const override { return {"sum"}; }
};

}  // namespace tg::optim
