// Elementwise ops: forward values, gradchecks on plain, broadcast, rank-0,
// size-1 and empty shapes, the documented tie and edge rules, and second
// derivatives (including a Hessian-vector product).
#include <cmath>
#include <functional>
#include <string>

#include "helpers.hpp"

using namespace tg;
using namespace tg::test;

namespace {

struct BinaryCase {
    Shape a, b, out;
};

// plain, broadcasting both ways, rank-0 with a matrix, size-1 axes, empty shapes
const std::vector<BinaryCase> binary_cases = {
    {{3, 4}, {3, 4}, {3, 4}},       {{3, 1}, {1, 4}, {3, 4}},    {{2, 3, 4}, {4}, {2, 3, 4}},
    {{4}, {2, 3, 4}, {2, 3, 4}},    {{}, {3, 4}, {3, 4}},        {{3, 4}, {}, {3, 4}},
    {{}, {}, {}},                   {{1, 1}, {1, 5}, {1, 5}},    {{2, 1, 3}, {4, 1}, {2, 4, 3}},
    {{0, 3}, {0, 3}, {0, 3}},       {{0, 3}, {3}, {0, 3}},       {{1, 3}, {0, 1}, {0, 3}},
};

using Binary = std::function<Tensor(const Tensor&, const Tensor&)>;
using Unary = std::function<Tensor(const Tensor&)>;

/// Gradcheck a binary op on every shape case; a's values in [la, ha), b's in [lb, hb),
/// b pushed at least b_gap away from 0 when b_gap > 0 (denominators).
void check_binary_op(const std::string& name, const Binary& op, double la, double ha, double lb, double hb,
                     double b_gap = 0) {
    for (const BinaryCase& c : binary_cases) {
        INFO(name << " " << shape_str(c.a) << " with " << shape_str(c.b));
        Tensor a = rnd(c.a, la, ha, 11);
        Tensor b = rnd(c.b, lb, hb, 29);
        if (b_gap > 0) b = away(b, 0, b_gap);
        const auto f = [&](const std::vector<Tensor>& x) { return op(x[0], x[1]); };
        check_grad(f, {a, b}, name);
        check_backward_shapes(f, {a, b}, c.out);
    }
}

const std::vector<Shape> unary_shapes = {{3, 4}, {}, {1}, {1, 1, 5}, {2, 3, 2}, {0, 3}, {4, 0}};

void check_unary_op(const std::string& name, const Unary& op, double lo, double hi, double kink = NAN,
                    double gap = 0.05) {
    for (const Shape& s : unary_shapes) {
        INFO(name << " " << shape_str(s));
        Tensor x = rnd(s, lo, hi, 5);
        if (!std::isnan(kink)) x = away(x, kink, gap);
        const auto f = [&](const std::vector<Tensor>& v) { return op(v[0]); };
        check_grad(f, {x}, name);
        check_backward_shapes(f, {x}, s);
    }
}

}  // namespace

// ---- forward values ------------------------------------------------------------

TEST_CASE("elementwise: forward values of the binary ops, with broadcasting") {
    const Tensor a = tensor({{1, 2}, {3, 4}}, f64);
    const Tensor row = tensor({10, 20}, f64);
    const Tensor col = from_vector(std::vector<double>{2, 4}, {2, 1}, f64);
    check_values(add(a, row), {2, 2}, {11, 22, 13, 24});
    check_values(sub(a, row), {2, 2}, {-9, -18, -7, -16});
    check_values(sub(row, a), {2, 2}, {9, 18, 7, 16});
    check_values(mul(a, col), {2, 2}, {2, 4, 12, 16});
    check_values(div(a, col), {2, 2}, {0.5, 1, 0.75, 1});
    check_values(div(col, row), {2, 2}, {0.2, 0.1, 0.4, 0.2});
    check_values(mul(col, row), {2, 2}, {20, 40, 40, 80});
    check_values(add(scalar(0.5, f64), a), {2, 2}, {1.5, 2.5, 3.5, 4.5});
    check_values(pow(tensor({2, 3, 4}, f64), tensor({3, 2, 0.5}, f64)), {3}, {8, 9, 2});
    check_values(maximum(tensor({1, 5, -2}, f64), tensor({3, 2, -2}, f64)), {3}, {3, 5, -2});
    check_values(minimum(tensor({1, 5, -2}, f64), tensor({3, 2, -2}, f64)), {3}, {1, 2, -2});
    check_values(maximum(a, scalar(2.5, f64)), {2, 2}, {2.5, 2.5, 3, 4});
    check_values(minimum(col, row), {2, 2}, {2, 2, 4, 4});
}

