#include "losses.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "../../graph/grad_mode.hpp"
#include "../../ops/ops.hpp"

namespace tg::nn {

namespace {

/// Call f(flat index, value) for every element (read only, no copy).
template <class F>
void for_each_value(const Tensor& t, F f) {
    const std::size_t n = t.size();
    if (t.dtype() == DType::f32) {
        const float* p = t.data<float>();
        for (std::size_t i = 0; i < n; ++i) f(i, static_cast<double>(p[i]));
    } else if (t.dtype() == DType::f64) {
        const double* p = t.data<double>();
        for (std::size_t i = 0; i < n; ++i) f(i, p[i]);
    } else {
        const std::vector<double> v = t.to_vector();
        for (std::size_t i = 0; i < n; ++i) f(i, v[i]);
    }
}

Shape squeezed(const Shape& s) {
    Shape out;
    for (std::size_t d : s)
        if (d != 1) out.push_back(d);
    return out;
}

/// target in pred's shape: equal, or equal up to size-1 axes (then reshaped). See losses.hpp.
Tensor aligned_target(const char* op, const Tensor& pred, const Tensor& target) {
    check_float(op, pred);
    check_defined(op, target);
    check_same_dtype(op, pred, target);
    if (pred.shape() == target.shape()) return target;
    if (pred.size() == target.size() && squeezed(pred.shape()) == squeezed(target.shape()))
        return reshape(target, pred.shape());
    throw ShapeError(fmt::format("{}: prediction {} and target {} must have the same shape", op,
                                 shape_str(pred.shape()), shape_str(target.shape())));
}

void check_labels(const char* op, const Tensor& target, double a, double b, const char* hint) {
    for_each_value(target, [&](std::size_t i, double v) {
        if (v != a && v != b)
            throw std::invalid_argument(
                fmt::format("{}: target[{}] = {} but labels must be {} or {}{}", op, i, v, a, b, hint));
    });
}

/// Class indices of a [N] target for [N, C] scores, validated.
std::vector<std::int64_t> class_indices(const char* op, const Tensor& scores, const Tensor& target) {
    if (scores.dim() != 2)
        throw ShapeError(fmt::format("{}: scores must be [N, C], got {}", op, shape_str(scores.shape())));
    const std::size_t n = scores.size(0), c = scores.size(1);
    if (target.dim() > 2 || target.size() != n || (target.dim() == 2 && target.size(1) != 1))
        throw ShapeError(fmt::format("{}: target {} must hold one class index per row of scores {}", op,
                                     shape_str(target.shape()), shape_str(scores.shape())));
    if (target.dtype() == DType::i64) {  // labels kept as integers
        std::vector<std::int64_t> idx = target.to_vector<std::int64_t>();
        for (std::size_t i = 0; i < n; ++i)
            if (idx[i] < 0 || idx[i] >= static_cast<std::int64_t>(c))
                throw std::invalid_argument(
                    fmt::format("{}: target[{}] = {} is not a class index in [0, {})", op, i, idx[i], c));
        return idx;
    }
    std::vector<std::int64_t> idx(n);
    for_each_value(target, [&](std::size_t i, double v) {
        if (!(v >= 0 && v < static_cast<double>(c)) || v != std::floor(v))
            throw std::invalid_argument(
                fmt::format("{}: target[{}] = {} is not a class index in [0, {})", op, i, v, c));
        idx[i] = static_cast<std::int64_t>(v);
    });
    return idx;
}

/// A class target is int64 indices, or of the scores' float dtype (indices as whole
/// numbers, or cross_entropy's class probabilities).
void check_class_target(const char* op, const Tensor& scores, const Tensor& target) {
    check_defined(op, target);
    if (target.dtype() != DType::i64) check_same_dtype(op, scores, target);
}

/// −score[n, t_n] per row, weighted; then the (weighted) reduction.
Tensor picked_nll(const char* op, const Tensor& log_probs, const Tensor& target, Reduction reduction,
                  const Tensor& weight) {
    const std::vector<std::int64_t> idx = class_indices(op, log_probs, target);
    const std::size_t n = idx.size();
    const Tensor index = from_vector(idx, {n, 1});
    Tensor per_row = neg(reshape(gather(log_probs, 1, index), {static_cast<std::int64_t>(n)}));
    if (!weight.defined()) return reduce(per_row, reduction);
    check_same_dtype(op, log_probs, weight);
    if (weight.dim() != 1 || weight.size(0) != log_probs.size(1))
        throw ShapeError(fmt::format("{}: class_weight {} must be [{}], one weight per class", op,
                                     shape_str(weight.shape()), log_probs.size(1)));
    const Tensor w = index_select(weight.detach(), 0, idx);
    per_row = per_row * w;
    if (reduction == Reduction::mean) return sum(per_row) / sum(w);
    return reduce(per_row, reduction);
}

}  // namespace

Tensor reduce(const Tensor& losses, Reduction reduction) {
    switch (reduction) {
        case Reduction::none: return losses;
        case Reduction::mean: return mean(losses);
        case Reduction::sum: return sum(losses);
        case Reduction::half_sum: return sum(losses) * 0.5;
        case Reduction::batch_mean:
            return sum(losses) * (1.0 / static_cast<double>(losses.dim() ? std::max<std::size_t>(losses.size(0), 1) : 1));
    }
    throw std::invalid_argument("reduce: unknown reduction");
}

Tensor mse_loss(const Tensor& pred, const Tensor& target, Reduction reduction) {
    const Tensor t = aligned_target("mse_loss", pred, target);
    return reduce(square(pred - t), reduction);
}

Tensor l1_loss(const Tensor& pred, const Tensor& target, Reduction reduction) {
    const Tensor t = aligned_target("l1_loss", pred, target);
    return reduce(abs(pred - t), reduction);
}

Tensor huber_loss(const Tensor& pred, const Tensor& target, Reduction reduction, double delta) {
    if (!(delta > 0)) throw std::invalid_argument(fmt::format("huber_loss: delta must be positive, got {}", delta));
    const Tensor d = pred - aligned_target("huber_loss", pred, target);
    const Tensor a = abs(d);
    return reduce(where(lt(a, delta), square(d) * 0.5, (a - 0.5 * delta) * delta), reduction);
}

Tensor smooth_l1_loss(const Tensor& pred, const Tensor& target, Reduction reduction, double beta) {
    if (!(beta >= 0)) throw std::invalid_argument(fmt::format("smooth_l1_loss: beta must be >= 0, got {}", beta));
    const Tensor d = pred - aligned_target("smooth_l1_loss", pred, target);
    const Tensor a = abs(d);
    if (beta == 0) return reduce(a, reduction);
    return reduce(where(lt(a, beta), square(d) * (0.5 / beta), a - 0.5 * beta), reduction);
}

Tensor kl_div(const Tensor& input, const Tensor& target, Reduction reduction, bool log_target) {
    const Tensor t = aligned_target("kl_div", input, target);
    if (log_target) return reduce(exp(t) * (t - input), reduction);
    // t·log t is 0 where t = 0 (its limit), as PyTorch's xlogy: log of a safe 1 there
    const Tensor positive = gt(t, 0.0);
    const Tensor t_log_t = t * log(where(positive, t, ones_like(t)));
    return reduce(t_log_t - t * input, reduction);
}

Tensor binary_cross_entropy(const Tensor& prob, const Tensor& target, Reduction reduction) {
    const Tensor t = aligned_target("binary_cross_entropy", prob, target);
    for_each_value(prob, [](std::size_t i, double p) {
        if (!(p >= 0 && p <= 1))
            throw std::invalid_argument(fmt::format(
                "binary_cross_entropy: input[{}] = {} is not a probability in [0, 1] (for scores, use "
                "binary_cross_entropy_with_logits)",
                i, p));
    });
    // log clamped at −100 as PyTorch does, so p = 0 or 1 gives a finite loss.
    const double tiny = std::exp(-100.0);
    const Tensor log_p = log(clamp(prob, tiny, 1.0));
    const Tensor log_q = log(clamp(1.0 - prob, tiny, 1.0));
    return reduce(neg(t * log_p + (1.0 - t) * log_q), reduction);
}

Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target, Reduction reduction,
                                        double pos_weight) {
    const Tensor t = aligned_target("binary_cross_entropy_with_logits", logits, target);
    if (!(pos_weight > 0))
        throw std::invalid_argument(
            fmt::format("binary_cross_entropy_with_logits: pos_weight = {} must be positive", pos_weight));
    // softplus(x) − t·x = t·softplus(−x) + (1 − t)·softplus(x), stable for any x.
    if (pos_weight == 1.0) return reduce(softplus(logits) - t * logits, reduction);
    // (1 − t)·x + (1 + (pw − 1)·t)·softplus(−x)
    return reduce((1.0 - t) * logits + (1.0 + (pos_weight - 1.0) * t) * softplus(neg(logits)), reduction);
}

Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target, Reduction reduction,
                                        const Tensor& pos_weight) {
    if (!pos_weight.defined()) return binary_cross_entropy_with_logits(logits, target, reduction, 1.0);
    const Tensor t = aligned_target("binary_cross_entropy_with_logits", logits, target);
    check_same_dtype("binary_cross_entropy_with_logits", logits, pos_weight);
    const Tensor pw = pos_weight.detach();
    return reduce((1.0 - t) * logits + (1.0 + (pw - 1.0) * t) * softplus(neg(logits)), reduction);
}

