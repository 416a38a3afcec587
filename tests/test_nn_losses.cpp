// nn: loss functions: values on small hand-computed cases, and gradchecks in double.
#include <cmath>

#include "helpers.hpp"

using namespace tg;
using namespace tg::nn;

namespace {
const TensorOptions f64{DType::f64};
double softplus_d(double x) { return std::log1p(std::exp(x)); }
}  // namespace

TEST_CASE("losses: MSE with mean, sum and the lesson's half sum") {
    const Tensor p = tensor({1.0, 2.0, 3.0}, f64), t = tensor({1.5, 2.0, 2.0}, f64);
    CHECK(mse_loss(p, t).item() == doctest::Approx(1.25 / 3));
    CHECK(mse_loss(p, t, Reduction::sum).item() == doctest::Approx(1.25));
    CHECK(mse_loss(p, t, Reduction::half_sum).item() == doctest::Approx(0.625));
    CHECK(mse_loss(p, t, Reduction::none).to_vector() == std::vector<double>{0.25, 0, 1});
    CHECK(MSELoss()(p, t).item() == doctest::Approx(1.25 / 3));
    // the half sum's gradient is (out - target), the lesson's dE/dout
    Tensor q = tensor({1.0, 2.0, 3.0}, {DType::f64, true});
    mse_loss(q, t, Reduction::half_sum).backward();
    CHECK(q.grad().to_vector() == std::vector<double>{-0.5, 0, 1});
    for (Reduction r : {Reduction::mean, Reduction::sum, Reduction::half_sum})
        test::check_grad([&](const std::vector<Tensor>& in) { return mse_loss(in[0], in[1], r); },
                         {test::rnd({4, 3}), test::rnd({4, 3}, -1, 1, 9)}, "mse_loss");
}

TEST_CASE("losses: [N, 1] predictions meet [N] targets without a silent broadcast") {
    const Tensor p = tensor({{1.0}, {2.0}}, f64), t = tensor({0.0, 0.0}, f64);
    CHECK(mse_loss(p, t).item() == doctest::Approx(2.5));  // not the 2x2 broadcast
    CHECK_THROWS_WITH_AS(mse_loss(p, tensor({1.0, 2.0, 3.0}, f64)),
                         doctest::Contains("mse_loss: prediction (2, 1) and target (3) must have the same shape"),
                         ShapeError);
    CHECK_THROWS_AS(mse_loss(p, tensor({{1.0}, {2.0}})), DTypeError);
}

TEST_CASE("losses: MAE") {
    const Tensor p = tensor({1.0, 2.0, 3.0}, f64), t = tensor({1.5, 2.0, 2.0}, f64);
    CHECK(l1_loss(p, t).item() == doctest::Approx(0.5));
    CHECK(mae_loss(p, t, Reduction::sum).item() == doctest::Approx(1.5));
    test::check_grad([](const std::vector<Tensor>& in) { return l1_loss(in[0], in[1]); },
                     {tensor({0.3, -0.7, 1.2}, f64), tensor({0.0, 0.1, 0.2}, f64)}, "l1_loss");
}

TEST_CASE("losses: binary cross-entropy on probabilities") {
    const Tensor p = tensor({0.9, 0.2}, f64), t = tensor({1.0, 0.0}, f64);
    CHECK(binary_cross_entropy(p, t).item() == doctest::Approx(-(std::log(0.9) + std::log(0.8)) / 2));
    // p = 0 or 1 gives the clamped value 100, never inf
    CHECK(binary_cross_entropy(tensor({0.0}, f64), tensor({1.0}, f64)).item() == doctest::Approx(100.0));
    CHECK_THROWS_WITH_AS(binary_cross_entropy(tensor({1.3}, f64), tensor({1.0}, f64)),
                         doctest::Contains("input[0] = 1.3 is not a probability"), std::invalid_argument);
    test::check_grad([](const std::vector<Tensor>& in) { return binary_cross_entropy(in[0], in[1]); },
                     {tensor({0.2, 0.5, 0.9}, f64), tensor({1.0, 0.0, 0.3}, f64)}, "binary_cross_entropy");
}