TEST_CASE("elementwise: forward values of the unary and scalar ops") {
    const Tensor x = tensor({-2, -0.5, 0, 1, 3}, f64);
    check_values(neg(x), {5}, {2, 0.5, 0, -1, -3});
    check_values(square(x), {5}, {4, 0.25, 0, 1, 9});
    check_values(abs(x), {5}, {2, 0.5, 0, 1, 3});
    check_values(clamp(x, -1, 1), {5}, {-1, -0.5, 0, 1, 1});
    check_values(exp(x), {5}, {std::exp(-2.0), std::exp(-0.5), 1, std::exp(1.0), std::exp(3.0)});
    check_values(add(x, 1.5), {5}, {-0.5, 1, 1.5, 2.5, 4.5});
    check_values(mul(x, -2), {5}, {4, 1, 0, -2, -6});
    check_values(rsub(1, x), {5}, {3, 1.5, 1, 0, -2});
    check_values(pow(x, 3), {5}, {-8, -0.125, 0, 1, 27});
    check_values(pow(x, 0), {5}, {1, 1, 1, 1, 1});
    const Tensor p = tensor({0.25, 1, 4, 9}, f64);
    check_values(sqrt(p), {4}, {0.5, 1, 2, 3});
    check_values(log(p), {4}, {std::log(0.25), 0, std::log(4.0), std::log(9.0)});
    check_values(rdiv(2, p), {4}, {8, 2, 0.5, 2.0 / 9});
    check_values(pow(p, -0.5), {4}, {2, 1, 0.5, 1.0 / 3});
    check_values(pow(p, 1.5), {4}, {0.125, 1, 8, 27});
    CHECK(exp(scalar(1, f64)).item() == doctest::Approx(2.718281828459045).epsilon(1e-15));
    CHECK(log(scalar(2.718281828459045, f64)).item() == doctest::Approx(1).epsilon(1e-15));
}

TEST_CASE("elementwise: operators on tensors and numbers") {
    const Tensor a = tensor({1, 2, 4}, f64);
    const Tensor b = tensor({4, 2, 1}, f64);
    check_values(a + b, {3}, {5, 4, 5});
    check_values(a - b, {3}, {-3, 0, 3});
    check_values(a * b, {3}, {4, 4, 4});
    check_values(a / b, {3}, {0.25, 1, 4});
    check_values(-a, {3}, {-1, -2, -4});
    check_values(a + 1, {3}, {2, 3, 5});
    check_values(1 + a, {3}, {2, 3, 5});
    check_values(a - 1, {3}, {0, 1, 3});
    check_values(1 - a, {3}, {0, -1, -3});
    check_values(a * 3, {3}, {3, 6, 12});
    check_values(3 * a, {3}, {3, 6, 12});
    check_values(a / 4, {3}, {0.25, 0.5, 1});
    check_values(4 / a, {3}, {4, 2, 1});
    Tensor c = a;
    c += b;
    c -= a;
    c *= b;
    c /= a;
    check_values(c, {3}, {16, 2, 0.25});
    check_values(a, {3}, {1, 2, 4});  // compound assignment rebinds c, never writes into a
}

