#pragma once
/// @ingroup nn
/// Loss functions, as functions and as callable objects for fit().
/// Every gradient comes from the autodiff engine: each loss is a composition of
/// differentiable ops (no hand-written backward).
///
/// Shapes: pred and target must hold the same elements; a target that differs
/// from pred only by axes of size 1 ([N] against [N, 1]) is reshaped to pred's
/// shape. Anything else throws ShapeError (no silent [N] x [N, 1] -> [N, N]
/// broadcast). Class-index targets (cross_entropy, nll_loss) are [N] holding
/// integers 0..C-1: an int64 tensor (labels kept as integers, as PyTorch), or
/// whole numbers in the logits' float dtype. Regression and binary targets are
/// floats of the prediction's dtype (an int64 target is a DTypeError: .to() it).
#include <string>

#include "../../graph/tensor.hpp"

namespace tg::nn {

/// How per-element losses become the result.
enum class Reduction {
    none,      ///< per-element losses, pred's shape (per-row for class losses)
    mean,      ///< their mean (the default, as in PyTorch and Keras)
    sum,       ///< their sum
    half_sum,  ///< ½ of their sum: the lesson's E = ½·Σ(target − out)², whose gradient is (out − target)
    batch_mean,  ///< their sum divided by the size of the first axis (PyTorch's "batchmean", for kl_div)
};

/// Apply a reduction to per-element losses.
Tensor reduce(const Tensor& losses, Reduction reduction);

/// Mean squared error: (pred − target)².
Tensor mse_loss(const Tensor& pred, const Tensor& target, Reduction reduction = Reduction::mean);
/// Mean absolute error (L1): |pred − target|.
Tensor l1_loss(const Tensor& pred, const Tensor& target, Reduction reduction = Reduction::mean);
inline Tensor mae_loss(const Tensor& pred, const Tensor& target, Reduction reduction = Reduction::mean) {
    return l1_loss(pred, target, reduction);
}
/// Huber loss (PyTorch's huber_loss): ½d² where |d| < delta, else delta·(|d| − ½delta), d = pred − target.
/// Throws std::invalid_argument unless delta > 0.
Tensor huber_loss(const Tensor& pred, const Tensor& target, Reduction reduction = Reduction::mean, double delta = 1.0);
/// Smooth L1 (PyTorch's smooth_l1_loss): ½d²/beta where |d| < beta, else |d| − ½beta;
/// beta = 0 is the L1 loss. Throws std::invalid_argument for beta < 0.
Tensor smooth_l1_loss(const Tensor& pred, const Tensor& target, Reduction reduction = Reduction::mean,
                      double beta = 1.0);
/// Kullback-Leibler divergence (PyTorch's kl_div) of input log-probabilities from
/// target probabilities: target·(log target − input), 0 where target is 0; with
/// log_target the target is given as log-probabilities: e^target·(target − input).
/// PyTorch's reduction "batchmean" (the mathematically right one) is
/// Reduction::batch_mean: the sum divided by the first axis' size.
Tensor kl_div(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean,
              bool log_target = false);
/// Binary cross-entropy on probabilities p in [0, 1]: −[t·log p + (1 − t)·log(1 − p)],
/// logs clamped at −100 as PyTorch does. Throws std::invalid_argument for p outside
/// [0, 1] (pass logits to binary_cross_entropy_with_logits instead).
Tensor binary_cross_entropy(const Tensor& prob, const Tensor& target, Reduction reduction = Reduction::mean);
/// Binary cross-entropy on logits x, stable for any x:
/// pos_weight·t·softplus(−x) + (1 − t)·softplus(x)  (= −[pos_weight·t·log σ(x) + (1 − t)·log(1 − σ(x))]).
/// pos_weight > 1 weighs the positive class up, for imbalanced data (e.g. fraud:
/// negatives / positives).
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target,
                                        Reduction reduction = Reduction::mean, double pos_weight = 1.0);
/// Same with a per-output pos_weight tensor (broadcast against the logits' last axis).
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target, Reduction reduction,
                                        const Tensor& pos_weight);
/// Cross-entropy from logits [N, C]: −log softmax(logits)[n, target[n]], with
/// optional class weights [C] (mean = Σ w[t_n]·l_n / Σ w[t_n], as PyTorch).
/// A target of the logits' shape is taken as class probabilities: −Σ_c t·log softmax.
/// Throws for a target that is not a class index in [0, C).
Tensor cross_entropy(const Tensor& logits, const Tensor& target, Reduction reduction = Reduction::mean,
                     const Tensor& class_weight = {});
/// Negative log-likelihood from log-probabilities [N, C] (e.g. LogSoftmax output).
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction reduction = Reduction::mean,
                const Tensor& class_weight = {});
/// Hinge loss for labels −1/+1 and raw scores s: max(0, margin − t·s).
/// Throws std::invalid_argument for a label that is not ±1 (map 0/1 labels with 2t − 1).
Tensor hinge_loss(const Tensor& scores, const Tensor& target, Reduction reduction = Reduction::mean,
                  double margin = 1.0);
