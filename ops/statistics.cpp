#include "statistics.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "activation.hpp"
#include "detail.hpp"
#include "elementwise.hpp"

namespace tg {

namespace {

std::size_t reduced_count(const Shape& xs, const Axes& axes_in, const char* op) {
    std::size_t n = 1;
    for (std::size_t a : detail::normalize_axes(axes_in, xs.size(), op)) n *= xs[a];
    return n;
}

/// sqrt(s) whose gradient is 0 where s is 0 (not infinity times 0): the last step
/// of the l2 norm and of stddev, so that the norm of a zero vector and the standard
/// deviation of a constant pass gradient 0, as PyTorch. A NaN keeps its NaN
/// gradient (the mask is out != 0, which holds for NaN).
Tensor sqrt_zero_safe(const char* name, const Tensor& s) {
    Tensor out = detail::map(s, [](auto v) { return std::sqrt(v); });
    return record(name, {s}, out, [](BackwardContext& ctx) {
        const Tensor nonzero = ne(ctx.out(), 0.0);
        const Tensor safe = where(nonzero, ctx.out(), ones_like(ctx.out()));
        ctx.add(0, mul(mul(ctx.grad_out(), rdiv(0.5, safe)), nonzero.to(safe.dtype())));
    });
}

/// The running sum along axis, forward or from the end.
Tensor scan(const Tensor& x, std::size_t axis, bool from_end) {
    const auto v = detail::axis_view(x.shape(), axis);
    Tensor out = dispatch(x.dtype(), [&](auto z) {
        using T = decltype(z);
        const Array<T>& a = values<T>(x);
        Array<T> r = Array<T>::from_shape(a.shape());
        const T* px = a.data();
        T* pr = r.data();
        for (std::size_t o = 0; o < v.outer; ++o)
            for (std::size_t i = 0; i < v.inner; ++i) {
                const std::size_t base = o * v.n * v.inner + i;
                T acc = 0;
                for (std::size_t k = 0; k < v.n; ++k) {
                    const std::size_t at = base + (from_end ? v.n - 1 - k : k) * v.inner;
                    acc += px[at];
                    pr[at] = acc;
                }
            }
        return make_tensor(std::move(r));
    });
    return record(from_end ? "cumsum_reverse" : "cumsum", {x}, out, [axis, from_end](BackwardContext& ctx) {
        ctx.add(0, scan(ctx.grad_out(), axis, !from_end));
    });
}

}  // namespace

Tensor var(const Tensor& x, const Axes& axes, double correction, bool keepdims) {
    check_float("var", x);
    const double n = static_cast<double>(reduced_count(x.shape(), axes, "var"));
    if (n == 0) throw ShapeError(fmt::format("var: no elements to reduce in shape {}", shape_str(x.shape())));
    const Tensor d = sub(x, mean(x, axes, true));
    // n <= correction: 1/0 = inf, and 0 * inf = NaN, as PyTorch
    const double scale = n - correction > 0 ? 1 / (n - correction) : std::numeric_limits<double>::infinity();
    return mul(sum(mul(d, d), axes, keepdims), scale);
}

Tensor stddev(const Tensor& x, const Axes& axes, double correction, bool keepdims) {
    return sqrt_zero_safe("stddev_sqrt", var(x, axes, correction, keepdims));
}

Tensor norm(const Tensor& x, NormOrder order, const Axes& axes, bool keepdims) {
    check_float("norm", x);
    switch (order) {
        case NormOrder::l1: return sum(abs(x), axes, keepdims);
        case NormOrder::inf: return max(abs(x), axes, keepdims);
        case NormOrder::l2: break;
    }
    return sqrt_zero_safe("norm_sqrt", sum(square(x), axes, keepdims));
}

Tensor cumsum(const Tensor& x, int axis) {
    check_float("cumsum", x);
    return scan(x, detail::normalize_axis(axis, x.dim(), "cumsum"), false);
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, double value) {
    check_float("masked_fill", x);
    check_defined("masked_fill", mask);
    return where(mask, full({}, value, {x.dtype()}), x);
}

}  // namespace tg
