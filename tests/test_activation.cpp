// Activations: forward values, gradchecks, the documented rules at kinks,
// numerical stability at extreme inputs, and second derivatives.
#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "helpers.hpp"

using namespace tg;
using namespace tg::test;

namespace {

bool all_finite(const Tensor& t) {
    for (double v : t.to_vector())
        if (!std::isfinite(v)) return false;
    return true;
}

using Unary = std::function<Tensor(const Tensor&)>;

const std::vector<Shape> shapes = {{3, 4}, {}, {1}, {1, 1, 5}, {2, 3, 2}, {0, 3}, {4, 0}};

void check_unary(const std::string& name, const Unary& op, double lo, double hi, bool avoid_zero = false) {
    for (const Shape& s : shapes) {
        INFO(name << " " << shape_str(s));
        Tensor x = rnd(s, lo, hi, 3);
        if (avoid_zero) x = away(x, 0, 0.05);
        const auto f = [&](const std::vector<Tensor>& v) { return op(v[0]); };
        check_grad(f, {x}, name);
        check_backward_shapes(f, {x}, s);
    }
}

double sigmoid_of(double v) { return 1 / (1 + std::exp(-v)); }

}  // namespace

// ---- forward values ------------------------------------------------------------

TEST_CASE("activation: forward values") {
    const Tensor x = tensor({-2, -0.5, 0, 1, 3}, f64);
    check_values(step(x), {5}, {0, 0, 0, 1, 1});
    check_values(sign(x), {5}, {-1, -1, 0, 1, 1});
    check_values(relu(x), {5}, {0, 0, 0, 1, 3});
    check_values(leaky_relu(x, 0.1), {5}, {-0.2, -0.05, 0, 1, 3});
    check_values(leaky_relu(x), {5}, {-0.02, -0.005, 0, 1, 3});
    check_values(sigmoid(x), {5}, {0.11920292202211755, 0.3775406687981454, 0.5, 0.7310585786300049,
                                   0.9525741268224334});
    check_values(tanh(x), {5}, {-0.9640275800758169, -0.46211715726000974, 0, 0.7615941559557649,
                                0.9950547536867305});
    check_values(softplus(x), {5}, {0.1269280110429725, 0.47407698418010663, 0.6931471805599453, 1.3132616875182228,
                                    3.048587351573742});
    check_values(softmax(tensor({1, 2, 3}, f64)), {3}, {0.09003057317038046, 0.24472847105479764, 0.6652409557748219});
    check_values(log_softmax(tensor({1, 2, 3}, f64)), {3},
                 {-2.4076059644443806, -1.4076059644443806, -0.4076059644443806});
    // float32 takes the same code path
    const Tensor xf = tensor({-2, 0, 3});
    CHECK(xf.dtype() == DType::f32);
    CHECK(sigmoid(xf).at({0}) == doctest::Approx(0.11920292202211755).epsilon(1e-6));
    CHECK(softplus(xf).at({2}) == doctest::Approx(3.048587351573742).epsilon(1e-6));
}

TEST_CASE("activation: softmax and log_softmax along axis 0, 1 and -1") {
    const Tensor m = tensor({{1, 2, 3}, {1, 4, 0}}, f64);
    const double e = std::exp(1.0);
    // axis 0: each column normalised
    const double c1 = 1 / (1 + e * e), c2 = 1 / (1 + std::exp(-3.0));
    check_values(softmax(m, 0), {2, 3}, {0.5, c1, c2, 0.5, 1 - c1, 1 - c2});
    check_values(log_softmax(m, 0), {2, 3},
                 {std::log(0.5), std::log(c1), std::log(c2), std::log(0.5), std::log(1 - c1), std::log(1 - c2)});
    // axis -1 and 1 agree: rows normalised
    const double z = std::exp(1.0) + std::exp(4.0) + 1;
    check_values(softmax(m, -1), {2, 3},
                 {0.09003057317038046, 0.24472847105479764, 0.6652409557748219, e / z, std::exp(4.0) / z, 1 / z});
    check_values(softmax(m, 1), {2, 3}, softmax(m, -1).to_vector());
    check_values(log_softmax(m, 1), {2, 3}, log_softmax(m, -1).to_vector());
    // a middle axis of a 3-D tensor sums to one
    const Tensor x = rnd({2, 3, 4}, -3, 3, 1);
    const Tensor s = sum(softmax(x, 1), {1});
    check_values(s, {2, 4}, std::vector<double>(8, 1.0), 1e-14);
    check_values(exp(log_softmax(x, 1)), {2, 3, 4}, softmax(x, 1).to_vector(), 1e-14);
}