TEST_CASE("elementwise: where and the comparisons") {
    const Tensor a = tensor({1, 2, 3, 4}, f64);
    const Tensor b = tensor({4, 2, 2, 5}, f64);
    check_values(eq(a, b), {4}, {0, 1, 0, 0});
    check_values(ne(a, b), {4}, {1, 0, 1, 1});
    check_values(lt(a, b), {4}, {1, 0, 0, 1});
    check_values(le(a, b), {4}, {1, 1, 0, 1});
    check_values(gt(a, b), {4}, {0, 0, 1, 0});
    check_values(ge(a, b), {4}, {0, 1, 1, 0});
    check_values(eq(a, 3.0), {4}, {0, 0, 1, 0});
    check_values(ne(a, 3.0), {4}, {1, 1, 0, 1});
    check_values(lt(a, 3.0), {4}, {1, 1, 0, 0});
    check_values(le(a, 3.0), {4}, {1, 1, 1, 0});
    check_values(gt(a, 3.0), {4}, {0, 0, 0, 1});
    check_values(ge(a, 3.0), {4}, {0, 0, 1, 1});
    check_values(gt(from_vector(std::vector<double>{1, 3}, {2, 1}, f64), tensor({0, 2, 4}, f64)), {2, 3}, {1, 0, 0, 1, 1, 0});
    CHECK(eq(a, b).dtype() == DType::boolean);
    CHECK(lt(tensor({1.f, 2.f}), 1.5).dtype() == DType::boolean);
    check_values(where(gt(a, b), a, b), {4}, {4, 2, 3, 5});
    // mask (2, 1), a (1, 3), b rank 0: the result is the broadcast of all three
    check_values(where(from_vector(std::vector<double>{1, 0}, {2, 1}, f64), tensor({{1, 2, 3}}, f64), scalar(-1, f64)), {2, 3},
                 {1, 2, 3, -1, -1, -1});

    // comparisons are never recorded
    Tensor x = tensor({1, 2}, f64_leaf);
    CHECK_FALSE(gt(x, 1.5).requires_grad());
    CHECK_FALSE(eq(x, x).requires_grad());
}

TEST_CASE("elementwise: hand-computed gradients of mul, div and pow") {
    Tensor a = tensor({1, 2, 3}, f64_leaf);
    Tensor b = tensor({4, 5, 6}, f64_leaf);
    sum(mul(a, b)).backward();
    check_values(a.grad(), {3}, {4, 5, 6});
    check_values(b.grad(), {3}, {1, 2, 3});
    a.zero_grad();
    b.zero_grad();
    sum(div(a, b)).backward();
    check_values(a.grad(), {3}, {0.25, 0.2, 1.0 / 6});
    check_values(b.grad(), {3}, {-1.0 / 16, -2.0 / 25, -3.0 / 36});
    a.zero_grad();
    b.zero_grad();
    // d(a^b)/da = b a^(b-1), d(a^b)/db = a^b ln a
    sum(pow(a, b)).backward();
    check_values(a.grad(), {3}, {4, 5 * 16, 6 * 243});
    check_values(b.grad(), {3}, {0, 32 * std::log(2.0), 729 * std::log(3.0)});
    // a broadcast operand receives the sum over the broadcast axes
    Tensor m = tensor({{1, 2, 3}, {4, 5, 6}}, f64_leaf);
    Tensor r = tensor({1, 10, 100}, f64_leaf);
    sum(mul(m, r)).backward();
    check_values(r.grad(), {3}, {5, 7, 9});
    check_values(m.grad(), {2, 3}, {1, 10, 100, 1, 10, 100});
}

// ---- gradchecks ------------------------------------------------------------------

TEST_CASE("elementwise: gradcheck of the binary ops on plain, broadcast, rank-0, size-1 and empty shapes") {
    check_binary_op("add", [](const Tensor& a, const Tensor& b) { return add(a, b); }, -1, 1, -1, 1);
    check_binary_op("sub", [](const Tensor& a, const Tensor& b) { return sub(a, b); }, -1, 1, -1, 1);
    check_binary_op("mul", [](const Tensor& a, const Tensor& b) { return mul(a, b); }, -1, 1, -1, 1);
    check_binary_op("div", [](const Tensor& a, const Tensor& b) { return div(a, b); }, -1, 1, -2, 2, 0.5);
    check_binary_op("pow", [](const Tensor& a, const Tensor& b) { return pow(a, b); }, 0.5, 2, -1.5, 2.5);
    // random a and b of independent seeds never tie
    check_binary_op("maximum", [](const Tensor& a, const Tensor& b) { return maximum(a, b); }, -1, 1, -1, 1);
    check_binary_op("minimum", [](const Tensor& a, const Tensor& b) { return minimum(a, b); }, -1, 1, -1, 1);
    check_binary_op("operators", [](const Tensor& a, const Tensor& b) { return (a * b - a) / b + b * 2.0; }, -1, 1,
                    -2, 2, 0.5);
}

