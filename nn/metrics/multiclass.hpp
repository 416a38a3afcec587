#pragma once
/// @ingroup nn
/// Multi-class precision, recall, F1 (per class and averaged) and one-vs-rest ROC-AUC.
///
/// Predictions: outputs [N, C] (C > 1; logits or probabilities, the predicted class
/// is the argmax), or [N] / [N, 1] class indices 0..C−1. Targets: [N] or [N, 1]
/// class indices. num_classes 0 infers C from the outputs' width, else from the
/// largest label seen. Every class 0..C−1 counts in the averages, even one with no
/// row (as scikit-learn with labels=range(C)).
///
/// Zero division: a class never predicted has precision 0, a class with no true
/// row has recall 0, and F1 is 0 when precision and recall both are (scikit-learn's
/// zero_division=0, without its warning). So a class the model ignores pulls the
/// macro average down instead of vanishing from it.
#include <cstddef>
#include <vector>

#include "../../graph/tensor.hpp"
#include "metrics.hpp"

namespace tg::nn {

/// How per-class scores become one number (scikit-learn's `average=`).
enum class Average {
    macro,     ///< unweighted mean over the classes
    micro,     ///< from the counts summed over classes: for single-label data, the accuracy
    weighted,  ///< mean weighted by each class's number of true rows (its support)
};

/// Confusion matrix of multi-class predictions (see above for the outputs' forms).
ConfusionMatrix multiclass_confusion(const Tensor& outputs, const Tensor& targets, std::size_t num_classes = 0);

/// Per class c: tp_c / (tp_c + fp_c)  (scikit-learn's average=None).
std::vector<double> precision_per_class(const ConfusionMatrix& m);
/// Per class c: tp_c / (tp_c + fn_c).
std::vector<double> recall_per_class(const ConfusionMatrix& m);
/// Per class c: 2 tp_c / (2 tp_c + fp_c + fn_c), the harmonic mean of the two above.
std::vector<double> f1_per_class(const ConfusionMatrix& m);

/// Averaged scores. Macro and weighted F1 average the per-class F1s (not the
/// harmonic mean of averaged precision and recall), as scikit-learn.
double precision(const ConfusionMatrix& m, Average average);
double recall(const ConfusionMatrix& m, Average average);
double f1_score(const ConfusionMatrix& m, Average average);

/// The same from outputs and targets. Throws std::invalid_argument for no rows.
double precision(const Tensor& outputs, const Tensor& targets, Average average, std::size_t num_classes = 0);
double recall(const Tensor& outputs, const Tensor& targets, Average average, std::size_t num_classes = 0);
double f1_score(const Tensor& outputs, const Tensor& targets, Average average, std::size_t num_classes = 0);

/// One-vs-rest ROC-AUC of scores [N, C] against labels [N] in 0..C−1: the binary
/// roc_auc of column c against (label == c), per class.
/// A column is ranked as given: to match scikit-learn (which wants probabilities),
/// pass softmax(logits, 1), since the softmax reorders the rows within a column.
/// Throws std::invalid_argument when a class has no positive or no negative row.
std::vector<double> roc_auc_per_class(const Tensor& scores, const Tensor& labels);
/// Macro (mean of the per-class AUCs) or weighted by support; micro is not defined here
/// (throws std::invalid_argument), as in scikit-learn's multi_class="ovr".
double roc_auc(const Tensor& scores, const Tensor& labels, Average average);

}  // namespace tg::nn