// ---- gradchecks ------------------------------------------------------------------

TEST_CASE("activation: gradcheck of each activation on several shapes") {
    check_unary("sigmoid", [](const Tensor& x) { return sigmoid(x); }, -4, 4);
    check_unary("tanh", [](const Tensor& x) { return tanh(x); }, -2, 2);
    check_unary("softplus", [](const Tensor& x) { return softplus(x); }, -4, 4);
    check_unary("relu", [](const Tensor& x) { return relu(x); }, -1, 1, true);
    check_unary("leaky_relu", [](const Tensor& x) { return leaky_relu(x, 0.2); }, -1, 1, true);
    check_unary("leaky_relu default", [](const Tensor& x) { return leaky_relu(x); }, -1, 1, true);
    check_unary("leaky_relu slope > 1", [](const Tensor& x) { return leaky_relu(x, 3); }, -1, 1, true);
    // step and sign have zero gradient: composed with x, only x's own path remains
    check_unary("x * step(x)", [](const Tensor& x) { return mul(x, step(x)); }, -1, 1, true);
    check_unary("x * sign(x)", [](const Tensor& x) { return mul(x, sign(x)); }, -1, 1, true);
}

TEST_CASE("activation: gradcheck of softmax and log_softmax on axis 0, -1 and a middle axis") {
    using V = const std::vector<Tensor>&;
    for (const Shape& s : std::vector<Shape>{{5}, {3, 4}, {2, 3, 4}, {1, 1}, {3, 1}, {0, 3}}) {
        const Tensor x = rnd(s, -2, 2, 4);
        for (int axis : {0, -1, static_cast<int>(s.size()) / 2}) {
            INFO(shape_str(s) << " axis " << axis);
            check_grad([axis](V v) { return softmax(v[0], axis); }, {x}, "softmax");
            check_grad([axis](V v) { return log_softmax(v[0], axis); }, {x}, "log_softmax");
            CHECK(softmax(x, axis).shape() == s);
            CHECK(log_softmax(x, axis).shape() == s);
        }
    }
    // an empty softmax axis gives an empty result, and a backward through it works
    Tensor e = zeros({3, 0}, f64_leaf);
    const Tensor se = softmax(e, 1);
    CHECK(se.shape() == Shape{3, 0});
    sum(se).backward();
    CHECK(e.grad().shape() == Shape{3, 0});
}

TEST_CASE("activation: hand-computed gradients") {
    Tensor x = tensor({-2, 0.5, 3}, f64_leaf);
    sum(sigmoid(x)).backward();
    for (std::size_t i = 0; i < 3; ++i) {
        const double s = sigmoid_of(x.at({i}));
        CHECK(x.grad().at({i}) == doctest::Approx(s * (1 - s)).epsilon(1e-14));
    }
    x.zero_grad();
    sum(tanh(x)).backward();
    for (std::size_t i = 0; i < 3; ++i) {
        const double t = std::tanh(x.at({i}));
        CHECK(x.grad().at({i}) == doctest::Approx(1 - t * t).epsilon(1e-14));
    }
    x.zero_grad();
    sum(softplus(x)).backward();
    for (std::size_t i = 0; i < 3; ++i) CHECK(x.grad().at({i}) == doctest::Approx(sigmoid_of(x.at({i}))).epsilon(1e-14));
    x.zero_grad();
    // softmax: d(softmax_0)/dx_j = s_0 (delta_0j - s_j)
    Tensor y = tensor({1, 2, 3}, f64_leaf);
    const Tensor s = softmax(y);
    slice(s, 0, 0, 1).backward(ones({1}, f64));
    const double s0 = 0.09003057317038046, s1 = 0.24472847105479764, s2 = 0.6652409557748219;
    check_values(y.grad(), {3}, {s0 * (1 - s0), -s0 * s1, -s0 * s2});
    y.zero_grad();
    // log_softmax: d(sum(log_softmax))/dx_j = 1 - 3 s_j
    sum(log_softmax(y)).backward();
    check_values(y.grad(), {3}, {1 - 3 * s0, 1 - 3 * s1, 1 - 3 * s2});
}

