// Activation functions: each forward with its backward rule.
#include "activation.hpp"

#include <cmath>

#include "detail.hpp"
#include "elementwise.hpp"
#include "reduce.hpp"

namespace tg {

using detail::map;

Tensor step(const Tensor& x) {
    check_defined("step", x);
    // Never recorded: the gradient of a step is zero (see the header).
    return map(x, [](auto v) { return v > 0 ? 1 : 0; });
}

Tensor sign(const Tensor& x) {
    check_defined("sign", x);
    return map(x, [](auto v) { return v > 0 ? 1 : (v < 0 ? -1 : 0); });
}

Tensor sigmoid(const Tensor& x) {
    check_defined("sigmoid", x);
    // Two branches so that e^(-x) never overflows: for x < 0 use e^x / (1 + e^x).
    Tensor out = map(x, [](auto v) {
        using T = decltype(v);
        if (v >= 0) return T(1) / (T(1) + std::exp(-v));
        const T e = std::exp(v);
        return e / (T(1) + e);
    });
    return record("sigmoid", {x}, out, [](BackwardContext& ctx) {
        const Tensor o = ctx.out();
        ctx.add(0, mul(ctx.grad_out(), mul(o, rsub(1.0, o))));
    });
}

Tensor tanh(const Tensor& x) {
    check_defined("tanh", x);
    Tensor out = map(x, [](auto v) { return std::tanh(v); });
    return record("tanh", {x}, out, [](BackwardContext& ctx) {
        ctx.add(0, mul(ctx.grad_out(), rsub(1.0, square(ctx.out()))));
    });
}

Tensor relu(const Tensor& x) {
    check_defined("relu", x);
    Tensor out = map(x, [](auto v) { return v > 0 ? v : decltype(v)(0); });
    return record("relu", {x}, out, [](BackwardContext& ctx) { ctx.add(0, mul(ctx.grad_out(), gt(ctx.input(0), 0.0))); });
}

Tensor leaky_relu(const Tensor& x, double slope) {
    check_defined("leaky_relu", x);
    Tensor out = map(x, [slope](auto v) { return v > 0 ? v : static_cast<decltype(v)>(slope) * v; });
    return record("leaky_relu", {x}, out, [slope](BackwardContext& ctx) {
        const Tensor factor = map(ctx.input(0), [slope](auto v) { return v > 0 ? 1.0 : slope; });
        ctx.add(0, mul(ctx.grad_out(), factor));
    });
}

Tensor softplus(const Tensor& x) {
    check_defined("softplus", x);
    // log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for large |x|.
    Tensor out = map(x, [](auto v) { return std::max(v, decltype(v)(0)) + std::log1p(std::exp(-std::abs(v))); });
    return record("softplus", {x}, out, [](BackwardContext& ctx) {
        ctx.add(0, mul(ctx.grad_out(), sigmoid(ctx.input(0))));
    });
}

namespace {

/// Stable log-softmax or softmax along one axis, forward values only.
Tensor softmax_kernel(const Tensor& x, std::size_t axis, bool log_space) {
    const auto v = detail::axis_view(x.shape(), axis);
    return dispatch(x.dtype(), [&](auto z) {
        using T = decltype(z);
        const Array<T>& a = values<T>(x);
        Array<T> r = Array<T>::from_shape(a.shape());
        const T* px = a.data();
        T* pr = r.data();
        for (std::size_t o = 0; o < v.outer; ++o)
            for (std::size_t i = 0; i < v.inner; ++i) {
                const T* in = px + o * v.n * v.inner + i;
                T* out = pr + o * v.n * v.inner + i;
                T m = -std::numeric_limits<T>::infinity();
                for (std::size_t k = 0; k < v.n; ++k) m = std::max(m, in[k * v.inner]);
                if (!std::isfinite(m)) m = 0;
                T total = 0;
                for (std::size_t k = 0; k < v.n; ++k) total += std::exp(in[k * v.inner] - m);
                if (log_space) {
                    const T log_total = std::log(total);
                    for (std::size_t k = 0; k < v.n; ++k) out[k * v.inner] = in[k * v.inner] - m - log_total;
                } else {
                    for (std::size_t k = 0; k < v.n; ++k) out[k * v.inner] = std::exp(in[k * v.inner] - m) / total;
                }
            }
        return make_tensor(std::move(r));
    });
}

}  // namespace

Tensor softmax(const Tensor& x, int axis) {
    check_defined("softmax", x);
    const std::size_t a = detail::normalize_axis(axis, x.dim(), "softmax");
    Tensor out = softmax_kernel(x, a, false);
    return record("softmax", {x}, out, [a](BackwardContext& ctx) {
        // dx = out * (g - sum(g * out))
        const Tensor o = ctx.out();
        const Tensor& g = ctx.grad_out();
        ctx.add(0, mul(o, sub(g, sum(mul(g, o), {static_cast<int>(a)}, true))));
    });
}

Tensor log_softmax(const Tensor& x, int axis) {
    check_defined("log_softmax", x);
    const std::size_t a = detail::normalize_axis(axis, x.dim(), "log_softmax");
    Tensor out = softmax_kernel(x, a, true);
    return record("log_softmax", {x}, out, [a](BackwardContext& ctx) {
        // dx = g - softmax(x) * sum(g), softmax(x) = exp(out)
        const Tensor& g = ctx.grad_out();
        ctx.add(0, sub(g, mul(exp(ctx.out()), sum(g, {static_cast<int>(a)}, true))));
    });
}

}  // namespace tg