TEST_CASE("elementwise: gradcheck of where, with the mask broadcast") {
    for (const BinaryCase& c : binary_cases) {
        INFO(shape_str(c.a) << " with " << shape_str(c.b));
        const Tensor a = rnd(c.a, -1, 1, 3), b = rnd(c.b, -1, 1, 4);
        // a mask of the broadcast shape, half ones
        const Tensor mask = gt(rnd(c.out, -1, 1, 17), 0.0);
        check_grad([&](const std::vector<Tensor>& x) { return where(mask, x[0], x[1]); }, {a, b}, "where");
    }
    // a (3, 1) mask picking rows of (3, 4) and (4,)
    const Tensor mask = from_vector(std::vector<double>{1, 0, 1}, {3, 1}, f64);
    check_grad([&](const std::vector<Tensor>& x) { return where(mask, x[0], x[1]); },
               {rnd({3, 4}, -1, 1, 1), rnd({4}, -1, 1, 2)}, "where (3,1) mask");
    Tensor a = tensor({1, 2, 3}, f64_leaf), b = tensor({4, 5, 6}, f64_leaf);
    sum(mul(where(tensor({1, 0, 1}, f64), a, b), tensor({1, 2, 3}, f64))).backward();
    check_values(a.grad(), {3}, {1, 0, 3});
    check_values(b.grad(), {3}, {0, 2, 0});
}

TEST_CASE("elementwise: gradcheck of the unary ops on several shapes") {
    check_unary_op("neg", [](const Tensor& x) { return neg(x); }, -1, 1);
    check_unary_op("square", [](const Tensor& x) { return square(x); }, -1, 1);
    check_unary_op("exp", [](const Tensor& x) { return exp(x); }, -2, 2);
    check_unary_op("log", [](const Tensor& x) { return log(x); }, 0.2, 3);
    check_unary_op("sqrt", [](const Tensor& x) { return sqrt(x); }, 0.2, 3);
    check_unary_op("abs", [](const Tensor& x) { return abs(x); }, -1, 1, 0.0);
    check_unary_op("clamp", [](const Tensor& x) { return clamp(x, -0.5, 0.5); }, -1, 1, -0.5);
    check_unary_op("clamp (upper edge)", [](const Tensor& x) { return clamp(x, -0.5, 0.5); }, -1, 1, 0.5);
    check_unary_op("add scalar", [](const Tensor& x) { return add(x, 2.5); }, -1, 1);
    check_unary_op("mul scalar", [](const Tensor& x) { return mul(x, -1.5); }, -1, 1);
    check_unary_op("rsub", [](const Tensor& x) { return rsub(2, x); }, -1, 1);
    check_unary_op("rdiv", [](const Tensor& x) { return rdiv(2, x); }, -2, 2, 0.0, 0.4);
    check_unary_op("pow 3", [](const Tensor& x) { return pow(x, 3); }, -1, 1);
    check_unary_op("pow 2.5", [](const Tensor& x) { return pow(x, 2.5); }, 0.2, 2);
    check_unary_op("pow -1", [](const Tensor& x) { return pow(x, -1); }, -2, 2, 0.0, 0.4);
    check_unary_op("pow 0", [](const Tensor& x) { return pow(x, 0); }, -1, 1);
    check_unary_op("pow 1", [](const Tensor& x) { return pow(x, 1); }, -1, 1);
}

TEST_CASE("elementwise: gradients in float32 are float32 and correct") {
    Tensor a = tensor({1, 2, 3}, {DType::f32, true});
    Tensor b = tensor({0.5, -1, 2}, {DType::f32, true});
    sum(add(mul(a, b), div(exp(a), b))).backward();
    REQUIRE(a.grad().dtype() == DType::f32);
    REQUIRE(b.grad().dtype() == DType::f32);
    const double av[] = {1, 2, 3}, bv[] = {0.5, -1, 2};
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(a.grad().at({i}) == doctest::Approx(bv[i] + std::exp(av[i]) / bv[i]).epsilon(1e-6));
        CHECK(b.grad().at({i}) == doctest::Approx(av[i] - std::exp(av[i]) / (bv[i] * bv[i])).epsilon(1e-6));
    }
}

// ---- documented kink rules ------------------------------------------------------