TEST_CASE("activation: step and sign are not recorded; relu and leaky_relu at 0 take the left slope") {
    Tensor x = tensor({-1, 0, 2}, f64_leaf);
    CHECK_FALSE(step(x).requires_grad());
    CHECK_FALSE(sign(x).requires_grad());
    // a loss reaching x only through a step does not require grad, and backward says so
    const Tensor only_step = sum(step(x));
    CHECK_FALSE(only_step.requires_grad());
    CHECK_THROWS_WITH_AS(only_step.backward(), doctest::Contains("does not require grad"), GraphError);
    // step has zero gradient: d(x * step(x)) = step(x)
    sum(mul(x, step(x))).backward();
    check_values(x.grad(), {3}, {0, 0, 1});
    x.zero_grad();
    sum(relu(x)).backward();
    check_values(x.grad(), {3}, {0, 0, 1});
    x.zero_grad();
    sum(leaky_relu(x, 0.1)).backward();
    check_values(x.grad(), {3}, {0.1, 0.1, 1});
}

// ---- numerical stability ------------------------------------------------------------

TEST_CASE("activation: sigmoid, softplus, log_softmax and tanh are finite at extreme inputs, float and double") {
    AnomalyGuard anomaly;  // any NaN or Inf in a forward or backward throws
    for (DType dt : {DType::f32, DType::f64}) {
        INFO("dtype " << dtype_name(dt));
        const double tol = dt == DType::f32 ? 1e-6 : 1e-12;
        Tensor x = tensor({-1000, -30, 0, 30, 1000}, {dt, true});
        const Tensor s = sigmoid(x);
        REQUIRE(all_finite(s));
        CHECK(s.at({0}) == 0);
        CHECK(s.at({1}) / sigmoid_of(-30) == doctest::Approx(1).epsilon(tol));
        CHECK(s.at({2}) == 0.5);
        CHECK(s.at({4}) == 1);
        sum(s).backward();
        REQUIRE(all_finite(x.grad()));
        CHECK(x.grad().at({0}) == 0);
        CHECK(x.grad().at({2}) == 0.25);
        CHECK(x.grad().at({4}) == 0);
        x.zero_grad();

        const Tensor sp = softplus(x);
        REQUIRE(all_finite(sp));
        CHECK(sp.at({0}) == 0);
        CHECK(sp.at({1}) / std::exp(-30.0) == doctest::Approx(1).epsilon(tol));
        CHECK(sp.at({3}) == doctest::Approx(30).epsilon(tol));
        CHECK(sp.at({4}) == 1000);
        sum(sp).backward();
        REQUIRE(all_finite(x.grad()));
        CHECK(x.grad().at({0}) == 0);
        CHECK(x.grad().at({4}) == 1);
        x.zero_grad();

        Tensor t = tensor({-300, 300}, {dt, true});
        const Tensor th = tanh(t);
        check_values(th, {2}, {-1, 1});
        sum(th).backward();
        check_values(t.grad(), {2}, {0, 0});

        Tensor z = tensor({{1000, 0, -1000}, {-1000, -1000, -999}}, {dt, true});
        const Tensor ls = log_softmax(z, -1);
        REQUIRE(all_finite(ls));
        const double l2 = std::log1p(2 * std::exp(-1.0));  // row 2 shifted by its max -999: (-1, -1, 0)
        check_values(ls, {2, 3}, {0, -1000, -2000, -1 - l2, -1 - l2, -l2}, tol);
        const Tensor sm = softmax(z, -1);
        REQUIRE(all_finite(sm));
        CHECK(sm.at({0, 0}) == 1);
        CHECK(sm.at({0, 2}) == 0);
        // gradient of a cross-entropy-like pick: finite, equals softmax - onehot
        sum(mul(ls, tensor({{0, 1, 0}, {1, 0, 0}}, {dt}))).backward();
        REQUIRE(all_finite(z.grad()));
        const double q = 1 / (2 + std::exp(1.0));  // row 2's softmax is (q, q, e q)
        check_values(z.grad(), {2, 3}, {-1, 1, 0, 1 - q, -q, -std::exp(1.0) * q}, tol);
    }
}

// ---- second derivatives ----------------------------------------------------------------

