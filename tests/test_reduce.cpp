// Reductions: forward values over all elements and over axes (keepdims or not),
// gradchecks on plain, size-1, rank-0 and empty shapes, the even split between
// tied maxima, logsumexp's stability, and second derivatives.
#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "helpers.hpp"

using namespace tg;
using namespace tg::test;

namespace {

/// 0, 1, ..., 23 as a (2, 3, 4) float64 tensor.
Tensor iota234() { return reshape(arange(0, 24, 1, f64), {2, 3, 4}); }

/// The shape a reduction over axes gives (keepdims or not).
Shape reduced_shape(const Shape& s, const Axes& axes, bool keepdims) {
    std::vector<bool> hit(s.size(), axes.empty());
    for (int a : axes) hit[static_cast<std::size_t>(a < 0 ? a + static_cast<int>(s.size()) : a)] = true;
    Shape out;
    for (std::size_t k = 0; k < s.size(); ++k) {
        if (!hit[k]) out.push_back(s[k]);
        else if (keepdims) out.push_back(1);
    }
    return out;
}

std::size_t reduced_count(const Shape& s, const Axes& axes) {
    std::size_t n = 1;
    if (axes.empty())
        for (std::size_t d : s) n *= d;
    for (int a : axes) n *= s[static_cast<std::size_t>(a < 0 ? a + static_cast<int>(s.size()) : a)];
    return n;
}

const std::vector<Shape> shapes = {{3, 4}, {2, 3, 4}, {}, {1, 1}, {5, 1}, {1, 4}, {0, 3}, {3, 0}};

/// Axis lists to try on a shape: all, each axis (positive and negative), first+last.
std::vector<Axes> axis_lists(const Shape& s) {
    std::vector<Axes> out = {{}};
    const int r = static_cast<int>(s.size());
    for (int a = 0; a < r; ++a) {
        out.push_back({a});
        out.push_back({a - r});
    }
    if (r >= 2) out.push_back({-1, 0});
    return out;
}

std::string axes_str(const Axes& axes) {
    if (axes.empty()) return "all";
    std::string s;
    for (int a : axes) s += std::to_string(a) + " ";
    return s;
}

using Reduction = std::function<Tensor(const Tensor&, const Axes&, bool)>;

/// Gradcheck a reduction on every shape and axis list; when a reduction has no elements to
/// reduce, either expect a ShapeError (max, min, mean) or check the result shape.
void check_reduction(const std::string& name, const Reduction& op, bool empty_reduction_throws) {
    for (const Shape& s : shapes)
        for (const Axes& axes : axis_lists(s))
            for (bool keepdims : {false, true}) {
                INFO(name << " " << shape_str(s) << " axes " << axes_str(axes) << " keepdims " << keepdims);
                // random values never tie
                const Tensor x = rnd(s, -2, 2, 21);
                if (empty_reduction_throws && reduced_count(s, axes) == 0) {
                    CHECK_THROWS_AS(op(x, axes, keepdims), ShapeError);
                    continue;
                }
                const Shape expected = reduced_shape(s, axes, keepdims);
                const auto f = [&](const std::vector<Tensor>& v) { return op(v[0], axes, keepdims); };
                check_grad(f, {x}, name);
                check_backward_shapes(f, {x}, expected);
            }
}

}  // namespace

// ---- forward values ------------------------------------------------------------

