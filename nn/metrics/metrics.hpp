#pragma once
/// @ingroup nn
/// Classification metrics, on model outputs and targets (tensors or vectors).
///
/// Binary tasks: outputs are one score per row ([N] or [N, 1]); the predicted
/// class is 1 where score > threshold (0.5 for probabilities, 0 for logits).
/// Multi-class: outputs [N, C] (C > 1), the predicted class is the argmax.
/// Targets hold class labels 0, 1, ... ([N] or [N, 1]). The positive class is 1.
/// Metrics of no rows (N = 0) throw std::invalid_argument; a confusion matrix of
/// no rows is all zeros.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "../../graph/tensor.hpp"

namespace tg::nn {

/// Predicted class per row (see above).
std::vector<double> predicted_classes(const Tensor& outputs, double threshold = 0.5);

/// Fraction of rows whose predicted class equals the target.
double accuracy(const Tensor& outputs, const Tensor& targets, double threshold = 0.5);

/// counts[t][p]: rows of true class t predicted as p (scikit-learn's layout: rows
/// are true classes, columns predictions).
struct ConfusionMatrix {
    std::size_t classes = 0;
    std::vector<std::size_t> counts;  ///< row-major classes x classes
    std::size_t at(std::size_t truth, std::size_t predicted) const { return counts[truth * classes + predicted]; }
    std::size_t total() const;
    // binary shortcuts (positive class 1)
    std::size_t tp() const { return at(1, 1); }
    std::size_t fp() const { return at(0, 1); }
    std::size_t fn() const { return at(1, 0); }
    std::size_t tn() const { return at(0, 0); }
    /// Aligned table with "true \ predicted" headings; names label the classes if given.
    std::string to_string(const std::vector<std::string>& names = {}) const;
};
/// num_classes 0: inferred from the outputs' width or the largest label seen.
ConfusionMatrix confusion_matrix(const Tensor& outputs, const Tensor& targets, double threshold = 0.5,
                                 std::size_t num_classes = 0);
ConfusionMatrix confusion_matrix(const std::vector<double>& predicted, const std::vector<double>& truth,
                                 std::size_t num_classes = 0);

/// Binary precision tp / (tp + fp); 0 when nothing is predicted positive (scikit-learn's zero_division=0).
double precision(const Tensor& outputs, const Tensor& targets, double threshold = 0.5);
/// Binary recall tp / (tp + fn); 0 when there is no positive.
double recall(const Tensor& outputs, const Tensor& targets, double threshold = 0.5);
/// Harmonic mean of precision and recall, 2tp / (2tp + fp + fn); 0 when both are 0.
double f1_score(const Tensor& outputs, const Tensor& targets, double threshold = 0.5);

/// Area under the ROC curve of scores against binary labels (probabilities or
/// logits, any monotone score): the probability that a random positive scores
/// above a random negative, ties counting one half. Throws std::invalid_argument
/// unless both classes are present.
double roc_auc(const Tensor& scores, const Tensor& labels);
double roc_auc(const std::vector<double>& scores, const std::vector<double>& labels);
/// Area under the precision-recall curve as average precision (scikit-learn's
/// average_precision_score): Σ_k (R_k − R_{k−1})·P_k over distinct thresholds, from
/// the highest score down. The baseline is the positive rate, so it shows what
/// ROC-AUC hides on imbalanced data (fraud). Throws unless a positive is present.
double average_precision(const Tensor& scores, const Tensor& labels);
double average_precision(const std::vector<double>& scores, const std::vector<double>& labels);
inline double pr_auc(const Tensor& scores, const Tensor& labels) { return average_precision(scores, labels); }

struct CurvePoint {
    double threshold;  ///< predict positive when score >= threshold
    double x;          ///< ROC: false positive rate; PR: recall
    double y;          ///< ROC: true positive rate; PR: precision
};
/// ROC points from the highest threshold down (starting at (0, 0) with threshold +inf).
std::vector<CurvePoint> roc_curve(const std::vector<double>& scores, const std::vector<double>& labels);
/// Precision-recall points, one per distinct score, from the highest threshold down.
std::vector<CurvePoint> precision_recall_curve(const std::vector<double>& scores, const std::vector<double>& labels);

/// The built-in metrics, for code: a typo fails to compile.
enum class MetricKind { accuracy, precision, recall, f1, roc_auc, pr_auc, mse, mae };

/// A metric for fit() and evaluate(): a name and a function of (outputs, targets)
/// over a whole epoch. Built-ins by kind, Metric(MetricKind::accuracy, 0.0), or by
/// name for configs: "accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc",
/// "mse", "mae"; the threshold applies to the first four (give 0 when the model
/// outputs logits):  Metric("accuracy", 0.0).
struct Metric {
    std::string name;
    std::function<double(const Tensor& outputs, const Tensor& targets)> fn;

    /// A built-in, named as in the list above.
    Metric(MetricKind kind, double threshold = 0.5);
    /// A built-in by name (keeps the name given, e.g. "auc"); throws std::invalid_argument
    /// for an unknown name.
    Metric(std::string name, double threshold = 0.5);
    Metric(const char* name) : Metric(std::string(name)) {}
    /// A metric of your own; say whether larger values are better (callbacks such as
    /// EarlyStopping read it).
    Metric(std::string name, std::function<double(const Tensor&, const Tensor&)> fn, bool higher_is_better = true)
        : name(std::move(name)), fn(std::move(fn)), higher_is_better(higher_is_better) {}
    /// Are larger values better (all built-ins but mse and mae)?
    bool higher_is_better = true;
};

}  // namespace tg::nn
