// Activation functions: each forward with its backward rule.
#include "activation.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

#include <fmt/format.h>

#include "detail.hpp"
#include "elementwise.hpp"
#include "fast_math.hpp"
#include "math.hpp"
#include "reduce.hpp"

namespace tg {

using detail::map;

Tensor step(const Tensor& x) {
    check_float("step", x);
    // Never recorded: the gradient of a step is zero (see the header).
    return map(x, [](auto v) { return v > 0 ? 1 : 0; });
}

Tensor sign(const Tensor& x) {
    check_float("sign", x);
    return map(x, [](auto v) { return v > 0 ? 1 : (v < 0 ? -1 : 0); });
}

namespace {

/// out = f(x) for a float32 x by one of fast_math's array kernels (the float64
/// path keeps the C library's functions, exact for gradcheck).
Tensor float_kernel(const Tensor& x, void (*f)(const float*, float*, std::size_t)) {
    const Array<float>& a = values<float>(x);
    Array<float> out = Array<float>::from_shape(a.shape());
    f(a.data(), out.data(), a.size());
    return make_tensor(std::move(out));
}

}  // namespace

namespace detail {

// Backward rules of sigmoid, tanh and relu, each one pass over the gradient
// instead of two or three ops (and their temporaries). They are ops
// themselves, recorded under create_graph, so higher-order gradients still work.

/// g * o * (1 - o), o = sigmoid(x).
Tensor sigmoid_backward(const Tensor& g, const Tensor& o) {
    Tensor out = detail::zip(g, o, "sigmoid_backward", [](auto gv, auto ov) { return gv * (ov * (1 - ov)); });
    return record("sigmoid_backward", {g, o}, out, [](BackwardContext& ctx) {
        const Tensor& gg = ctx.grad_out();
        const Tensor& o = ctx.input(1);
        if (ctx.needs(0)) ctx.add(0, sigmoid_backward(gg, o));                                  // o (1 - o)
        if (ctx.needs(1)) ctx.add(1, mul(mul(gg, ctx.input(0)), rsub(1.0, mul(o, 2.0))));  // g (1 - 2 o)
    });
}

/// g * (1 - o^2), o = tanh(x).
Tensor tanh_backward(const Tensor& g, const Tensor& o) {
    Tensor out = detail::zip(g, o, "tanh_backward", [](auto gv, auto ov) { return gv * (1 - ov * ov); });
    return record("tanh_backward", {g, o}, out, [](BackwardContext& ctx) {
        const Tensor& gg = ctx.grad_out();
        const Tensor& o = ctx.input(1);
        if (ctx.needs(0)) ctx.add(0, tanh_backward(gg, o));                              // 1 - o^2
        if (ctx.needs(1)) ctx.add(1, mul(mul(mul(gg, ctx.input(0)), o), -2.0));  // -2 g o
    });
}

/// g * [x > 0 or x is NaN]: the mask is a constant, so x gets no gradient.
/// (NaN passes g, as PyTorch: `!(x <= 0)`; see relu.)
Tensor relu_backward(const Tensor& g, const Tensor& x) {
    Tensor out = detail::zip(g, x, "relu_backward", [](auto gv, auto xv) { return gv * (xv <= 0 ? 0 : 1); });
    return record("relu_backward", {g}, out, [x](BackwardContext& ctx) {
        ctx.add(0, relu_backward(ctx.grad_out(), x));
    });
}

}  // namespace detail

using detail::relu_backward;
using detail::sigmoid_backward;
using detail::tanh_backward;

Tensor sigmoid(const Tensor& x) {
    check_float("sigmoid", x);
    // Two branches so that e^(-x) never overflows: for x < 0 use e^x / (1 + e^x).
    Tensor out = x.dtype() == DType::f32 ? float_kernel(x, fast::sigmoid_array) : map(x, [](double v) {
        if (v >= 0) return 1 / (1 + std::exp(-v));
        const double e = std::exp(v);
        return e / (1 + e);
    });
    return record("sigmoid", {x}, out, [](BackwardContext& ctx) { ctx.add(0, sigmoid_backward(ctx.grad_out(), ctx.out())); });
}

Tensor tanh(const Tensor& x) {
    check_float("tanh", x);
    Tensor out = x.dtype() == DType::f32 ? float_kernel(x, fast::tanh_array)
                                             : map(x, [](double v) { return std::tanh(v); });
    return record("tanh", {x}, out, [](BackwardContext& ctx) { ctx.add(0, tanh_backward(ctx.grad_out(), ctx.out())); });
}

Tensor relu(const Tensor& x) {
    check_float("relu", x);
    // `v <= 0 ? 0 : v` rather than `v > 0 ? v : 0`: a NaN fails both compares, so it
    // must land in the branch that returns it (the same one compare and blend)
    Tensor out = map(x, [](auto v) { return v <= 0 ? decltype(v)(0) : v; });
    return record("relu", {x}, out, [](BackwardContext& ctx) { ctx.add(0, relu_backward(ctx.grad_out(), ctx.input(0))); });
}

Tensor leaky_relu(const Tensor& x, double slope) {
    check_float("leaky_relu", x);
    Tensor out = map(x, [slope](auto v) { return v > 0 ? v : static_cast<decltype(v)>(slope) * v; });
    return record("leaky_relu", {x}, out, [slope](BackwardContext& ctx) {
        const Tensor factor = map(ctx.input(0), [slope](auto v) { return v > 0 ? 1.0 : slope; });
        ctx.add(0, mul(ctx.grad_out(), factor));
    });
}

Tensor softplus(const Tensor& x) {
    check_float("softplus", x);
    // log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for large |x|.
    Tensor out = map(x, [](auto v) { return std::max(v, decltype(v)(0)) + std::log1p(std::exp(-std::abs(v))); });
    return record("softplus", {x}, out, [](BackwardContext& ctx) {
        ctx.add(0, mul(ctx.grad_out(), sigmoid(ctx.input(0))));
    });
}

Tensor softplus(const Tensor& x, double beta, double threshold) {
    check_float("softplus", x);
    if (!(beta > 0)) throw std::invalid_argument(fmt::format("softplus: beta must be positive, got {}", beta));
    const Tensor bx = mul(x, beta);
    const Tensor linear = gt(bx, threshold);  // a constant mask: where beta x > threshold, out = x
    return where(linear, x, mul(softplus(bx), 1 / beta));
}

Tensor gelu(const Tensor& x, GeluApproximation approximate) {
    check_float("gelu", x);
    // Written with recorded ops: the backward, and its own backward, follow from theirs.
    if (approximate == GeluApproximation::tanh) {
        const double k = std::sqrt(2 / std::numbers::pi);
        const Tensor t = tanh(mul(add(x, mul(pow(x, 3.0), 0.044715)), k));
        return mul(mul(x, add(t, 1.0)), 0.5);
    }
    const Tensor phi = mul(add(erf(mul(x, std::numbers::sqrt2 / 2)), 1.0), 0.5);  // the normal CDF
    return mul(x, phi);
}

Tensor silu(const Tensor& x) {
    check_float("silu", x);
    return mul(x, sigmoid(x));
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
        // Each (outer, inner) line is independent: large inputs share the lines
        // among the pool's threads, with the same bits on any thread count.
        const std::size_t lines = v.outer * v.inner;
        kernels::for_unit_ranges(lines, v.n, [&](std::size_t lo, std::size_t hi) {
            for (std::size_t line = lo; line < hi; ++line) {
                const std::size_t o = line / v.inner, i = line % v.inner;
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
        });
        return make_tensor(std::move(r));
    });
}

}  // namespace

Tensor softmax(const Tensor& x, int axis) {
    check_float("softmax", x);
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
    check_float("log_softmax", x);
    const std::size_t a = detail::normalize_axis(axis, x.dim(), "log_softmax");
    Tensor out = softmax_kernel(x, a, true);
    return record("log_softmax", {x}, out, [a](BackwardContext& ctx) {
        // dx = g - softmax(x) * sum(g), softmax(x) = exp(out)
        const Tensor& g = ctx.grad_out();
        ctx.add(0, sub(g, mul(exp(ctx.out()), sum(g, {static_cast<int>(a)}, true))));
    });
}

}  // namespace tg
