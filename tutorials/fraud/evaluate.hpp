#pragma once
// Evaluating fraud models on labelled data with tapegrad's metrics: precision,
// recall, F1 and the confusion matrix at a threshold, ROC-AUC and PR-AUC, the
// threshold that reaches a target precision or recall, recall per fraud pattern,
// and the comparison table of several models on the same rows.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include <tapegrad/nn/metrics/metrics.hpp>

#include "dataset.hpp"
#include "model_file.hpp"

namespace fraud {

/// A threshold picked for a target, with what it gives on the data.
struct OperatingPoint {
    double threshold = 0;
    double precision = 0;
    double recall = 0;
    bool reached = false;  ///< false when no threshold reaches the target
};

struct Evaluation {
    std::string name;              ///< model label in tables
    double threshold = 0.5;
    double pr_auc = 0, roc_auc = 0;
    double precision = 0, recall = 0, f1 = 0;
    tg::nn::ConfusionMatrix confusion;
    std::array<std::uint64_t, n_patterns> pattern_rows{}, pattern_flagged{};
    std::optional<OperatingPoint> for_precision, for_recall;
    std::vector<double> scores;    ///< the model's fraud probability per row
};

/// Score data with model and compute the metrics. threshold overrides the model's;
/// target_precision / target_recall also pick operating points.
Evaluation evaluate_model(const FraudModel& model, const LabelledData& data, std::optional<double> threshold = {},
                          std::optional<double> target_precision = {}, std::optional<double> target_recall = {});

/// The lowest threshold whose precision is >= target (the most recall at that precision).
OperatingPoint threshold_for_precision(const std::vector<double>& scores, const std::vector<double>& labels, double target);
/// The highest threshold whose recall is >= target (the most precision at that recall).
OperatingPoint threshold_for_recall(const std::vector<double>& scores, const std::vector<double>& labels, double target);

/// A readable report of one evaluation (metrics, confusion matrix, per-pattern recall).
std::string format_evaluation(const Evaluation& e);
/// Models side by side: PR-AUC, ROC-AUC, precision, recall, F1 at each model's threshold.
std::string comparison_table(const std::vector<Evaluation>& evals);

}  // namespace fraud