TEST_CASE("elementwise: maximum and minimum split the gradient evenly on ties") {
    Tensor a = tensor({1, 2, 3}, f64_leaf);
    Tensor b = tensor({1, 0, 3}, f64_leaf);
    sum(maximum(a, b)).backward();
    check_values(a.grad(), {3}, {0.5, 1, 0.5});
    check_values(b.grad(), {3}, {0.5, 0, 0.5});
    a.zero_grad();
    b.zero_grad();
    sum(minimum(a, b)).backward();
    check_values(a.grad(), {3}, {0.5, 0, 0.5});
    check_values(b.grad(), {3}, {0.5, 1, 0.5});
    // broadcast tie: a rank-0 b tying with two elements receives half of each
    Tensor c = tensor({2, 2, 1}, f64_leaf);
    Tensor s = scalar(2, f64_leaf);
    sum(maximum(c, s)).backward();
    check_values(c.grad(), {3}, {0.5, 0.5, 0});
    check_values(s.grad(), {}, {2.0});
    // maximum(x, x) has gradient 1 in total
    Tensor x = tensor({-1, 4}, f64_leaf);
    sum(maximum(x, x)).backward();
    check_values(x.grad(), {2}, {1, 1});
}

TEST_CASE("elementwise: clamp passes the gradient at its edges, abs has gradient 0 at 0") {
    Tensor x = tensor({-2, -1, 0, 1, 2}, f64_leaf);
    sum(clamp(x, -1, 1)).backward();
    check_values(x.grad(), {5}, {0, 1, 1, 1, 0});
    x.zero_grad();
    sum(abs(x)).backward();
    check_values(x.grad(), {5}, {-1, -1, 0, 1, 1});
    // a degenerate clamp (lo == hi) is a constant except exactly at the point
    Tensor y = tensor({-1, 0.5, 2}, f64_leaf);
    const Tensor c = clamp(y, 0.5, 0.5);
    check_values(c, {3}, {0.5, 0.5, 0.5});
    sum(c).backward();
    check_values(y.grad(), {3}, {0, 1, 0});
}

// ---- second derivatives ------------------------------------------------------------

TEST_CASE("elementwise: d2/dx2 of x^3 is exactly 6x") {
    const Tensor x0 = tensor({-1.5, -0.25, 0, 0.5, 2}, f64);
    const std::vector<std::function<Tensor(const Tensor&)>> cubes = {
        [](const Tensor& x) { return pow(x, 3); },
        [](const Tensor& x) { return mul(mul(x, x), x); },
        [](const Tensor& x) { return mul(square(x), x); },
    };
    for (std::size_t k = 0; k < cubes.size(); ++k) {
        INFO("form " << k);
        Tensor x = x0.detach().requires_grad_();
        const Tensor y = sum(cubes[k](x));
        const Tensor g = grad({y}, {x}, {}, {.create_graph = true})[0];
        REQUIRE(g.requires_grad());
        const Tensor h = grad({sum(g)}, {x})[0];
        const std::vector<double> xs = x0.to_vector();
        for (std::size_t i = 0; i < xs.size(); ++i) {
            CHECK(g.at({i}) == doctest::Approx(3 * xs[i] * xs[i]).epsilon(1e-14));
            CHECK(h.at({i}) == doctest::Approx(6 * xs[i]).epsilon(1e-14));
        }
    }
    // third derivative: 6
    Tensor x = x0.detach().requires_grad_();
    const Tensor g1 = grad({sum(pow(x, 3))}, {x}, {}, {.create_graph = true})[0];
    const Tensor g2 = grad({sum(g1)}, {x}, {}, {.create_graph = true})[0];
    const Tensor g3 = grad({sum(g2)}, {x})[0];
    check_values(g3, {5}, {6, 6, 6, 6, 6});
}

TEST_CASE("elementwise: gradgradcheck of the smooth ops") {
    const Tensor a = rnd({2, 3}, -1, 1, 1), b = rnd({2, 3}, -1, 1, 2);
    const Tensor row = rnd({3}, 0.5, 1.5, 3), pos = rnd({2, 3}, 0.5, 2, 4);
    using V = const std::vector<Tensor>&;
    check_gradgrad([](V x) { return exp(x[0]); }, {a}, "exp");
    check_gradgrad([](V x) { return log(x[0]); }, {pos}, "log");
    check_gradgrad([](V x) { return sqrt(x[0]); }, {pos}, "sqrt");
    check_gradgrad([](V x) { return square(x[0]); }, {a}, "square");
    check_gradgrad([](V x) { return pow(x[0], 3); }, {a}, "pow 3");
    check_gradgrad([](V x) { return pow(x[0], -1.5); }, {pos}, "pow -1.5");
    check_gradgrad([](V x) { return rdiv(3, x[0]); }, {pos}, "rdiv");
    check_gradgrad([](V x) { return mul(x[0], x[1]); }, {a, b}, "mul");
    check_gradgrad([](V x) { return mul(x[0], x[1]); }, {a, row}, "mul broadcast");
    check_gradgrad([](V x) { return div(x[0], x[1]); }, {a, row}, "div");
    check_gradgrad([](V x) { return div(x[0], x[1]); }, {a, pos}, "div same shape");
    check_gradgrad([](V x) { return pow(x[0], x[1]); }, {pos, b}, "pow tensor");
    check_gradgrad([](V x) { return mul(exp(x[0]), log(x[1])); }, {a, pos}, "exp * log");
    check_gradgrad([](V x) { return sub(x[0], x[1]) * x[0]; }, {a, b}, "(a - b) a");
}