/// Perceptron criterion on scores z = w·x + b: (y − d)·z with y = step(z) (1 if z > 0
/// else 0; with bipolar labels y = +1 if z > 0 else −1) and d the target.
/// y is a constant, so ∂L/∂z = y − d exactly, also at z = 0, and SGD with learning rate
/// η performs the textbook rule w += η·(d − y)·x (for batch size 1 or Reduction::sum).
/// The loss is ≥ 0 and zero exactly when every sample is classified right
/// (or sits on the boundary with target 0). Targets must be 0/1 (bipolar: −1/+1).
Tensor perceptron_criterion(const Tensor& scores, const Tensor& target, Reduction reduction = Reduction::mean,
                            bool bipolar = false);

/// A loss as an object: callable as loss(pred, target), copyable into
/// std::function (fit() takes one).
class Loss {
public:
    explicit Loss(Reduction reduction = Reduction::mean) : reduction(reduction) {}
    virtual ~Loss() = default;
    virtual Tensor forward(const Tensor& pred, const Tensor& target) const = 0;
    Tensor operator()(const Tensor& pred, const Tensor& target) const { return forward(pred, target); }
    virtual std::string name() const = 0;
    Reduction reduction;
};

struct MSELoss : Loss {
    using Loss::Loss;
    Tensor forward(const Tensor& p, const Tensor& t) const override { return mse_loss(p, t, reduction); }
    std::string name() const override { return "MSELoss"; }
};
struct HuberLoss : Loss {
    explicit HuberLoss(double delta = 1.0, Reduction r = Reduction::mean) : Loss(r), delta(delta) {}
    Tensor forward(const Tensor& p, const Tensor& t) const override { return huber_loss(p, t, reduction, delta); }
    std::string name() const override { return "HuberLoss"; }
    double delta;
};
struct SmoothL1Loss : Loss {
    explicit SmoothL1Loss(double beta = 1.0, Reduction r = Reduction::mean) : Loss(r), beta(beta) {}
    Tensor forward(const Tensor& p, const Tensor& t) const override { return smooth_l1_loss(p, t, reduction, beta); }
    std::string name() const override { return "SmoothL1Loss"; }
    double beta;
};
struct KLDivLoss : Loss {
    explicit KLDivLoss(Reduction r = Reduction::mean, bool log_target = false) : Loss(r), log_target(log_target) {}
    Tensor forward(const Tensor& p, const Tensor& t) const override { return kl_div(p, t, reduction, log_target); }
    std::string name() const override { return "KLDivLoss"; }
    bool log_target;
};
struct L1Loss : Loss {
    using Loss::Loss;
    Tensor forward(const Tensor& p, const Tensor& t) const override { return l1_loss(p, t, reduction); }
    std::string name() const override { return "L1Loss"; }
};
struct BCELoss : Loss {
    using Loss::Loss;
    Tensor forward(const Tensor& p, const Tensor& t) const override { return binary_cross_entropy(p, t, reduction); }
    std::string name() const override { return "BCELoss"; }
};
struct BCEWithLogitsLoss : Loss {
    explicit BCEWithLogitsLoss(double pos_weight = 1.0, Reduction reduction = Reduction::mean)
        : Loss(reduction), pos_weight(pos_weight) {}
    Tensor forward(const Tensor& p, const Tensor& t) const override {
        return binary_cross_entropy_with_logits(p, t, reduction, pos_weight);
    }
    std::string name() const override { return "BCEWithLogitsLoss"; }
    double pos_weight;
};
struct CrossEntropyLoss : Loss {
    explicit CrossEntropyLoss(Tensor class_weight = {}, Reduction reduction = Reduction::mean)
        : Loss(reduction), class_weight(std::move(class_weight)) {}
    Tensor forward(const Tensor& p, const Tensor& t) const override {
        return cross_entropy(p, t, reduction, class_weight);
    }
    std::string name() const override { return "CrossEntropyLoss"; }
    Tensor class_weight;
};
struct NLLLoss : Loss {
    explicit NLLLoss(Tensor class_weight = {}, Reduction reduction = Reduction::mean)
        : Loss(reduction), class_weight(std::move(class_weight)) {}
    Tensor forward(const Tensor& p, const Tensor& t) const override { return nll_loss(p, t, reduction, class_weight); }
    std::string name() const override { return "NLLLoss"; }
    Tensor class_weight;
};
struct HingeLoss : Loss {
    explicit HingeLoss(double margin = 1.0, Reduction reduction = Reduction::mean)
        : Loss(reduction), margin(margin) {}
    Tensor forward(const Tensor& p, const Tensor& t) const override { return hinge_loss(p, t, reduction, margin); }
    std::string name() const override { return "HingeLoss"; }
    double margin;
};
struct PerceptronCriterion : Loss {
    explicit PerceptronCriterion(Reduction reduction = Reduction::mean, bool bipolar = false)
        : Loss(reduction), bipolar(bipolar) {}
    Tensor forward(const Tensor& p, const Tensor& t) const override {
        return perceptron_criterion(p, t, reduction, bipolar);
    }
    std::string name() const override { return "PerceptronCriterion"; }
    bool bipolar;
};

}  // namespace tg::nn