TEST_CASE("reduce: sum and mean values over all elements and over axes") {
    const Tensor x = iota234();
    check_values(sum(x), {}, {276});
    check_values(mean(x), {}, {11.5});
    check_values(sum(x, {}), {}, {276});
    check_values(sum(x, {}, true), {1, 1, 1}, {276});
    std::vector<double> s0;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 4; ++j) s0.push_back(12 + 8 * i + 2 * j);
    check_values(sum(x, {0}), {3, 4}, s0);
    check_values(sum(x, {-3}, true), {1, 3, 4}, s0);
    check_values(sum(x, {-1}), {2, 3}, {6, 22, 38, 54, 70, 86});
    check_values(sum(x, {2}, true), {2, 3, 1}, {6, 22, 38, 54, 70, 86});
    check_values(sum(x, {0, 2}), {3}, {60, 92, 124});
    check_values(sum(x, {2, 0}, true), {1, 3, 1}, {60, 92, 124});
    check_values(mean(x, {0, 2}), {3}, {7.5, 11.5, 15.5});
    check_values(mean(x, {-1}, true), {2, 3, 1}, {1.5, 5.5, 9.5, 13.5, 17.5, 21.5});
    check_values(mean(x, {1}), {2, 4}, {4, 5, 6, 7, 16, 17, 18, 19});
    // rank 0: the value itself
    check_values(sum(scalar(2.5, f64)), {}, {2.5});
    check_values(mean(scalar(2.5, f64)), {}, {2.5});
    // float32
    CHECK(sum(tensor({1.5f, 2.5f, 3.f})).item() == 7);
    CHECK(sum(tensor({1.5f, 2.5f, 3.f})).dtype() == DType::f32);
}

TEST_CASE("reduce: max, min, logsumexp, argmax and argmin values") {
    const Tensor x = iota234();
    check_values(max(x), {}, {23});
    check_values(min(x), {}, {0});
    check_values(max(x, {1}), {2, 4}, {8, 9, 10, 11, 20, 21, 22, 23});
    check_values(min(x, {-1}, true), {2, 3, 1}, {0, 4, 8, 12, 16, 20});
    check_values(max(x, {0, 1}), {4}, {20, 21, 22, 23});
    const Tensor m = tensor({{1, -3, 3}, {2, 0, -7}}, f64);
    check_values(max(m, {0}), {3}, {2, 0, 3});
    check_values(min(m, {0}), {3}, {1, -3, -7});
    check_values(logsumexp(tensor({1, 2, 3}, f64), {}), {}, {3.40760596444438});
    check_values(logsumexp(m, {1}), {2}, {std::log(std::exp(1.0) + std::exp(-3.0) + std::exp(3.0)),
                                         std::log(std::exp(2.0) + 1 + std::exp(-7.0))});
    check_values(logsumexp(m, {0}, true), {1, 3},
                 {std::log(std::exp(1.0) + std::exp(2.0)), std::log(std::exp(-3.0) + 1),
                  std::log(std::exp(3.0) + std::exp(-7.0))});
    // argmax/argmin: first index on ties
    const Tensor t = tensor({{1, 3, 3}, {2, 0, 0}}, f64);
    check_values(argmax(t, 1), {2}, {1, 0});
    check_values(argmin(t, 1), {2}, {0, 1});
    check_values(argmax(t, -1, true), {2, 1}, {1, 0});
    check_values(argmax(t, 0), {3}, {1, 0, 0});
    check_values(argmin(t, 0, true), {1, 3}, {0, 1, 1});
    check_values(argmax(x, 1), {2, 4}, {2, 2, 2, 2, 2, 2, 2, 2});
    check_values(argmin(x, 2), {2, 3}, {0, 0, 0, 0, 0, 0});
    CHECK(argmax(tensor({1.f, 5.f, 2.f}), 0).dtype() == DType::i64);
    check_values(argmax(tensor({1.f, 5.f, 2.f}), 0), {}, {1});
    // argmax is not recorded
    Tensor g = tensor({1, 2}, f64_leaf);
    CHECK_FALSE(argmax(g, 0).requires_grad());
}

// ---- gradchecks ------------------------------------------------------------------