TEST_CASE("activation: sigmoid's second derivative is s (1 - s) (1 - 2 s)") {
    const Tensor x0 = tensor({-3, -0.7, 0, 0.4, 2.5}, f64);
    Tensor x = x0.detach().requires_grad_();
    const Tensor g = grad({sum(sigmoid(x))}, {x}, {}, {.create_graph = true})[0];
    const Tensor h = grad({sum(g)}, {x})[0];
    for (std::size_t i = 0; i < 5; ++i) {
        const double s = sigmoid_of(x0.at({i}));
        CHECK(g.at({i}) == doctest::Approx(s * (1 - s)).epsilon(1e-14));
        CHECK(h.at({i}) == doctest::Approx(s * (1 - s) * (1 - 2 * s)).epsilon(1e-12));
    }
    // tanh'' = -2 t (1 - t^2)
    Tensor y = x0.detach().requires_grad_();
    const Tensor gt1 = grad({sum(tanh(y))}, {y}, {}, {.create_graph = true})[0];
    const Tensor ht = grad({sum(gt1)}, {y})[0];
    for (std::size_t i = 0; i < 5; ++i) {
        const double t = std::tanh(x0.at({i}));
        CHECK(ht.at({i}) == doctest::Approx(-2 * t * (1 - t * t)).epsilon(1e-12));
    }
}

TEST_CASE("activation: gradgradcheck of the smooth activations") {
    using V = const std::vector<Tensor>&;
    const Tensor x = rnd({2, 3}, -2, 2, 6);
    check_gradgrad([](V v) { return sigmoid(v[0]); }, {x}, "sigmoid");
    check_gradgrad([](V v) { return tanh(v[0]); }, {x}, "tanh");
    check_gradgrad([](V v) { return softplus(v[0]); }, {x}, "softplus");
    check_gradgrad([](V v) { return softmax(v[0], -1); }, {x}, "softmax -1");
    check_gradgrad([](V v) { return softmax(v[0], 0); }, {x}, "softmax 0");
    check_gradgrad([](V v) { return log_softmax(v[0], -1); }, {x}, "log_softmax -1");
    check_gradgrad([](V v) { return log_softmax(v[0], 0); }, {x}, "log_softmax 0");
    check_gradgrad([](V v) { return mul(relu(v[0]), v[0]); }, {away(x.detach(), 0, 0.05)}, "relu(x) x");
    check_gradgrad([](V v) { return mul(leaky_relu(v[0], 0.3), v[0]); }, {away(x.detach(), 0, 0.05)},
                   "leaky_relu(x) x");
    const Tensor x3 = rnd({2, 3, 2}, -2, 2, 8);
    check_gradgrad([](V v) { return log_softmax(v[0], 1); }, {x3}, "log_softmax middle axis");
}

TEST_CASE("activation: every activation runs in float32 and agrees with float64, gradients included") {
    using V = const std::vector<Tensor>&;
    const Tensor x = rnd({3, 4}, -3, 3, 1);
    check_f32("sigmoid", [](V v) { return sigmoid(v[0]); }, {x});
    check_f32("tanh", [](V v) { return tanh(v[0]); }, {x});
    check_f32("relu", [](V v) { return relu(v[0]); }, {x});
    check_f32("leaky_relu", [](V v) { return leaky_relu(v[0], 0.1); }, {x});
    check_f32("softplus", [](V v) { return softplus(v[0]); }, {x});
    check_f32("softmax", [](V v) { return mul(softmax(v[0], 0), v[0]); }, {x});
    check_f32("log_softmax", [](V v) { return mul(log_softmax(v[0], -1), v[0]); }, {x});
    check_f32("step, sign", [](V v) { return add(mul(step(v[0]), v[0]), mul(sign(v[0]), v[0])); }, {x});
}

TEST_CASE("activation: relu propagates NaN (float and double) and passes the gradient there") {
    const double nan = std::nan("");
    for (DType dt : {DType::f32, DType::f64}) {
        INFO(dtype_name(dt));
        // 20 elements: the vectorised body of the loop as well as its tail
        std::vector<double> v(20, -1.0);
        v[3] = nan, v[17] = nan, v[5] = 2.0;
        Tensor x = from_vector(v, {20}, {dt, true});
        Tensor y = relu(x);
        const std::vector<double> out = y.to_vector();
        CHECK(std::isnan(out[3]));
        CHECK(std::isnan(out[17]));
        CHECK(out[5] == 2.0);
        CHECK(out[0] == 0.0);
        sum(y).backward();
        const std::vector<double> g = x.grad().to_vector();
        CHECK(g[3] == 1.0);
        CHECK(g[17] == 1.0);
        CHECK(g[5] == 1.0);
        CHECK(g[0] == 0.0);
    }
}