TEST_CASE("elementwise: a Hessian-vector product matches finite differences of gradients") {
    // f(x) = sum(exp(x) * x^2 / (1 + x^2)) + (sum x)^3, non-separable through the cube
    auto f = [](const Tensor& x) {
        return add(sum(div(mul(exp(x), square(x)), add(square(x), 1.0))), pow(sum(x), 3));
    };
    const Tensor x0 = rnd({5}, -1, 1, 9);
    const Tensor v = rnd({5}, -1, 1, 10);
    auto gradient_at = [&](const Tensor& at) {
        Tensor x = at.detach().requires_grad_();
        return grad({f(x)}, {x})[0];
    };
    Tensor x = x0.detach().requires_grad_();
    const Tensor g = grad({f(x)}, {x}, {}, {.create_graph = true})[0];
    const Tensor hv = grad({sum(mul(g, v))}, {x})[0];
    const double h = 1e-5;
    const std::vector<double> plus = gradient_at(add(x0, mul(v, h))).to_vector();
    const std::vector<double> minus = gradient_at(sub(x0, mul(v, h))).to_vector();
    for (std::size_t i = 0; i < 5; ++i) {
        const double numeric = (plus[i] - minus[i]) / (2 * h);
        INFO("element " << i);
        CHECK(hv.at({i}) == doctest::Approx(numeric).epsilon(1e-6));
    }
    // and the Hessian is symmetric: e_i^T H e_j == e_j^T H e_i
    Tensor xs = x0.detach().requires_grad_();
    const Tensor gs = grad({f(xs)}, {xs}, {}, {.create_graph = true})[0];
    std::vector<std::vector<double>> hess;
    for (std::size_t i = 0; i < 5; ++i) {
        Tensor e = zeros({5}, f64);
        e.set({i}, 1);
        hess.push_back(grad({sum(mul(gs, e))}, {xs}, {}, {.retain_graph = true})[0].to_vector());
    }
    for (std::size_t i = 0; i < 5; ++i)
        for (std::size_t j = 0; j < i; ++j) CHECK(hess[i][j] == doctest::Approx(hess[j][i]).epsilon(1e-12));
}

TEST_CASE("elementwise: every op runs in float32 and agrees with float64, gradients included") {
    using V = const std::vector<Tensor>&;
    const Tensor a = rnd({3, 4}, -1, 1, 1), b = rnd({4}, 0.5, 1.5, 2), p = rnd({3, 4}, 0.5, 2, 3);
    check_f32("add", [](V v) { return add(v[0], v[1]); }, {a, b});
    check_f32("sub", [](V v) { return sub(v[0], v[1]); }, {a, b});
    check_f32("mul", [](V v) { return mul(v[0], v[1]); }, {a, b});
    check_f32("div", [](V v) { return div(v[0], v[1]); }, {a, b});
    check_f32("pow tensor", [](V v) { return pow(v[0], v[1]); }, {p, b});
    check_f32("maximum", [](V v) { return maximum(v[0], v[1]); }, {a, b});
    check_f32("minimum", [](V v) { return minimum(v[0], v[1]); }, {a, b});
    check_f32("where", [](V v) { return where(gt(v[0], 0.0), v[0], v[1]); }, {a, b});
    check_f32("neg", [](V v) { return neg(v[0]); }, {a});
    check_f32("scalars", [](V v) { return rdiv(2, add(rsub(3, mul(v[0], 2)), 1)); }, {a});
    check_f32("pow", [](V v) { return pow(v[0], 2.5); }, {p});
    check_f32("square", [](V v) { return square(v[0]); }, {a});
    check_f32("exp", [](V v) { return exp(v[0]); }, {a});
    check_f32("log", [](V v) { return log(v[0]); }, {p});
    check_f32("sqrt", [](V v) { return sqrt(v[0]); }, {p});
    check_f32("abs", [](V v) { return abs(v[0]); }, {a});
    check_f32("clamp", [](V v) { return clamp(v[0], -0.5, 0.5); }, {a});
}

