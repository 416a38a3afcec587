#include "multiclass.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace tg::nn {

namespace {

std::vector<double> labels_of(const Tensor& t, const char* op, const char* what) {
    check_defined(op, t);
    if (t.dim() > 2 || (t.dim() == 2 && t.size(1) != 1))
        throw ShapeError(fmt::format("{}: {} must be [N] or [N, 1] class indices, got {}", op, what, shape_str(t.shape())));
    return t.to_vector();
}

/// Predicted classes: the argmax of [N, C], or the indices of [N] / [N, 1].
std::vector<double> predictions(const Tensor& outputs, const char* op) {
    check_defined(op, outputs);
    if (outputs.dim() == 2 && outputs.size(1) > 1) return predicted_classes(outputs);
    return labels_of(outputs, op, "outputs (unless [N, C] scores)");
}

struct Counts {
    std::vector<double> tp, fp, fn, support;
};

Counts counts_of(const ConfusionMatrix& m) {
    const std::size_t k = m.classes;
    Counts c{std::vector<double>(k), std::vector<double>(k), std::vector<double>(k), std::vector<double>(k)};
    for (std::size_t t = 0; t < k; ++t)
        for (std::size_t p = 0; p < k; ++p) {
            const auto n = static_cast<double>(m.at(t, p));
            if (t == p) c.tp[t] += n;
            else c.fp[p] += n, c.fn[t] += n;
            c.support[t] += n;
        }
    return c;
}

double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }  // the zero-division rule: 0

double sum(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s;
}

/// Macro or weighted mean of per-class scores (micro is computed by the caller).
double mean_of(const std::vector<double>& per_class, const std::vector<double>& support, Average average,
               const char* op) {
    if (per_class.empty()) throw std::invalid_argument(fmt::format("{}: no classes", op));
    if (average == Average::macro) return sum(per_class) / static_cast<double>(per_class.size());
    const double total = sum(support);
    if (total == 0) throw std::invalid_argument(fmt::format("{}: no rows (the metric of nothing is undefined)", op));
    double s = 0;
    for (std::size_t c = 0; c < per_class.size(); ++c) s += per_class[c] * support[c];
    return s / total;
}

void check_rows(const ConfusionMatrix& m, const char* op) {
    if (m.total() == 0) throw std::invalid_argument(fmt::format("{}: no rows (the metric of nothing is undefined)", op));
}

}  // namespace

ConfusionMatrix multiclass_confusion(const Tensor& outputs, const Tensor& targets, std::size_t num_classes) {
    if (num_classes == 0 && outputs.defined() && outputs.dim() == 2 && outputs.size(1) > 1)
        num_classes = outputs.size(1);
    return confusion_matrix(predictions(outputs, "multiclass_confusion"),
                            labels_of(targets, "multiclass_confusion", "targets"), num_classes);
}

std::vector<double> precision_per_class(const ConfusionMatrix& m) {
    const Counts c = counts_of(m);
    std::vector<double> out(m.classes);
    for (std::size_t k = 0; k < m.classes; ++k) out[k] = ratio(c.tp[k], c.tp[k] + c.fp[k]);
    return out;
}

std::vector<double> recall_per_class(const ConfusionMatrix& m) {
    const Counts c = counts_of(m);
    std::vector<double> out(m.classes);
    for (std::size_t k = 0; k < m.classes; ++k) out[k] = ratio(c.tp[k], c.tp[k] + c.fn[k]);
    return out;
}

std::vector<double> f1_per_class(const ConfusionMatrix& m) {
    const Counts c = counts_of(m);
    std::vector<double> out(m.classes);
    for (std::size_t k = 0; k < m.classes; ++k) out[k] = ratio(2 * c.tp[k], 2 * c.tp[k] + c.fp[k] + c.fn[k]);
    return out;
}

double precision(const ConfusionMatrix& m, Average average) {
    check_rows(m, "precision");
    const Counts c = counts_of(m);
    if (average == Average::micro) return ratio(sum(c.tp), sum(c.tp) + sum(c.fp));
    return mean_of(precision_per_class(m), c.support, average, "precision");
}

double recall(const ConfusionMatrix& m, Average average) {
    check_rows(m, "recall");
    const Counts c = counts_of(m);
    if (average == Average::micro) return ratio(sum(c.tp), sum(c.tp) + sum(c.fn));
    return mean_of(recall_per_class(m), c.support, average, "recall");
}

double f1_score(const ConfusionMatrix& m, Average average) {
    check_rows(m, "f1_score");
    const Counts c = counts_of(m);
    if (average == Average::micro) return ratio(2 * sum(c.tp), 2 * sum(c.tp) + sum(c.fp) + sum(c.fn));
    return mean_of(f1_per_class(m), c.support, average, "f1_score");
}

double precision(const Tensor& outputs, const Tensor& targets, Average average, std::size_t num_classes) {
    return precision(multiclass_confusion(outputs, targets, num_classes), average);
}

double recall(const Tensor& outputs, const Tensor& targets, Average average, std::size_t num_classes) {
    return recall(multiclass_confusion(outputs, targets, num_classes), average);
}

double f1_score(const Tensor& outputs, const Tensor& targets, Average average, std::size_t num_classes) {
    return f1_score(multiclass_confusion(outputs, targets, num_classes), average);
}

std::vector<double> roc_auc_per_class(const Tensor& scores, const Tensor& labels) {
    check_defined("roc_auc", scores);
    if (scores.dim() != 2 || scores.size(1) < 2)
        throw ShapeError(fmt::format("roc_auc: one-vs-rest needs scores [N, C] with C >= 2, got {}",
                                     shape_str(scores.shape())));
    const std::vector<double> y = labels_of(labels, "roc_auc", "labels");
    const std::size_t n = scores.size(0), k = scores.size(1);
    if (y.size() != n) throw ShapeError(fmt::format("roc_auc: {} score rows for {} labels", n, y.size()));
    for (double v : y)
        if (!(v >= 0 && v < static_cast<double>(k) && v == std::floor(v)))
            throw std::invalid_argument(fmt::format("roc_auc: label {} is not a class of scores [{}, {}]", v, n, k));
    const std::vector<double> s = scores.to_vector();
    std::vector<double> out(k), column(n), is_c(n);
    for (std::size_t c = 0; c < k; ++c) {
        for (std::size_t i = 0; i < n; ++i) column[i] = s[i * k + c], is_c[i] = y[i] == static_cast<double>(c);
        try {
            out[c] = roc_auc(column, is_c);
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(fmt::format("roc_auc: class {} (one vs rest): {}", c, e.what()));
        }
    }
    return out;
}

double roc_auc(const Tensor& scores, const Tensor& labels, Average average) {
    if (average == Average::micro)
        throw std::invalid_argument("roc_auc: one-vs-rest averages are macro or weighted, not micro");
    const std::vector<double> per_class = roc_auc_per_class(scores, labels);
    std::vector<double> support(per_class.size());
    for (double v : labels.to_vector()) support[static_cast<std::size_t>(v)] += 1;
    return mean_of(per_class, support, average, "roc_auc");
}

}  // namespace tg::nn
