// nn: classification metrics on small cases computed by hand (the binary case is
// scikit-learn's documented example for roc_auc_score and average_precision_score).
#include "helpers.hpp"

using namespace tg;
using namespace tg::nn;

TEST_CASE("metrics: accuracy, confusion matrix, precision, recall, F1 on a binary case") {
    const Tensor scores = tensor({0.1, 0.4, 0.35, 0.8}), labels = tensor({0.0, 0.0, 1.0, 1.0});
    // at 0.5: predictions 0 0 0 1 -> tp 1, fp 0, fn 1, tn 2
    CHECK(accuracy(scores, labels) == 0.75);
    const ConfusionMatrix m = confusion_matrix(scores, labels);
    CHECK(m.tp() == 1);
    CHECK(m.fp() == 0);
    CHECK(m.fn() == 1);
    CHECK(m.tn() == 2);
    CHECK(m.total() == 4);
    CHECK(precision(scores, labels) == 1.0);
    CHECK(recall(scores, labels) == 0.5);
    CHECK(f1_score(scores, labels) == doctest::Approx(2.0 / 3.0));
    // at 0.3: predictions 0 1 1 1 -> tp 2, fp 1
    CHECK(precision(scores, labels, 0.3) == doctest::Approx(2.0 / 3.0));
    CHECK(recall(scores, labels, 0.3) == 1.0);
    // nothing predicted positive: precision 0, not NaN
    CHECK(precision(scores, labels, 0.9) == 0.0);
    // [N, 1] outputs work the same
    CHECK(accuracy(reshape(scores, {4, 1}), labels) == 0.75);
    CHECK(m.to_string().find("true\\pred") != std::string::npos);
}

TEST_CASE("metrics: ROC-AUC and average precision") {
    const Tensor scores = tensor({0.1, 0.4, 0.35, 0.8}), labels = tensor({0.0, 0.0, 1.0, 1.0});
    CHECK(roc_auc(scores, labels) == doctest::Approx(0.75));
    CHECK(average_precision(scores, labels) == doctest::Approx(0.8333333333));  // (1/2)*1 + (1/2)*(2/3)
    CHECK(pr_auc(scores, labels) == doctest::Approx(0.8333333333));
    // perfect and reversed rankings; monotone transforms (logits) change nothing
    CHECK(roc_auc(std::vector<double>{1, 2, 3, 4}, {0, 0, 1, 1}) == 1.0);
    CHECK(roc_auc(std::vector<double>{4, 3, 2, 1}, {0, 0, 1, 1}) == 0.0);
    CHECK(roc_auc(std::vector<double>{-2.2, -0.4, -0.62, 1.39}, {0, 0, 1, 1}) == doctest::Approx(0.75));
    // ties count one half
    CHECK(roc_auc(std::vector<double>{0.5, 0.5}, {0, 1}) == 0.5);
    CHECK(roc_auc(std::vector<double>{0.2, 0.5, 0.5, 0.9}, {0, 0, 1, 1}) == doctest::Approx((1 + 0.5 + 1 + 1) / 4.0));
    // a tie group across classes in AP: precision at the group's threshold
    CHECK(average_precision(std::vector<double>{0.5, 0.5, 0.1}, {1, 0, 1}) == doctest::Approx(0.5 * 0.5 + 0.5 * 2.0 / 3.0));
    CHECK_THROWS_WITH_AS(roc_auc(std::vector<double>{0.1, 0.2}, {1, 1}), doctest::Contains("needs both classes"),
                         std::invalid_argument);
    CHECK_THROWS_AS(average_precision(std::vector<double>{0.1, 0.2}, {0, 0}), std::invalid_argument);
    const auto roc = roc_curve({0.1, 0.4, 0.35, 0.8}, {0, 0, 1, 1});
    REQUIRE(roc.size() == 5);
    CHECK(roc[1].x == 0.0);
    CHECK(roc[1].y == 0.5);
    CHECK(roc.back().x == 1.0);
    CHECK(roc.back().y == 1.0);
    const auto pr = precision_recall_curve({0.1, 0.4, 0.35, 0.8}, {0, 0, 1, 1});
    REQUIRE(pr.size() == 4);
    CHECK(pr[0].threshold == doctest::Approx(0.8));
    CHECK(pr[0].y == 1.0);        // precision
    CHECK(pr[2].x == 1.0);        // recall at threshold 0.35
    CHECK(pr[2].y == doctest::Approx(2.0 / 3.0));
}