TEST_CASE("elementwise: clamp at a bound float cannot hold exactly passes the gradient (float32)") {
    // float(0.1) > 0.1 and float(0.7) < 0.7: the forward clamps at the rounded bound,
    // so the backward must compare with the same rounded value
    Tensor hi_edge = tensor({0.1}, {DType::f32, true});
    Tensor lo_edge = tensor({0.7}, {DType::f32, true});
    Tensor a = clamp(hi_edge, -1.0, 0.1);
    Tensor b = clamp(lo_edge, 0.7, 2.0);
    CHECK(a.item() == static_cast<double>(0.1f));
    CHECK(b.item() == static_cast<double>(0.7f));
    sum(a + b).backward();
    CHECK(hi_edge.grad().item() == 1.0);
    CHECK(lo_edge.grad().item() == 1.0);
}

TEST_CASE("elementwise: maximum and minimum propagate NaN from either side, float and double") {
    const double nan = std::nan("");
    for (DType dt : {DType::f32, DType::f64}) {
        INFO(dtype_name(dt));
        const Tensor n = tensor({nan, nan, 1.0}, {dt});
        const Tensor one = tensor({1.0, nan, nan}, {dt});
        for (const Tensor& r : {maximum(n, one), maximum(one, n), minimum(n, one), minimum(one, n)}) {
            const std::vector<double> v = r.to_vector();
            CHECK(std::isnan(v[0]));
            CHECK(std::isnan(v[1]));
            CHECK(std::isnan(v[2]));
        }
        // the broadcast scalar paths of the kernel
        CHECK(std::isnan(maximum(scalar(nan, {dt}), tensor({1.0, 2.0}, {dt})).to_vector()[1]));
        CHECK(std::isnan(minimum(tensor({1.0, 2.0}, {dt}), scalar(nan, {dt})).to_vector()[0]));
    }
    // the NaN operand takes the gradient; two NaNs split it (Note [NaN in maximum and minimum])
    Tensor a = tensor({nan, 2.0, nan}, {DType::f64, true});
    Tensor b = tensor({1.0, nan, nan}, {DType::f64, true});
    sum(maximum(a, b)).backward();
    CHECK(a.grad().to_vector() == std::vector<double>{1, 0, 0.5});
    CHECK(b.grad().to_vector() == std::vector<double>{0, 1, 0.5});
}

TEST_CASE("elementwise: clamp, clamp_min, clamp_max and leaky_relu propagate NaN; their gradients there are PyTorch's") {
    const double nan = std::nan("");
    for (DType dt : {DType::f32, DType::f64}) {
        INFO(dtype_name(dt));
        // 20 elements: the vectorised body of the loops as well as their tails
        std::vector<double> v(20, 3.0);
        v[2] = nan, v[17] = nan, v[4] = -3.0;
        for (const auto& [name, op] : std::vector<std::pair<std::string, Unary>>{
                 {"clamp", [](const Tensor& x) { return clamp(x, -1, 1); }},
                 {"clamp_min", [](const Tensor& x) { return clamp_min(x, 0.0); }},
                 {"clamp_max", [](const Tensor& x) { return clamp_max(x, 0.0); }},
                 {"leaky_relu", [](const Tensor& x) { return leaky_relu(x, 0.25); }}}) {
            INFO(name);
            Tensor x = from_vector(v, {20}, {dt, true});
            const Tensor y = op(x);
            const std::vector<double> out = y.to_vector();
            CHECK(std::isnan(out[2]));
            CHECK(std::isnan(out[17]));
            CHECK_FALSE(std::isnan(out[4]));
            // first and second derivative through the NaN: no throw, and the NaN
            // position gets torch's rule (clamp: 0, as `x >= lo && x <= hi` is false;
            // leaky_relu: the slope, as `x > 0` is false)
            const Tensor g = grad({sum(y)}, {x}, {}, {.create_graph = true})[0];
            const std::vector<double> gv = g.to_vector();
            const double at_nan = name == "leaky_relu" ? 0.25 : 0.0;
            CHECK(gv[2] == at_nan);
            CHECK(gv[17] == at_nan);
            // the gradient is a constant mask of x, so d/dx sum(g · x) is g itself: the
            // second pass runs through the NaN and gives torch's numbers, not NaN
            const Tensor gg = grad({sum(mul(g, x))}, {x})[0];
            CHECK(gg.to_vector() == gv);
        }
    }
}