TEST_CASE("reduce: gradcheck of sum, mean, max, min and logsumexp over every axis list, with and without keepdims") {
    check_reduction("sum", [](const Tensor& x, const Axes& a, bool k) { return sum(x, a, k); }, false);
    check_reduction("mean", [](const Tensor& x, const Axes& a, bool k) { return mean(x, a, k); }, true);
    check_reduction("max", [](const Tensor& x, const Axes& a, bool k) { return max(x, a, k); }, true);
    check_reduction("min", [](const Tensor& x, const Axes& a, bool k) { return min(x, a, k); }, true);
    check_reduction("logsumexp", [](const Tensor& x, const Axes& a, bool k) { return logsumexp(x, a, k); }, false);
    // the all-elements overloads
    const Tensor x = rnd({3, 4}, -1, 1, 2);
    using V = const std::vector<Tensor>&;
    check_grad([](V v) { return sum(v[0]); }, {x}, "sum()");
    check_grad([](V v) { return mean(v[0]); }, {x}, "mean()");
    check_grad([](V v) { return max(v[0]); }, {x}, "max()");
    check_grad([](V v) { return min(v[0]); }, {x}, "min()");
}

TEST_CASE("reduce: hand-computed gradients of sum, mean and logsumexp") {
    Tensor x = tensor({{1, 2, 3}, {4, 5, 6}}, f64_leaf);
    sum(mul(sum(x, {1}), tensor({1, 10}, f64))).backward();
    check_values(x.grad(), {2, 3}, {1, 1, 1, 10, 10, 10});
    x.zero_grad();
    sum(mul(mean(x, {0}, true), tensor({{1, 2, 4}}, f64))).backward();
    check_values(x.grad(), {2, 3}, {0.5, 1, 2, 0.5, 1, 2});
    x.zero_grad();
    mean(x).backward();
    check_values(x.grad(), {2, 3}, std::vector<double>(6, 1.0 / 6));
    x.zero_grad();
    // logsumexp: the gradient is softmax along the axis
    sum(logsumexp(x, {1})).backward();
    check_values(x.grad(), {2, 3}, softmax(x.detach(), 1).to_vector(), 1e-14);
}

TEST_CASE("reduce: max and min split the gradient evenly between ties") {
    Tensor x = tensor({1, 3, 3}, f64_leaf);
    max(x).backward();
    check_values(x.grad(), {3}, {0, 0.5, 0.5});
    x.zero_grad();
    Tensor y = tensor({{1, 5}, {5, 5}, {2, 2}}, f64_leaf);
    sum(mul(max(y, {1}), tensor({1, 2, 4}, f64))).backward();
    check_values(y.grad(), {3, 2}, {0, 1, 1, 1, 2, 2});
    y.zero_grad();
    sum(min(y, {0}, true)).backward();
    check_values(y.grad(), {3, 2}, {1, 0, 0, 0, 0, 1});
    y.zero_grad();
    max(y).backward();
    check_values(y.grad(), {3, 2}, {0, 1.0 / 3, 1.0 / 3, 1.0 / 3, 0, 0}, 1e-14);
    Tensor z = full({4}, 2, f64_leaf);
    min(z).backward();
    check_values(z.grad(), {4}, {0.25, 0.25, 0.25, 0.25});
}