Tensor cross_entropy(const Tensor& logits, const Tensor& target, Reduction reduction, const Tensor& class_weight) {
    check_float("cross_entropy", logits);
    check_class_target("cross_entropy", logits, target);
    if (logits.dim() == 2 && target.shape() == logits.shape() && logits.size(1) != 1) {
        // class probabilities (soft labels)
        Tensor per_class = neg(target * log_softmax(logits, 1));
        if (class_weight.defined()) per_class = per_class * class_weight.detach();
        return reduce(sum(per_class, {1}), reduction);
    }
    return picked_nll("cross_entropy", log_softmax(logits, 1), target, reduction, class_weight);
}

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction reduction, const Tensor& class_weight) {
    check_float("nll_loss", log_probs);
    check_class_target("nll_loss", log_probs, target);
    return picked_nll("nll_loss", log_probs, target, reduction, class_weight);
}

Tensor hinge_loss(const Tensor& scores, const Tensor& target, Reduction reduction, double margin) {
    const Tensor t = aligned_target("hinge_loss", scores, target);
    check_labels("hinge_loss", t, -1, 1, " (map 0/1 labels with 2t - 1)");
    return reduce(relu(margin - t * scores), reduction);
}

Tensor perceptron_criterion(const Tensor& scores, const Tensor& target, Reduction reduction, bool bipolar) {
    const Tensor d = aligned_target("perceptron_criterion", scores, target);
    if (bipolar) check_labels("perceptron_criterion", d, -1, 1, " (bipolar)");
    else check_labels("perceptron_criterion", d, 0, 1, " (use bipolar = true for -1/+1 labels)");
    // y is the perceptron's output, a constant: the gradient reaches w only through z.
    Tensor y;
    {
        NoGradGuard no_grad;
        y = step(scores);
        if (bipolar) y = y * 2.0 - 1.0;
    }
    return reduce((y - d) * scores, reduction);
}

}  // namespace tg::nn
