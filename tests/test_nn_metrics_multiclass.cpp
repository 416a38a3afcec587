// Multi-class precision, recall, F1 (per class, macro, micro, weighted) and
// one-vs-rest ROC-AUC, on small examples worked by hand in the comments.
#include "helpers.hpp"

using namespace tg;
using namespace tg::nn;

namespace {

Tensor column(const std::vector<double>& v) { return from_vector(v, {v.size()}, TensorOptions{DType::f64}); }

void check_all(const std::vector<double>& got, const std::vector<double>& want) {
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-15));
}

}  // namespace

TEST_CASE("metrics: multi-class precision, recall and F1, per class and averaged, worked by hand") {
    // truth 0 0 0 1 1 2 2 2, predicted 0 0 1 1 1 2 2 0
    //          pred 0  1  2
    //   true 0      2  1  0     support 3
    //   true 1      0  2  0     support 2
    //   true 2      1  0  2     support 3
    // tp = (2, 2, 2); fp (column minus diagonal) = (1, 1, 0); fn (row minus diagonal) = (1, 0, 1)
    const Tensor truth = column({0, 0, 0, 1, 1, 2, 2, 2});
    const Tensor pred = column({0, 0, 1, 1, 1, 2, 2, 0});
    // the same predictions as logits [8, 3]: the argmax of each row is pred
    const Tensor logits = from_vector(std::vector<double>{2, 0, 1, 3, -1, 0, 0, 5, 1, -2, 0, -3, 0, 1, 0.5,
                                                          0, 0, 9, 1, 2, 4, 0.3, 0.2, 0.1},
                                      {8, 3}, TensorOptions{DType::f64});
    for (const Tensor& outputs : {pred, logits}) {
        const ConfusionMatrix m = multiclass_confusion(outputs, truth);
        REQUIRE(m.classes == 3);
        CHECK(m.counts == std::vector<std::size_t>{2, 1, 0, 0, 2, 0, 1, 0, 2});
        // precision tp/(tp+fp) = 2/3, 2/3, 2/2;  recall tp/(tp+fn) = 2/3, 2/2, 2/3
        check_all(precision_per_class(m), {2.0 / 3, 2.0 / 3, 1});
        check_all(recall_per_class(m), {2.0 / 3, 1, 2.0 / 3});
        // F1 2tp/(2tp+fp+fn) = 4/6, 4/5, 4/5
        check_all(f1_per_class(m), {2.0 / 3, 0.8, 0.8});
        // macro: the plain means. P = (2/3 + 2/3 + 1)/3 = 7/9, R = 7/9, F1 = (2/3 + 4/5 + 4/5)/3 = 34/45
        CHECK(precision(outputs, truth, Average::macro) == doctest::Approx(7.0 / 9).epsilon(1e-15));
        CHECK(recall(outputs, truth, Average::macro) == doctest::Approx(7.0 / 9).epsilon(1e-15));
        CHECK(f1_score(outputs, truth, Average::macro) == doctest::Approx(34.0 / 45).epsilon(1e-15));
        // weighted by support 3, 2, 3: P = (3·2/3 + 2·2/3 + 3·1)/8 = 19/24,
        // R = (2 + 2 + 2)/8 = 3/4 (always the accuracy), F1 = (3·2/3 + 2·4/5 + 3·4/5)/8 = 3/4
        CHECK(precision(outputs, truth, Average::weighted) == doctest::Approx(19.0 / 24).epsilon(1e-15));
        CHECK(recall(outputs, truth, Average::weighted) == doctest::Approx(0.75).epsilon(1e-15));
        CHECK(f1_score(outputs, truth, Average::weighted) == doctest::Approx(0.75).epsilon(1e-15));
        // micro: Σtp = 6 over 8 rows for all three (single-label data), the accuracy
        for (double v : {precision(outputs, truth, Average::micro), recall(outputs, truth, Average::micro),
                         f1_score(outputs, truth, Average::micro)})
            CHECK(v == doctest::Approx(0.75).epsilon(1e-15));
        CHECK(accuracy(logits, truth) == 0.75);
    }
}