TEST_CASE("metrics: multi-class outputs use the argmax") {
    const Tensor out = tensor({{2.0, 1.0, 0.0}, {0.0, 3.0, 1.0}, {1.0, 0.0, 0.5}, {0.0, 0.0, 1.0}});
    const Tensor y = tensor({0.0, 1.0, 2.0, 2.0});
    CHECK(accuracy(out, y) == 0.75);
    const ConfusionMatrix m = confusion_matrix(out, y);
    CHECK(m.classes == 3);
    CHECK(m.at(0, 0) == 1);
    CHECK(m.at(1, 1) == 1);
    CHECK(m.at(2, 0) == 1);
    CHECK(m.at(2, 2) == 1);
    CHECK(m.total() == 4);
    CHECK(m.to_string({"a", "b", "c"}).find(" c ") != std::string::npos);
    CHECK_THROWS_AS(precision(out, y), std::invalid_argument);  // binary only: labels 0/1
    CHECK_THROWS_AS(accuracy(out, tensor({0.0, 1.0})), ShapeError);
}

TEST_CASE("metrics: named metrics for fit") {
    const Tensor scores = tensor({0.1, 0.4, 0.35, 0.8}), labels = tensor({0.0, 0.0, 1.0, 1.0});
    CHECK(Metric("accuracy").fn(scores, labels) == 0.75);
    CHECK(Metric("accuracy", 0.3).fn(scores, labels) == 0.75);
    CHECK(Metric("roc_auc").fn(scores, labels) == doctest::Approx(0.75));
    CHECK(Metric("pr_auc").fn(scores, labels) == doctest::Approx(0.8333333333));
    CHECK(Metric("mse").fn(tensor({1.0, 3.0}), tensor({0.0, 0.0})) == 5.0);
    CHECK_FALSE(Metric("mae").higher_is_better);
    CHECK_THROWS_WITH_AS(Metric("auroc"), doctest::Contains("unknown metric 'auroc'"), std::invalid_argument);
}

TEST_CASE("metrics: a metric of no rows is an error, not 0") {
    const Tensor none = zeros({0}), none2 = zeros({0, 1});
    CHECK_THROWS_WITH_AS(accuracy(none, none), doctest::Contains("accuracy: no rows"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(precision(none2, none), doctest::Contains("precision: no rows"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(recall(none, none), doctest::Contains("recall: no rows"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(f1_score(none, none), doctest::Contains("f1_score: no rows"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(Metric("mse").fn(none, none), doctest::Contains("mse: no rows"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(Metric("mae").fn(none, none), doctest::Contains("mae: no rows"), std::invalid_argument);
    CHECK_THROWS_AS(roc_auc(none, none), std::invalid_argument);
    CHECK_THROWS_AS(average_precision(none, none), std::invalid_argument);
    CHECK(confusion_matrix(none, none).total() == 0);  // a table of counts: zero rows is fine
}

TEST_CASE("metrics: built-ins by kind match the same by name") {
    const Tensor scores = tensor({-0.5, 0.2, -0.1, 1.5}), labels = tensor({0.0, 0.0, 1.0, 1.0});
    const std::vector<std::pair<MetricKind, std::string>> kinds = {
        {MetricKind::accuracy, "accuracy"}, {MetricKind::precision, "precision"}, {MetricKind::recall, "recall"},
        {MetricKind::f1, "f1"},             {MetricKind::roc_auc, "roc_auc"},     {MetricKind::pr_auc, "pr_auc"},
        {MetricKind::mse, "mse"},           {MetricKind::mae, "mae"}};
    for (const auto& [kind, name] : kinds) {
        INFO(name);
        const Metric typed(kind, 0.0), named(name, 0.0);
        CHECK(typed.name == name);
        CHECK(typed.fn(scores, labels) == named.fn(scores, labels));
        CHECK(typed.higher_is_better == named.higher_is_better);
    }
    CHECK(Metric(MetricKind::accuracy, 0.0).fn(scores, labels) == 0.5);  // logits: threshold 0
    CHECK(Metric(MetricKind::accuracy).fn(scores, labels) == 0.75);       // default threshold 0.5
    CHECK_FALSE(Metric(MetricKind::mse).higher_is_better);
    CHECK(Metric("auc").name == "auc");  // a name keeps its spelling (the History's key)
    CHECK_THROWS_WITH_AS(Metric("auroc"), doctest::Contains("known: accuracy, precision, recall, f1, roc_auc, pr_auc, mse, mae"),
                         std::invalid_argument);
}
