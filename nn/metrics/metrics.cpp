#include "metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

#include "../named_kinds.hpp"

namespace tg::nn {

namespace {

std::vector<double> flat_labels(const Tensor& targets, const char* op) {
    check_defined(op, targets);
    if (targets.dim() > 2 || (targets.dim() == 2 && targets.size(1) != 1))
        throw ShapeError(fmt::format("{}: targets must be [N] or [N, 1] class labels, got {}", op,
                                     shape_str(targets.shape())));
    return targets.to_vector();
}

/// Scores of a binary task: [N] or [N, 1].
std::vector<double> flat_scores(const Tensor& scores, const char* op) {
    check_defined(op, scores);
    if (scores.dim() > 2 || (scores.dim() == 2 && scores.size(1) != 1))
        throw ShapeError(fmt::format("{}: scores must be [N] or [N, 1], one per row, got {}", op,
                                     shape_str(scores.shape())));
    return scores.to_vector();
}

void check_sizes(const char* op, std::size_t a, std::size_t b) {
    if (a != b) throw ShapeError(fmt::format("{}: {} predictions for {} targets", op, a, b));
}

/// A rate over no rows is undefined: say so rather than return 0.
void check_not_empty(const char* op, std::size_t n) {
    if (n == 0) throw std::invalid_argument(fmt::format("{}: no rows (the metric of nothing is undefined)", op));
}

ConfusionMatrix binary_counts(const Tensor& outputs, const Tensor& targets, double threshold, const char* op) {
    const std::vector<double> truth = flat_labels(targets, op);
    const std::vector<double> pred = predicted_classes(outputs, threshold);
    check_sizes(op, pred.size(), truth.size());
    check_not_empty(op, truth.size());
    for (double t : truth)
        if (t != 0 && t != 1)
            throw std::invalid_argument(fmt::format("{}: binary metrics need labels 0 and 1, found {}", op, t));
    return confusion_matrix(pred, truth, 2);
}

double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

/// Indices sorted by decreasing score, with the binary labels validated.
std::vector<std::size_t> ranked(const std::vector<double>& scores, const std::vector<double>& labels, const char* op) {
    check_sizes(op, scores.size(), labels.size());
    for (double l : labels)
        if (l != 0 && l != 1) throw std::invalid_argument(fmt::format("{}: labels must be 0 or 1, found {}", op, l));
    for (double s : scores)
        if (std::isnan(s)) throw std::invalid_argument(fmt::format("{}: a score is NaN", op));
    std::vector<std::size_t> idx(scores.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    return idx;
}

}  // namespace

std::vector<double> predicted_classes(const Tensor& outputs, double threshold) {
    check_defined("predicted_classes", outputs);
    const std::vector<double> v = outputs.to_vector();
    if (outputs.dim() == 2 && outputs.size(1) > 1) {
        const std::size_t n = outputs.size(0), c = outputs.size(1);
        std::vector<double> out(n);
        for (std::size_t i = 0; i < n; ++i) {
            const auto first = v.begin() + static_cast<std::ptrdiff_t>(i * c);
            out[i] = static_cast<double>(std::max_element(first, first + static_cast<std::ptrdiff_t>(c)) - first);
        }
        return out;
    }
    if (outputs.dim() > 2 || (outputs.dim() == 2 && outputs.size(1) != 1))
        throw ShapeError(fmt::format("predicted_classes: outputs must be [N], [N, 1] or [N, C], got {}",
                                     shape_str(outputs.shape())));
    std::vector<double> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = v[i] > threshold ? 1.0 : 0.0;
    return out;
}

double accuracy(const Tensor& outputs, const Tensor& targets, double threshold) {
    const std::vector<double> pred = predicted_classes(outputs, threshold);
    const std::vector<double> truth = flat_labels(targets, "accuracy");
    check_sizes("accuracy", pred.size(), truth.size());
    check_not_empty("accuracy", pred.size());
    std::size_t right = 0;
    for (std::size_t i = 0; i < pred.size(); ++i) right += pred[i] == truth[i];
    return static_cast<double>(right) / static_cast<double>(pred.size());
}

std::size_t ConfusionMatrix::total() const { return std::accumulate(counts.begin(), counts.end(), std::size_t{0}); }

std::string ConfusionMatrix::to_string(const std::vector<std::string>& names) const {
    auto label = [&](std::size_t i) { return i < names.size() ? names[i] : std::to_string(i); };
    std::size_t w = 6;
    for (std::size_t i = 0; i < classes; ++i) w = std::max(w, label(i).size());
    for (std::size_t c : counts) w = std::max(w, std::to_string(c).size());
    std::string out = fmt::format("{:>{}}", "true\\pred", w + 4);
    for (std::size_t p = 0; p < classes; ++p) out += fmt::format(" {:>{}}", label(p), w);
    out += "\n";
    for (std::size_t t = 0; t < classes; ++t) {
        out += fmt::format("{:>{}}", label(t), w + 4);
        for (std::size_t p = 0; p < classes; ++p) out += fmt::format(" {:>{}}", at(t, p), w);
        out += "\n";
    }
    return out;
}

ConfusionMatrix confusion_matrix(const std::vector<double>& predicted, const std::vector<double>& truth,
                                 std::size_t num_classes) {
    check_sizes("confusion_matrix", predicted.size(), truth.size());
    std::size_t k = num_classes;
    auto check = [](double v) {
        if (!(v >= 0) || v != std::floor(v) || v > 1e9)
            throw std::invalid_argument(fmt::format("confusion_matrix: {} is not a class label", v));
    };
    for (double v : predicted) check(v), k = std::max(k, num_classes ? 0 : static_cast<std::size_t>(v) + 1);
    for (double v : truth) check(v), k = std::max(k, num_classes ? 0 : static_cast<std::size_t>(v) + 1);
    k = std::max<std::size_t>(k, 2);
    ConfusionMatrix m;
    m.classes = k;
    m.counts.assign(k * k, 0);
    for (std::size_t i = 0; i < truth.size(); ++i) {
        const auto t = static_cast<std::size_t>(truth[i]), p = static_cast<std::size_t>(predicted[i]);
        if (t >= k || p >= k)
            throw std::invalid_argument(
                fmt::format("confusion_matrix: label {} is not below num_classes = {}", std::max(t, p), k));
        ++m.counts[t * k + p];
    }
    return m;
}

ConfusionMatrix confusion_matrix(const Tensor& outputs, const Tensor& targets, double threshold,
                                 std::size_t num_classes) {
    if (num_classes == 0 && outputs.dim() == 2 && outputs.size(1) > 1) num_classes = outputs.size(1);
    return confusion_matrix(predicted_classes(outputs, threshold), flat_labels(targets, "confusion_matrix"),
                            num_classes);
}

double precision(const Tensor& outputs, const Tensor& targets, double threshold) {
    const ConfusionMatrix m = binary_counts(outputs, targets, threshold, "precision");
    return ratio(static_cast<double>(m.tp()), static_cast<double>(m.tp() + m.fp()));
}

double recall(const Tensor& outputs, const Tensor& targets, double threshold) {
    const ConfusionMatrix m = binary_counts(outputs, targets, threshold, "recall");
    return ratio(static_cast<double>(m.tp()), static_cast<double>(m.tp() + m.fn()));
}

double f1_score(const Tensor& outputs, const Tensor& targets, double threshold) {
    const ConfusionMatrix m = binary_counts(outputs, targets, threshold, "f1_score");
    return ratio(2.0 * static_cast<double>(m.tp()), static_cast<double>(2 * m.tp() + m.fp() + m.fn()));
}

double roc_auc(const std::vector<double>& scores, const std::vector<double>& labels) {
    const std::vector<std::size_t> idx = ranked(scores, labels, "roc_auc");
    // Mann-Whitney: for each positive, the negatives ranked below it, ties counting one half.
    double pos = 0, neg = 0, area = 0;
    std::size_t i = 0;
    while (i < idx.size()) {
        std::size_t j = i;
        double p = 0, q = 0;
        while (j < idx.size() && scores[idx[j]] == scores[idx[i]]) {
            (labels[idx[j]] == 1 ? p : q) += 1;
            ++j;
        }
        // every positive above this tie group beats each of its negatives; ties within it count one half
        area += q * pos + 0.5 * p * q;
        pos += p;
        neg += q;
        i = j;
    }
    if (pos == 0 || neg == 0)
        throw std::invalid_argument(
            fmt::format("roc_auc: needs both classes; got {} positives and {} negatives", pos, neg));
    return area / (pos * neg);
}

double roc_auc(const Tensor& scores, const Tensor& labels) {
    return roc_auc(flat_scores(scores, "roc_auc"), flat_labels(labels, "roc_auc"));
}

std::vector<CurvePoint> roc_curve(const std::vector<double>& scores, const std::vector<double>& labels) {
    const std::vector<std::size_t> idx = ranked(scores, labels, "roc_curve");
    double total_pos = 0;
    for (double l : labels) total_pos += l;
    const double total_neg = static_cast<double>(labels.size()) - total_pos;
    std::vector<CurvePoint> out{{HUGE_VAL, 0, 0}};
    double tp = 0, fp = 0;
    for (std::size_t i = 0; i < idx.size();) {
        const double s = scores[idx[i]];
        for (; i < idx.size() && scores[idx[i]] == s; ++i) (labels[idx[i]] == 1 ? tp : fp) += 1;
        out.push_back({s, ratio(fp, total_neg), ratio(tp, total_pos)});
    }
    return out;
}

std::vector<CurvePoint> precision_recall_curve(const std::vector<double>& scores, const std::vector<double>& labels) {
    const std::vector<std::size_t> idx = ranked(scores, labels, "precision_recall_curve");
    double total_pos = 0;
    for (double l : labels) total_pos += l;
    std::vector<CurvePoint> out;
    double tp = 0, fp = 0;
    for (std::size_t i = 0; i < idx.size();) {
        const double s = scores[idx[i]];
        for (; i < idx.size() && scores[idx[i]] == s; ++i) (labels[idx[i]] == 1 ? tp : fp) += 1;
        out.push_back({s, ratio(tp, total_pos), ratio(tp, tp + fp)});
    }
    return out;
}

double average_precision(const std::vector<double>& scores, const std::vector<double>& labels) {
    const std::vector<CurvePoint> pr = precision_recall_curve(scores, labels);
    double total_pos = 0;
    for (double l : labels) total_pos += l;
    if (total_pos == 0) throw std::invalid_argument("average_precision: needs at least one positive label");
    double ap = 0, last_recall = 0;
    for (const CurvePoint& p : pr) {
        ap += (p.x - last_recall) * p.y;
        last_recall = p.x;
    }
    return ap;
}

double average_precision(const Tensor& scores, const Tensor& labels) {
    return average_precision(flat_scores(scores, "average_precision"), flat_labels(labels, "average_precision"));
}

namespace {

/// Every name of a built-in metric, with its kind (Note [kinds and names]).
constexpr detail::NamedKind<MetricKind> metric_table[] = {
    {"accuracy", MetricKind::accuracy}, {"acc", MetricKind::accuracy}, {"precision", MetricKind::precision},
    {"recall", MetricKind::recall},     {"f1", MetricKind::f1},        {"roc_auc", MetricKind::roc_auc},
    {"auc", MetricKind::roc_auc},       {"pr_auc", MetricKind::pr_auc}, {"average_precision", MetricKind::pr_auc},
    {"mse", MetricKind::mse},           {"mae", MetricKind::mae},
};

MetricKind metric_kind(std::string_view name) {
    if (const auto kind = detail::kind_named(metric_table, name)) return *kind;
    std::vector<std::string> known;  // each kind's own name, without the aliases
    for (const auto& entry : metric_table)
        if (detail::name_of(metric_table, entry.kind) == entry.name) known.emplace_back(entry.name);
    throw std::invalid_argument(fmt::format("Metric: unknown metric '{}'; known: {}", name, fmt::join(known, ", ")));
}

}  // namespace

Metric::Metric(std::string metric_name, double threshold) : Metric(metric_kind(metric_name), threshold) {
    name = std::move(metric_name);
}

Metric::Metric(MetricKind kind, double threshold) : name(detail::name_of(metric_table, kind)) {
    const double t = threshold;
    switch (kind) {
        case MetricKind::accuracy: fn = [t](const Tensor& o, const Tensor& y) { return accuracy(o, y, t); }; break;
        case MetricKind::precision: fn = [t](const Tensor& o, const Tensor& y) { return precision(o, y, t); }; break;
        case MetricKind::recall: fn = [t](const Tensor& o, const Tensor& y) { return recall(o, y, t); }; break;
        case MetricKind::f1: fn = [t](const Tensor& o, const Tensor& y) { return f1_score(o, y, t); }; break;
        case MetricKind::roc_auc: fn = [](const Tensor& o, const Tensor& y) { return roc_auc(o, y); }; break;
        case MetricKind::pr_auc: fn = [](const Tensor& o, const Tensor& y) { return average_precision(o, y); }; break;
        case MetricKind::mse:
        case MetricKind::mae: {
            const bool sq = kind == MetricKind::mse;
            higher_is_better = false;
            fn = [sq](const Tensor& o, const Tensor& y) {
                const std::vector<double> a = o.to_vector(), b = y.to_vector();
                check_sizes(sq ? "mse" : "mae", a.size(), b.size());
                check_not_empty(sq ? "mse" : "mae", a.size());
                double s = 0;
                for (std::size_t i = 0; i < a.size(); ++i) s += sq ? (a[i] - b[i]) * (a[i] - b[i]) : std::abs(a[i] - b[i]);
                return s / static_cast<double>(a.size());
            };
            break;
        }
    }
}

}  // namespace tg::nn