TEST_CASE("losses: BCE with logits equals BCE of the sigmoid, is stable, and weighs positives") {
    const Tensor x = tensor({2.0, -1.0, 0.3}, f64), t = tensor({1.0, 0.0, 1.0}, f64);
    const double expect = (softplus_d(-2.0) + softplus_d(-1.0) + softplus_d(-0.3)) / 3;
    CHECK(binary_cross_entropy_with_logits(x, t).item() == doctest::Approx(expect).epsilon(1e-12));
    CHECK(binary_cross_entropy_with_logits(x, t).item() ==
          doctest::Approx(binary_cross_entropy(sigmoid(x), t).item()).epsilon(1e-12));
    // extreme logits: finite, exact
    const Tensor big = tensor({100.0, -100.0}, f64), wrong = tensor({0.0, 1.0}, f64);
    CHECK(binary_cross_entropy_with_logits(big, wrong).item() == doctest::Approx(100.0));
    CHECK(binary_cross_entropy_with_logits(big, tensor({1.0, 0.0}, f64)).item() < 1e-40);
    CHECK(std::isfinite(binary_cross_entropy_with_logits(tensor({1000.0}), tensor({0.0})).item()));
    // pos_weight multiplies the positive term only
    const double pw = 3.0;
    const double weighted = (pw * softplus_d(-2.0) + softplus_d(-1.0) + pw * softplus_d(-0.3)) / 3;
    CHECK(binary_cross_entropy_with_logits(x, t, Reduction::mean, pw).item() == doctest::Approx(weighted));
    CHECK(BCEWithLogitsLoss(pw)(x, t).item() == doctest::Approx(weighted));
    CHECK(binary_cross_entropy_with_logits(x, t, Reduction::mean, full({3}, pw, f64)).item() ==
          doctest::Approx(weighted));
    for (double w : {1.0, 4.0})
        test::check_grad(
            [w](const std::vector<Tensor>& in) {
                return binary_cross_entropy_with_logits(in[0], in[1], Reduction::mean, w);
            },
            {tensor({2.0, -1.0, 0.3, -4.0}, f64), tensor({1.0, 0.0, 0.7, 1.0}, f64)}, "bce_with_logits");
}

