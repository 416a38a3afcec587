// sin, cos, log1p, expm1, erf, one-sided clamps, GELU (exact and tanh), SiLU and
// softplus with beta/threshold: values against references computed independently
// (Python's math module, with PyTorch's definitions), gradients and gradients of
// gradients against central differences in double, and float32 against float64.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include <tapegrad/tapegrad.hpp>

#include "helpers.hpp"

using namespace tg;
using namespace tg::test;

namespace {

const std::vector<double> xs{-3.0, -1.0, -0.25, 0.0, 0.5, 2.0};
Tensor at_xs() { return from_vector(xs, {6}, f64); }

using Unary = std::function<Tensor(const Tensor&)>;

/// Gradient, gradient of gradient, float32: the checks every smooth unary op gets.
void check_smooth(const std::string& name, const Unary& f, const Tensor& x) {
    const auto g = [&](const std::vector<Tensor>& in) { return f(in[0]); };
    check_grad(g, {x}, name);
    check_gradgrad(g, {x}, name);
    check_f32(name, g, {x});
}

}  // namespace

TEST_CASE("math ops: values as PyTorch defines them") {
    check_values(erf(at_xs()), {6},
                 {-0.9999779095030014, -0.8427007929497149, -0.2763263901682369, 0.0, 0.5204998778130465,
                  0.9953222650189527}, 1e-15);
    check_values(expm1(at_xs()), {6},
                 {-0.950212931632136, -0.6321205588285577, -0.22119921692859512, 0.0, 0.6487212707001282,
                  6.38905609893065}, 1e-15);
    check_values(log1p(from_vector(std::vector<double>{-0.25, 0.0, 0.5, 2.0, 1e-20}, {5}, f64)), {5},
                 {-0.2876820724517809, 0.0, 0.4054651081081644, 1.0986122886681096, 1e-20}, 1e-15);
    check_values(sin(from_vector(std::vector<double>{0.5, -2.0}, {2}, f64)), {2}, {std::sin(0.5), std::sin(-2.0)}, 1e-15);
    check_values(cos(from_vector(std::vector<double>{0.5, -2.0}, {2}, f64)), {2}, {std::cos(0.5), std::cos(-2.0)}, 1e-15);
    check_values(gelu(at_xs()), {6},
                 {-0.00404969409489031, -0.15865525393145707, -0.10032341857926907, 0.0, 0.34573123063700656,
                  1.9544997361036416}, 1e-14);
    check_values(gelu(at_xs(), GeluApproximation::tanh), {6},
                 {-0.0036373920817729943, -0.15880800939172324, -0.100324649298315, 0.0, 0.34571400982514394,
                  1.954597694087775}, 1e-14);
    check_values(silu(at_xs()), {6},
                 {-0.14227761953270035, -0.2689414213699951, -0.10945587477855048, 0.0, 0.3112296656009273,
                  1.7615941559557646}, 1e-14);
    check_values(softplus(at_xs(), 2.0, 1.0), {6},
                 {0.0012378425688652247, 0.06346400552148625, 0.23703849209005334, 0.34657359027997264,
                  0.6566308437591114, 2.0}, 1e-14);
    // softplus(x, 1, 20) is softplus(x) below the threshold, x above it
    check_values(softplus(from_vector(std::vector<double>{-1.0, 19.0, 25.0}, {3}, f64), 1.0), {3},
                 {std::log1p(std::exp(-1.0)), std::log1p(std::exp(19.0)), 25.0}, 1e-15);
    CHECK_THROWS_AS(softplus(at_xs(), 0.0), std::invalid_argument);
}

TEST_CASE("math ops: NaN in, NaN out; outside the domain as C's functions") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const Tensor n = from_vector(std::vector<double>{nan}, {1}, f64);
    for (const Tensor& t : {sin(n), cos(n), log1p(n), expm1(n), erf(n), gelu(n), silu(n), softplus(n, 2.0),
                            clamp_min(n, 0.0), clamp_max(n, 0.0)})
        CHECK(std::isnan(t.to_vector()[0]));
    CHECK(std::isnan(log1p(from_vector(std::vector<double>{-2.0}, {1}, f64)).to_vector()[0]));
    CHECK(log1p(from_vector(std::vector<double>{-1.0}, {1}, f64)).to_vector()[0] == -std::numeric_limits<double>::infinity());
}

TEST_CASE("math ops: gradients and second derivatives against central differences") {
    const Tensor x = rnd({3, 4}, -2, 2, 11);
    check_smooth("sin", [](const Tensor& t) { return sin(t); }, x);
    check_smooth("cos", [](const Tensor& t) { return cos(t); }, x);
    check_smooth("expm1", [](const Tensor& t) { return expm1(t); }, x);
    check_smooth("erf", [](const Tensor& t) { return erf(t); }, x);
    check_smooth("gelu", [](const Tensor& t) { return gelu(t); }, x);
    check_smooth("gelu tanh", [](const Tensor& t) { return gelu(t, GeluApproximation::tanh); }, x);
    check_smooth("silu", [](const Tensor& t) { return silu(t); }, x);
    check_smooth("log1p", [](const Tensor& t) { return log1p(t); }, rnd({3, 4}, -0.5, 3, 12));
    // softplus with beta 2, threshold 1: inputs kept off the switch at x = 0.5
    check_smooth("softplus", [](const Tensor& t) { return softplus(t, 2.0, 1.0); }, away(x, 0.5, 0.05));
}