TEST_CASE("metrics: multi-class zero division gives 0 and the class still counts in the macro mean") {
    // num_classes = 3 but class 2 appears nowhere; truth 0 0 1 1, predicted 0 1 1 1:
    // P = (1/1, 2/3, 0), R = (1/2, 2/2, 0), F1 = (2/3, 4/5, 0)
    const Tensor truth = column({0, 0, 1, 1}), pred = column({0, 1, 1, 1});
    const ConfusionMatrix m = multiclass_confusion(pred, truth, 3);
    check_all(precision_per_class(m), {1, 2.0 / 3, 0});
    check_all(recall_per_class(m), {0.5, 1, 0});
    check_all(f1_per_class(m), {2.0 / 3, 0.8, 0});
    CHECK(precision(pred, truth, Average::macro, 3) == doctest::Approx(5.0 / 9).epsilon(1e-15));  // (1 + 2/3)/3
    // weighted: class 2 has support 0, so it adds nothing: (2·1 + 2·2/3)/4 = 5/6
    CHECK(precision(pred, truth, Average::weighted, 3) == doctest::Approx(5.0 / 6).epsilon(1e-15));
    // a class with true rows that is never predicted: truth 0 1 2, predicted 0 1 1:
    // P_2 = 0 (nothing predicted 2), R_2 = 0/1, P_1 = 1/2
    const ConfusionMatrix m2 = multiclass_confusion(column({0, 1, 1}), column({0, 1, 2}));
    check_all(precision_per_class(m2), {1, 0.5, 0});
    check_all(recall_per_class(m2), {1, 1, 0});
    // no rows, bad shapes, labels that are not classes
    CHECK_THROWS_AS(precision(column({}), column({}), Average::macro, 3), std::invalid_argument);
    CHECK_THROWS_AS(recall(column({0, 1}), column({0}), Average::macro), ShapeError);
    CHECK_THROWS_AS(f1_score(column({0, 1.5}), column({0, 1}), Average::macro), std::invalid_argument);
    CHECK_THROWS_AS(precision(zeros({2, 2, 2}), column({0, 1}), Average::macro), ShapeError);
}

TEST_CASE("metrics: one-vs-rest ROC-AUC, macro and weighted, worked by hand") {
    //          class 0  1    2      label
    //   row 0:    0.7  0.2  0.1     0
    //   row 1:    0.3  0.4  0.3     1
    //   row 2:    0.2  0.3  0.5     2
    //   row 3:    0.3  0.5  0.2     2
    // class 0: the positive 0.7 beats the three negatives 0.3, 0.2, 0.3: AUC 1
    // class 1: the positive 0.4 beats 0.2 and 0.3 but not 0.5: 2/3
    // class 2: positives 0.5, 0.2 against negatives 0.1, 0.3: 0.5 beats both, 0.2
    //          beats 0.1 only: 3 of 4 pairs, 3/4
    const Tensor scores =
        from_vector(std::vector<double>{0.7, 0.2, 0.1, 0.3, 0.4, 0.3, 0.2, 0.3, 0.5, 0.3, 0.5, 0.2}, {4, 3}, TensorOptions{DType::f64});
    const Tensor labels = column({0, 1, 2, 2});
    check_all(roc_auc_per_class(scores, labels), {1, 2.0 / 3, 0.75});
    // macro (1 + 2/3 + 3/4)/3 = 29/36; weighted by support 1, 1, 2: (1 + 2/3 + 2·3/4)/4 = 19/24
    CHECK(roc_auc(scores, labels, Average::macro) == doctest::Approx(29.0 / 36).epsilon(1e-15));
    CHECK(roc_auc(scores, labels, Average::weighted) == doctest::Approx(19.0 / 24).epsilon(1e-15));
    CHECK_THROWS_AS(roc_auc(scores, labels, Average::micro), std::invalid_argument);
    // a class with no positive row: the error names it
    CHECK_THROWS_WITH_AS(roc_auc(scores, column({0, 1, 1, 1}), Average::macro),
                         doctest::Contains("class 2 (one vs rest)"), std::invalid_argument);
    CHECK_THROWS_AS(roc_auc(scores, column({0, 1, 3, 1}), Average::macro), std::invalid_argument);
    CHECK_THROWS_AS(roc_auc(column({0.1, 0.2}), column({0, 1}), Average::macro), ShapeError);
}
