#include "evaluate.hpp"

#include <cmath>

#include <fmt/format.h>
#include <tapegrad/tapegrad.hpp>

#include "generator.hpp"

namespace fraud {

OperatingPoint threshold_for_precision(const std::vector<double>& scores, const std::vector<double>& labels,
                                       double target) {
    OperatingPoint best;
    for (const auto& p : tg::nn::precision_recall_curve(scores, labels)) {  // highest threshold first
        if (!std::isfinite(p.threshold)) continue;
        if (p.y >= target && (!best.reached || p.x > best.recall)) best = {p.threshold, p.y, p.x, true};
    }
    return best;
}

OperatingPoint threshold_for_recall(const std::vector<double>& scores, const std::vector<double>& labels,
                                    double target) {
    for (const auto& p : tg::nn::precision_recall_curve(scores, labels))  // recall grows as the threshold falls
        if (std::isfinite(p.threshold) && p.x >= target) return {p.threshold, p.y, p.x, true};
    return {};
}

Evaluation evaluate_model(const FraudModel& model, const LabelledData& data, std::optional<double> threshold,
                          std::optional<double> target_precision, std::optional<double> target_recall) {
    Evaluation e;
    e.name = model.describe();
    e.threshold = threshold.value_or(model.threshold);
    const tg::Tensor x = model.standardizer.transform(data.data.x);
    const std::vector<float> p = model.probabilities(x);
    e.scores.assign(p.begin(), p.end());
    const std::vector<double> labels = data.data.y.to_vector();
    e.pr_auc = tg::nn::average_precision(e.scores, labels);
    e.roc_auc = tg::nn::roc_auc(e.scores, labels);
    // nn's metrics predict positive where score > threshold; alerts fire at score >= threshold.
    std::vector<double> predicted(e.scores.size());
    for (std::size_t i = 0; i < predicted.size(); ++i) predicted[i] = e.scores[i] >= e.threshold ? 1.0 : 0.0;
    e.confusion = tg::nn::confusion_matrix(predicted, labels, 2);
    const double tp = double(e.confusion.tp()), fp = double(e.confusion.fp()), fn = double(e.confusion.fn());
    e.precision = tp + fp > 0 ? tp / (tp + fp) : 0;
    e.recall = tp + fn > 0 ? tp / (tp + fn) : 0;
    e.f1 = 2 * tp + fp + fn > 0 ? 2 * tp / (2 * tp + fp + fn) : 0;
    for (std::size_t i = 0; i < predicted.size(); ++i) {
        const std::size_t k = i < data.pattern.size() ? data.pattern[i] : 0;
        ++e.pattern_rows[k];
        e.pattern_flagged[k] += predicted[i] > 0;
    }
    if (target_precision) e.for_precision = threshold_for_precision(e.scores, labels, *target_precision);
    if (target_recall) e.for_recall = threshold_for_recall(e.scores, labels, *target_recall);
    return e;
}

std::string format_evaluation(const Evaluation& e) {
    std::string s = fmt::format("{}\n", e.name);
    s += fmt::format("  PR-AUC    {:.4f}   (average precision; a random model scores the fraud rate)\n", e.pr_auc);
    s += fmt::format("  ROC-AUC   {:.4f}\n", e.roc_auc);
    s += fmt::format("  at threshold {:.4f}: precision {:.4f}  recall {:.4f}  F1 {:.4f}\n", e.threshold, e.precision,
                     e.recall, e.f1);
    s += "  confusion matrix (rows: truth, columns: prediction)\n";
    s += fmt::format("                 {:>10} {:>10}\n", "legit", "fraud");
    s += fmt::format("    legit        {:>10} {:>10}\n", e.confusion.tn(), e.confusion.fp());
    s += fmt::format("    fraud        {:>10} {:>10}\n", e.confusion.fn(), e.confusion.tp());
    bool any_pattern = false;
    for (std::size_t k = 1; k < n_patterns; ++k) any_pattern |= e.pattern_rows[k] > 0;
    if (any_pattern) {
        s += "  flagged per generator pattern\n";
        for (std::size_t k = 0; k < n_patterns; ++k)
            if (e.pattern_rows[k])
                s += fmt::format("    {:<18} {:>8} of {:>8}  ({:.1f}%)\n", pattern_name(Pattern(k)), e.pattern_flagged[k],
                                 e.pattern_rows[k], 100.0 * double(e.pattern_flagged[k]) / double(e.pattern_rows[k]));
    }
    const auto op = [&](const char* what, const std::optional<OperatingPoint>& p) {
        if (!p) return;
        if (!p->reached) s += fmt::format("  no threshold reaches the target {}\n", what);
        else
            s += fmt::format("  for the target {}: threshold {:.4f} gives precision {:.4f}, recall {:.4f}\n", what,
                             p->threshold, p->precision, p->recall);
    };
    op("precision", e.for_precision);
    op("recall", e.for_recall);
    return s;
}

std::string comparison_table(const std::vector<Evaluation>& evals) {
    std::size_t w = 5;
    for (const auto& e : evals) w = std::max(w, e.name.size());
    std::string s = fmt::format("{:<{}}  {:>7}  {:>7}  {:>9}  {:>9}  {:>6}  {:>6}\n", "model", w, "PR-AUC", "ROC-AUC",
                                "threshold", "precision", "recall", "F1");
    for (const auto& e : evals)
        s += fmt::format("{:<{}}  {:>7.4f}  {:>7.4f}  {:>9.4f}  {:>9.4f}  {:>6.4f}  {:>6.4f}\n", e.name, w, e.pr_auc,
                         e.roc_auc, e.threshold, e.precision, e.recall, e.f1);
    return s;
}

}  // namespace fraud