TEST_CASE("elementwise: relu, maximum and minimum at NaN: second derivatives run and keep the NaN") {
    const double nan = std::nan("");
    Tensor x = tensor({nan, 2.0, -1.0}, {DType::f64, true});
    Tensor y = tensor({1.0, nan, -2.0}, {DType::f64, true});
    const Tensor out = add(relu(x), maximum(x, y));
    const std::vector<Tensor> g = grad({sum(out)}, {x, y}, {}, {.create_graph = true});
    // relu passes g at NaN and maximum gives all of g to the NaN operand:
    // x: [relu' 1 + share 1, relu' 1 + share 0, relu' 0 + share 1]
    CHECK(g[0].to_vector() == std::vector<double>{2, 1, 1});
    CHECK(g[1].to_vector() == std::vector<double>{0, 1, 0});
    // d/dx sum(out²) = 2 out (relu' + share) is NaN where out is; its derivative is
    // 2 (relu' + share)² (the masks are constants, as in torch): [2·2², 2·1², 2·1²]
    const Tensor gx = grad({sum(mul(out, out))}, {x}, {}, {.create_graph = true})[0];
    CHECK(std::isnan(gx.to_vector()[0]));
    CHECK(grad({sum(gx)}, {x})[0].to_vector() == std::vector<double>{8, 2, 2});
}

TEST_CASE("elementwise: sum_to gives the element-by-element sums, in the same order, on 1, 2 and 3 threads") {
    // sum_to is how broadcast gradients come back; summing leading axes takes a
    // row-by-row loop shared among threads by columns (graph/broadcast.cpp), the
    // other patterns the general loop. Both must add in row-major order.
    const int before = num_threads();
    struct Case {
        Shape in, to;
    };
    const std::vector<Case> cases = {
        {{5, 3}, {3}},           {{5, 3}, {1, 3}},        {{4, 5, 3}, {3}},   {{4, 5, 3}, {5, 3}},
        {{4, 5, 3}, {1, 1, 3}},  {{4, 5, 3}, {4, 1, 3}},  {{4, 5, 3}, {4, 5, 1}},  {{4, 5, 3}, {}},
        {{4, 1, 3}, {3}},        {{1, 3}, {3}},           {{4, 5, 3}, {1, 1}},     {{0, 3}, {3}},
        {{4, 5, 3}, {4, 1, 1}},  {{4, 5, 3, 2}, {4, 1, 1, 2}}, {{4, 5, 3}, {1, 5, 1}}, {{2, 1, 3}, {2, 1, 1}},
        {{600, 300}, {300}},     {{40, 30, 300}, {1, 300}}, {{300, 600}, {300, 1}}, {{30, 400, 20}, {30, 1, 20}},
    };
    for (const Case& c : cases) {
        const Tensor x = rnd(c.in, -1, 1, 11);
        const std::vector<double> xv = x.to_vector();
        // expected: visit x in row-major order and add each element to its target
        const std::size_t rank = c.in.size(), offset = rank - c.to.size();
        std::size_t n_out = 1;
        for (std::size_t d : c.to) n_out *= d;
        std::vector<double> expected(n_out, 0.0);
        std::vector<std::size_t> idx(rank, 0);
        for (double v : xv) {
            std::size_t o = 0;
            for (std::size_t k = offset; k < rank; ++k) o = o * c.to[k - offset] + (c.to[k - offset] == 1 ? 0 : idx[k]);
            expected[o] += v;
            for (std::size_t k = rank; k-- > 0;)
                if (++idx[k] < c.in[k]) break;
                else idx[k] = 0;
        }
        for (int threads : {1, 2, 3}) {
            set_num_threads(threads);
            const Tensor y = sum_to(x, c.to);
            INFO(shape_str(c.in), " -> ", shape_str(c.to), " on ", threads, " threads");
            CHECK(y.shape() == c.to);
            CHECK(y.to_vector() == expected);
        }
    }
    set_num_threads(before);
}
