// custom_op (ops/custom.hpp): the examples of ops/README.md's "Writing your own
// differentiable op" — a straight-through estimator, a clipped-gradient identity
// and softsign with a differentiable backward — checked against their definitions,
// finite differences and second derivatives.
#include <cmath>

#include "helpers.hpp"

using namespace tg;
using namespace tg::test;

namespace {

/// Straight-through estimator: round(x) forward, the gradient passed unchanged.
Tensor round_ste(const Tensor& x) {
    return custom_op(
        "round_ste", {x},
        [](const std::vector<Tensor>& in) {
            std::vector<double> v = in[0].to_vector();
            for (double& e : v) e = std::nearbyint(e);
            return from_vector(v, in[0].shape(), {in[0].dtype()});
        },
        [](BackwardContext& ctx) { ctx.add(0, ctx.grad_out()); });
}

/// Identity forward; the gradient clamped to [-c, c] on its way back.
Tensor clip_grad(const Tensor& x, double c) {
    return custom_op(
        "clip_grad", {x}, [](const std::vector<Tensor>& in) { return in[0]; },
        [c](BackwardContext& ctx) { ctx.add(0, clamp(ctx.grad_out(), -c, c)); });
}

/// softsign(x) = x / (1 + |x|), d/dx = 1 / (1 + |x|)^2, the backward written with ops
/// (so it is recorded under create_graph and has its own derivative).
Tensor softsign(const Tensor& x) {
    return custom_op(
        "softsign", {x}, [](const std::vector<Tensor>& in) { return div(in[0], add(abs(in[0]), 1.0)); },
        [](BackwardContext& ctx) {
            const Tensor d = add(abs(ctx.input(0)), 1.0);
            ctx.add(0, div(ctx.grad_out(), mul(d, d)));
        });
}

int b_gradients_computed = 0;

/// a · b with a rule that asks needs(i) before computing each input's gradient.
Tensor product(const Tensor& a, const Tensor& b) {
    return custom_op(
        "product", {a, b}, [](const std::vector<Tensor>& in) { return mul(in[0], in[1]); },
        [](BackwardContext& ctx) {
            if (ctx.needs(0)) ctx.add(0, mul(ctx.grad_out(), ctx.input(1)));
            if (ctx.needs(1)) {
                ++b_gradients_computed;
                ctx.add(1, mul(ctx.grad_out(), ctx.input(0)));
            }
        });
}

}  // namespace

TEST_CASE("custom_op: a straight-through estimator rounds forward and passes the gradient") {
    Tensor x = tensor({0.2, 1.7, -2.6, 3.5}, {DType::f64, true});
    const Tensor y = round_ste(x);
    CHECK(y.to_vector() == std::vector<double>{0, 2, -3, 4});
    CHECK(y.requires_grad());
    sum(mul(y, tensor({1.0, 2.0, 3.0, 4.0}, {DType::f64}))).backward();
    CHECK(x.grad().to_vector() == std::vector<double>{1, 2, 3, 4});  // the upstream gradient, unchanged
    // without a gradient to track, nothing is recorded
    const Tensor plain = round_ste(tensor({0.4}, {DType::f64}));
    CHECK_FALSE(plain.requires_grad());
}

TEST_CASE("custom_op: a clipped-gradient identity leaves values and clamps the gradient; its input is not touched") {
    Tensor x = tensor({1.0, -2.0, 3.0}, {DType::f64, true});
    const Tensor y = clip_grad(x, 0.5);
    CHECK(y.to_vector() == x.to_vector());
    CHECK(x.grad_fn() == nullptr);  // the identity forward was copied: the op hangs on y, not on x
    sum(mul(y, tensor({0.25, -4.0, 2.0}, {DType::f64}))).backward();
    CHECK(x.grad().to_vector() == std::vector<double>{0.25, -0.5, 0.5});
}

TEST_CASE("custom_op: a backward written with ops passes gradcheck and gradgradcheck; needs(i) skips work") {
    const Tensor x = away(rnd({3, 4}, -2, 2, 5), 0, 0.05);  // away from the kink of |x| at 0
    check_grad([](const std::vector<Tensor>& in) { return softsign(in[0]); }, {x}, "softsign");
    check_gradgrad([](const std::vector<Tensor>& in) { return softsign(in[0]); }, {x}, "softsign");
    // needs(i): b is a constant, so the rule never computes its gradient
    b_gradients_computed = 0;
    Tensor a = tensor({1.0, 2.0}, {DType::f64, true});
    const Tensor b = tensor({3.0, 5.0}, {DType::f64});
    sum(product(a, b)).backward();
    CHECK(a.grad().to_vector() == std::vector<double>{3, 5});
    CHECK(b_gradients_computed == 0);
    check_grad([](const std::vector<Tensor>& in) { return product(in[0], in[1]); },
               {rnd({2, 3}, -1, 1, 8), rnd({3}, -1, 1, 9)}, "product (broadcast b)");
    CHECK(b_gradients_computed > 0);
}