TEST_CASE("math ops: one-sided clamps pass the gradient at the bound, as PyTorch") {
    const Tensor x = from_vector(std::vector<double>{-1.0, 0.0, 0.5, 2.0}, {4}, f64_leaf);
    const Tensor lo = clamp_min(x, 0.0), hi = clamp_max(x, 0.5);
    check_values(lo, {4}, {0.0, 0.0, 0.5, 2.0});
    check_values(hi, {4}, {-1.0, 0.0, 0.5, 0.5});
    sum(add(lo, hi)).backward();
    check_values(x.grad(), {4}, {1.0, 2.0, 2.0, 1.0});  // x = 0 is on lo's bound, x = 0.5 on hi's
    check_grad([](const std::vector<Tensor>& in) { return clamp_min(in[0], 0.3); }, {away(rnd({5}, -1, 1, 13), 0.3, 0.05)},
               "clamp_min");
    check_grad([](const std::vector<Tensor>& in) { return clamp_max(in[0], 0.3); }, {away(rnd({5}, -1, 1, 14), 0.3, 0.05)},
               "clamp_max");
}

TEST_CASE("statistics: var and stddev with a correction, norms, cumsum, masked_fill") {
    const Tensor a = from_vector(std::vector<double>{1, 2, 3, 4, 2, 2, -1, 5}, {2, 4}, f64);
    check_values(var(a), {}, {23.5/ 7.0});  // over all 8 (mean 2.25), n - 1 = 7
    check_values(var(a, {1}), {2}, {5.0 / 3.0, 6.0});         // rows: mean 2.5 and 2
    check_values(var(a, {1}, 0), {2}, {1.25, 4.5});           // the population's
    check_values(stddev(a, {1}, 0, true), {2, 1}, {std::sqrt(1.25), std::sqrt(4.5)});
    check_values(var(a, {0}), {4}, {0.5, 0.0, 8.0, 0.5});
    CHECK(std::isnan(var(from_vector(std::vector<double>{3}, {1}, f64)).item()));  // n = 1, correction 1: NaN (PyTorch)
    check_values(norm(a, NormOrder::l1, {1}), {2}, {10, 10});
    check_values(norm(a, NormOrder::l2, {1}), {2}, {std::sqrt(30.0), std::sqrt(34.0)});
    check_values(norm(a, NormOrder::inf), {}, {5});
    check_values(cumsum(a, 1), {2, 4}, {1, 3, 6, 10, 2, 4, 3, 8});
    check_values(cumsum(a, 0), {2, 4}, {1, 2, 3, 4, 3, 4, 2, 9});
    check_values(masked_fill(a, gt(a, 2.5), -7), {2, 4}, {1, 2, -7, -7, 2, 2, -1, -7});
}

TEST_CASE("statistics: gradients and second derivatives against central differences") {
    const Tensor x = rnd({3, 5}, -2, 2, 21);
    check_smooth("var rows", [](const Tensor& t) { return var(t, {1}); }, x);
    check_smooth("var all, population", [](const Tensor& t) { return var(t, {}, 0); }, x);
    check_smooth("stddev cols", [](const Tensor& t) { return stddev(t, {0}, 1, true); }, x);
    check_smooth("l2 norm rows", [](const Tensor& t) { return norm(t, NormOrder::l2, {1}); }, x);
    check_smooth("cumsum 1", [](const Tensor& t) { return cumsum(t, 1); }, x);
    check_smooth("cumsum 0 of a square", [](const Tensor& t) { return cumsum(square(t), 0); }, x);
    check_grad([](const std::vector<Tensor>& in) { return norm(in[0], NormOrder::l1); }, {away(rnd({7}, -1, 1, 22), 0, 0.05)},
               "l1 norm");
    check_grad([](const std::vector<Tensor>& in) { return norm(in[0], NormOrder::inf, {1}); }, {rnd({2, 6}, -1, 1, 23)},
               "inf norm");
    check_grad([](const std::vector<Tensor>& in) { return masked_fill(in[0], gt(in[0], 0.2), 3.0); },
               {away(rnd({2, 6}, -1, 1, 24), 0.2, 0.05)}, "masked_fill");
    // the l2 norm of a zero vector passes gradient 0, not NaN (as PyTorch)
    const Tensor z = zeros({3}, {DType::f64, true});
    norm(z).backward();
    check_values(z.grad(), {3}, {0, 0, 0});
    // the same for stddev of a constant slice (PyTorch 1.13's std_backward masks it), and
    // the other row's gradient is untouched
    const Tensor c = from_vector(std::vector<double>{2, 2, 2, 1, -1, 0.5}, {2, 3}, f64_leaf);
    sum(stddev(c, {1}, 0)).backward();
    const std::vector<double> gc = c.grad().to_vector();
    CHECK(gc[0] == 0);
    CHECK(gc[1] == 0);
    CHECK(gc[2] == 0);
    CHECK(gc[3] == doctest::Approx((1 - 1.0 / 6) / (3 * std::sqrt(78.0 / 108))));  // (x - mean) / (n std)
    // but a NaN variance (one element, correction 1) still gives a NaN gradient
    const Tensor one = from_vector(std::vector<double>{3}, {1}, f64_leaf);
    stddev(one).backward();
    CHECK(std::isnan(one.grad().item()));
}