TEST_CASE("reduce: empty and rank-0 inputs") {
    Tensor e = zeros({0, 3}, f64_leaf);
    check_values(sum(e), {}, {0});
    check_values(sum(e, {0}), {3}, {0, 0, 0});
    CHECK(sum(e, {1}).shape() == Shape{0});
    CHECK(mean(e, {1}).shape() == Shape{0});
    CHECK(max(e, {1}).shape() == Shape{0});
    CHECK(min(e, {1}, true).shape() == Shape{0, 1});
    CHECK(logsumexp(e, {1}).shape() == Shape{0});
    CHECK(argmax(e, 1).shape() == Shape{0});
    // the log of an empty sum is log 0 = -inf, as in numpy and PyTorch
    const Tensor l = logsumexp(e, {0});
    REQUIRE(l.shape() == Shape{3});
    for (double v : l.to_vector()) CHECK(v == -std::numeric_limits<double>::infinity());
    sum(add(add(sum(e, {0}), sum(max(e, {1}))), sum(mean(e, {1})))).backward();
    REQUIRE(e.grad().defined());
    CHECK(e.grad().shape() == Shape{0, 3});
    // reductions without elements to reduce have no value
    CHECK_THROWS_AS(max(e), ShapeError);
    CHECK_THROWS_AS(min(e, {0}), ShapeError);
    CHECK_THROWS_AS(mean(e), ShapeError);
    CHECK_THROWS_AS(argmax(e, 0), ShapeError);
    // rank 0
    Tensor s = scalar(3, f64_leaf);
    check_values(max(s), {}, {3});
    check_values(logsumexp(s, {}), {}, {3});
    sum(add(add(max(s), min(s)), add(mean(s), logsumexp(s, {})))).backward();
    check_values(s.grad(), {}, {4});
}

// ---- stability ----------------------------------------------------------------------

TEST_CASE("reduce: logsumexp is finite and exact at +-1000, float and double") {
    for (DType dt : {DType::f32, DType::f64}) {
        INFO("dtype " << dtype_name(dt));
        AnomalyGuard anomaly;
        const double tol = dt == DType::f32 ? 1e-6 : 1e-13;
        Tensor x = tensor({{1000, 1000}, {-1000, -1000}, {1000, -1000}}, {dt, true});
        const Tensor l = logsumexp(x, {1});
        check_values(l, {3}, {1000 + std::log(2.0), -1000 + std::log(2.0), 1000}, tol);
        sum(l).backward();
        check_values(x.grad(), {3, 2}, {0.5, 0.5, 0.5, 0.5, 1, 0}, tol);
        x.zero_grad();
        const Tensor all = logsumexp(x, {});
        check_values(all, {}, {1000 + std::log(3.0)}, tol);
        all.backward();
        check_values(x.grad(), {3, 2}, {1.0 / 3, 1.0 / 3, 0, 0, 1.0 / 3, 0}, tol);
    }
    // -inf entries contribute nothing
    check_values(logsumexp(tensor({-std::numeric_limits<double>::infinity(), 0.5}, f64), {}), {}, {0.5});
}

// ---- second derivatives ----------------------------------------------------------------

TEST_CASE("reduce: gradgradcheck of the reductions") {
    using V = const std::vector<Tensor>&;
    const Tensor x = rnd({2, 3}, -1, 1, 12);
    check_gradgrad([](V v) { return square(sum(v[0], {1})); }, {x}, "sum^2");
    check_gradgrad([](V v) { return mul(mean(v[0], {0}, true), v[0]); }, {x}, "mean * x");
    check_gradgrad([](V v) { return logsumexp(v[0], {1}); }, {x}, "logsumexp axis");
    check_gradgrad([](V v) { return logsumexp(v[0], {}); }, {x}, "logsumexp all");
    check_gradgrad([](V v) { return square(max(v[0], {1})); }, {x}, "max^2");
    check_gradgrad([](V v) { return mul(min(v[0], {0}), sum(v[0], {0})); }, {x}, "min * sum");
}

TEST_CASE("reduce: every reduction runs in float32 and agrees with float64, gradients included") {
    using V = const std::vector<Tensor>&;
    const Tensor x = rnd({2, 3, 4}, -2, 2, 1);
    check_f32("sum", [](V v) { return mul(sum(v[0], {1}, true), sum(v[0], {0, 2}, true)); }, {x});
    check_f32("mean", [](V v) { return square(mean(v[0], {-1})); }, {x});
    check_f32("max", [](V v) { return add(max(v[0], {1}), max(v[0])); }, {x});
    check_f32("min", [](V v) { return min(v[0], {0, 2}, true); }, {x});
    check_f32("logsumexp", [](V v) { return logsumexp(v[0], {2}); }, {x});
}