TEST_CASE("losses: cross-entropy from logits, with class weights and soft labels") {
    const Tensor logits = tensor({{1.0, 2.0, 3.0}, {1.0, 1.0, 1.0}}, f64);
    const Tensor labels = tensor({2.0, 0.0}, f64);
    const double r0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3.0, r1 = std::log(3.0);
    CHECK(cross_entropy(logits, labels).item() == doctest::Approx((r0 + r1) / 2));
    CHECK(cross_entropy(logits, labels, Reduction::none).to_vector()[0] == doctest::Approx(r0));
    const Tensor w = tensor({1.0, 2.0, 3.0}, f64);
    CHECK(cross_entropy(logits, labels, Reduction::mean, w).item() == doctest::Approx((3 * r0 + 1 * r1) / 4));
    CHECK(CrossEntropyLoss(w)(logits, labels).item() == doctest::Approx((3 * r0 + 1 * r1) / 4));
    // one-hot probabilities give the same as labels
    const Tensor onehot = tensor({{0.0, 0.0, 1.0}, {1.0, 0.0, 0.0}}, f64);
    CHECK(cross_entropy(logits, onehot).item() == doctest::Approx((r0 + r1) / 2));
    // nll of log_softmax is cross-entropy
    CHECK(nll_loss(log_softmax(logits, 1), labels).item() == doctest::Approx((r0 + r1) / 2));
    CHECK_THROWS_WITH_AS(cross_entropy(logits, tensor({3.0, 0.0}, f64)),
                         doctest::Contains("target[0] = 3 is not a class index in [0, 3)"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(cross_entropy(logits, tensor({0.5, 0.0}, f64)), doctest::Contains("not a class index"),
                         std::invalid_argument);
    test::check_grad([&](const std::vector<Tensor>& in) { return cross_entropy(in[0], labels); },
                     {test::rnd({2, 3})}, "cross_entropy");
    test::check_grad([&](const std::vector<Tensor>& in) { return cross_entropy(in[0], labels, Reduction::mean, w); },
                     {test::rnd({2, 3})}, "cross_entropy weighted");
    test::check_grad([&](const std::vector<Tensor>& in) { return cross_entropy(in[0], softmax(in[1], 1)); },
                     {test::rnd({2, 3}), test::rnd({2, 3}, -1, 1, 3)}, "cross_entropy soft");
    test::check_grad([&](const std::vector<Tensor>& in) { return nll_loss(in[0], labels, Reduction::sum); },
                     {test::rnd({2, 3})}, "nll_loss");
}

TEST_CASE("losses: hinge on -1/+1 labels") {
    const Tensor s = tensor({0.5, -2.0, 3.0}, f64), t = tensor({1.0, -1.0, -1.0}, f64);
    CHECK(hinge_loss(s, t).item() == doctest::Approx((0.5 + 0 + 4) / 3));
    CHECK_THROWS_WITH_AS(hinge_loss(s, tensor({1.0, 0.0, 1.0}, f64)), doctest::Contains("2t - 1"),
                         std::invalid_argument);
    test::check_grad([&](const std::vector<Tensor>& in) { return hinge_loss(in[0], t); },
                     {tensor({0.5, -0.3, 0.2}, f64)}, "hinge_loss");
}

TEST_CASE("losses: the perceptron criterion has gradient (y - d) x, also on the boundary") {
    // From zero weights z = 0, y = step(0) = 0; with target 1 the gradient must be -x.
    Tensor w = zeros({1, 3}, {DType::f64, true});
    Tensor b = zeros({1}, {DType::f64, true});
    const Tensor x = tensor({{0.5, -2.0, 1.5}}, f64);
    perceptron_criterion(linear(x, w, b), tensor({{1.0}}, f64)).backward();
    CHECK(w.grad().to_vector() == std::vector<double>{-0.5, 2.0, -1.5});
    CHECK(b.grad().to_vector() == std::vector<double>{-1.0});
    // Right answers cost nothing; wrong ones cost |z|.
    const Tensor z = tensor({2.0, -1.0, 0.5, -3.0}, f64);
    CHECK(perceptron_criterion(z, tensor({1.0, 0.0, 1.0, 0.0}, f64)).item() == 0.0);
    CHECK(perceptron_criterion(z, tensor({0.0, 1.0, 1.0, 0.0}, f64), Reduction::sum).item() == doctest::Approx(3.0));
    // bipolar: y = +1 / -1
    CHECK(perceptron_criterion(z, tensor({-1.0, 1.0, 1.0, -1.0}, f64), Reduction::sum, true).item() ==
          doctest::Approx(2 * 2.0 + 2 * 1.0));
    CHECK_THROWS_AS(perceptron_criterion(z, tensor({-1.0, 1.0, 1.0, -1.0}, f64)), std::invalid_argument);
    // away from z = 0 the criterion is piecewise linear: gradcheck holds
    test::check_grad(
        [](const std::vector<Tensor>& in) { return perceptron_criterion(in[0], tensor({1.0, 0.0, 0.0, 1.0}, f64)); },
        {tensor({0.7, 0.4, -0.9, -0.2}, f64)}, "perceptron_criterion");
}

TEST_CASE("losses: Huber, smooth L1 and KL divergence as PyTorch defines them, with gradients") {
    using tg::test::rnd;
    const Tensor p = from_vector(std::vector<double>{0.0, 1.5, -2.0, 0.3}, {4}, {DType::f64});
    const Tensor t = from_vector(std::vector<double>{0.2, 0.0, 1.0, 0.3}, {4}, {DType::f64});
    tg::test::check_values(huber_loss(p, t, Reduction::none), {4}, {0.02, 1.0, 2.5, 0.0});
    tg::test::check_values(huber_loss(p, t, Reduction::mean, 2.0), {}, {1.28625});
    tg::test::check_values(smooth_l1_loss(p, t, Reduction::none, 0.5), {4}, {0.04, 1.25, 2.75, 0.0});
    tg::test::check_values(smooth_l1_loss(p, t, Reduction::sum, 0.0), {}, {0.2 + 1.5 + 3.0});  // beta 0: L1
    CHECK_THROWS_AS(huber_loss(p, t, Reduction::mean, 0.0), std::invalid_argument);
    CHECK_THROWS_AS(smooth_l1_loss(p, t, Reduction::mean, -1.0), std::invalid_argument);

    const Tensor logq = log(from_vector(std::vector<double>{0.2, 0.5, 0.3, 0.6, 0.1, 0.3}, {2, 3}, {DType::f64}));
    const Tensor target = from_vector(std::vector<double>{0.1, 0.9, 0.0, 0.5, 0.25, 0.25}, {2, 3}, {DType::f64});
    tg::test::check_values(kl_div(logq, target, Reduction::none), {2, 3},
                           {-0.06931471805599453, 0.5290079984119072, 0.0, -0.09116077839697728, 0.22907268296853872,
                            -0.04558038919848861});
    tg::test::check_values(kl_div(logq, target, Reduction::batch_mean), {}, {0.2760123978644927});
    // log_target: the same divergence from log-probabilities (the zero left out: log 0)
    const Tensor t2 = from_vector(std::vector<double>{0.2, 0.8}, {2}, {DType::f64}), q2 = from_vector(std::vector<double>{0.5, 0.5}, {2}, {DType::f64});
    CHECK(kl_div(log(q2), log(t2), Reduction::sum, true).item() ==
          doctest::Approx(kl_div(log(q2), t2, Reduction::sum).item()).epsilon(1e-14));

    const auto huber = [](const std::vector<Tensor>& in) { return huber_loss(in[0], in[1], Reduction::mean, 0.7); };
    const std::vector<Tensor> pts{rnd({3, 4}, -2, 2, 61), rnd({3, 4}, -2, 2, 62)};
    tg::test::check_grad(huber, pts, "huber_loss");
    tg::test::check_grad([](const std::vector<Tensor>& in) { return smooth_l1_loss(in[0], in[1], Reduction::sum, 0.7); },
                         pts, "smooth_l1_loss");
    tg::test::check_grad([&](const std::vector<Tensor>& in) { return kl_div(log_softmax(in[0], 1), target, Reduction::batch_mean); },
                         {rnd({2, 3}, -1, 1, 63)}, "kl_div");
    CHECK(HuberLoss(0.7)(pts[0], pts[1]).item() == huber(pts).item());
}
