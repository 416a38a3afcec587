#pragma once
/// @ingroup nn
#include "optimizer.hpp"

namespace tg::optim {

struct AdamOptions {
    double lr = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weight_decay = 0;  ///< L2 penalty added to the gradient (Adam) / decoupled decay (AdamW)
    bool amsgrad = false;
    bool maximize = false;
};

/// Adam (Kingma & Ba), PyTorch's algorithm (torch.optim.Adam), at step t of a parameter:
///   g ← ∇ (−∇ when maximize);  g ← g + weight_decay·θ
///   m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²
///   m̂ = m / (1 − β1^t);      v̂ = v / (1 − β2^t)   (amsgrad: v̂ uses max over time of v)
///   θ ← θ − lr·m̂ / (√v̂ + eps)
class Adam : public OptimizerWithOptions<AdamOptions> {
public:
    Adam(std::vector<Tensor> params, AdamOptions options = {});
    Adam(std::vector<Tensor> params, double lr) : Adam(std::move(params), AdamOptions{.lr = lr}) {}
    std::string name() const override { return "Adam"; }
    std::map<std::string, double> hyperparameters() const override;

protected:
    Adam(std::vector<Tensor> params, AdamOptions options, bool decoupled);
    void update() override;
    std::vector<std::string> slot_names() const override { return {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}; }

private:
    bool decoupled_ = false;
};

/// AdamW's options: Adam's, with PyTorch's default weight_decay = 0.01.
struct AdamWOptions {
    double lr = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weight_decay = 0.01;
    bool amsgrad = false;
    bool maximize = false;
};

/// AdamW (Loshchilov & Hutter): Adam with decoupled weight decay,
///   θ ← θ·(1 − lr·weight_decay), then the Adam step without the L2 term.
class AdamW : public Adam {
public:
    AdamW(std::vector<Tensor> params, AdamWOptions options = {});
    AdamW(std::vector<Tensor> params, double lr) : AdamW(std::move(params), AdamWOptions{.lr = lr}) {}
    std::string name() const override { return "AdamW"; }
};

}  // namespace tg::optim
