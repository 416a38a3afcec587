#include "math.hpp"

#include <cmath>
#include <limits>
#include <numbers>

#include "detail.hpp"
#include "elementwise.hpp"

namespace tg {

using detail::map;

Tensor sin(const Tensor& x) {
    check_float("sin", x);
    Tensor out = map(x, [](auto v) { return std::sin(v); });
    return record("sin", {x}, out, [](BackwardContext& ctx) { ctx.add(0, mul(ctx.grad_out(), cos(ctx.input(0)))); });
}

Tensor cos(const Tensor& x) {
    check_float("cos", x);
    Tensor out = map(x, [](auto v) { return std::cos(v); });
    return record("cos", {x}, out, [](BackwardContext& ctx) { ctx.add(0, mul(ctx.grad_out(), neg(sin(ctx.input(0))))); });
}

Tensor log1p(const Tensor& x) {
    check_float("log1p", x);
    Tensor out = map(x, [](auto v) { return std::log1p(v); });
    return record("log1p", {x}, out, [](BackwardContext& ctx) { ctx.add(0, div(ctx.grad_out(), add(ctx.input(0), 1.0))); });
}

Tensor expm1(const Tensor& x) {
    check_float("expm1", x);
    Tensor out = map(x, [](auto v) { return std::expm1(v); });
    return record("expm1", {x}, out, [](BackwardContext& ctx) { ctx.add(0, mul(ctx.grad_out(), add(ctx.out(), 1.0))); });
}

Tensor erf(const Tensor& x) {
    check_float("erf", x);
    Tensor out = map(x, [](auto v) { return std::erf(v); });
    return record("erf", {x}, out, [](BackwardContext& ctx) {
        const double two_over_sqrt_pi = 2 * std::numbers::inv_sqrtpi;
        ctx.add(0, mul(ctx.grad_out(), mul(exp(neg(square(ctx.input(0)))), two_over_sqrt_pi)));
    });
}

Tensor clamp_min(const Tensor& x, double lo) { return clamp(x, lo, std::numeric_limits<double>::infinity()); }

Tensor clamp_max(const Tensor& x, double hi) { return clamp(x, -std::numeric_limits<double>::infinity(), hi); }

}  // namespace tg
