// Reductions: each forward with its backward rule.
#include "reduce.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "detail.hpp"
#include "elementwise.hpp"
#include "shape.hpp"

namespace tg {

namespace {

/// Reduce x to kshape (x's shape with reduced axes at 1) with f, starting from init.
template <class F>
Tensor reduce_kernel(const Tensor& x, const Shape& kshape, double init, F f) {
    return dispatch(x.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> r = Array<T>::from_shape(kernels::to_xshape(kshape));
        r.fill(static_cast<T>(init));
        T* pr = r.data();
        const T* px = values<T>(x).data();
        const Shape xs = x.shape();
        std::array<std::array<std::ptrdiff_t, 16>, 1> strides{kernels::broadcast_strides(kshape, xs)};
        kernels::for_each_broadcast<1>(xs, strides, [&](std::size_t i, const std::array<std::ptrdiff_t, 1>& o) {
            pr[o[0]] = f(pr[o[0]], px[i]);
        });
        return make_tensor(std::move(r));
    });
}

Shape dropped_shape(const Shape& shape, const std::vector<std::size_t>& axes) {
    Shape out;
    for (std::size_t k = 0; k < shape.size(); ++k)
        if (std::find(axes.begin(), axes.end(), k) == axes.end()) out.push_back(shape[k]);
    return out;
}

/// The result of a reduction in the caller's requested form.
Tensor finish(const Tensor& kept, const Shape& xshape, const std::vector<std::size_t>& axes, bool keepdims) {
    return keepdims ? kept : reshape(kept, dropped_shape(xshape, axes));
}

Tensor extreme(const char* op, const Tensor& x, const Axes& axes_in, bool keepdims, bool largest) {
    check_float(op, x);
    const Shape xs = x.shape();
    const auto axes = detail::normalize_axes(axes_in, xs.size(), op);
    // Only a reduction over no elements has no value: max over axis 1 of a (0, 3) tensor is a valid (0,) result.
    std::size_t count = 1;
    for (std::size_t a : axes) count *= xs[a];
    if (count == 0)
        throw ShapeError(fmt::format("{}: cannot reduce shape {} over axes ({}): there are no elements to compare", op,
                                     shape_str(xs), fmt::join(axes, ", ")));
    const Shape ks = detail::keepdims_shape(xs, axes);
    const double inf = std::numeric_limits<double>::infinity();
    Tensor kept = largest ? reduce_kernel(x, ks, -inf, [](auto acc, auto v) { return v > acc || std::isnan(v) ? v : acc; })
                          : reduce_kernel(x, ks, inf, [](auto acc, auto v) { return v < acc || std::isnan(v) ? v : acc; });
    kept = record(op, {x}, kept, [ks](BackwardContext& ctx) {
        // the gradient goes to the elements equal to the extreme, split evenly between ties
        // (eq is never recorded, so the output needs no detach copy)
        const Tensor mask = eq(ctx.input(0), ctx.out()).to(ctx.out().dtype());
        const Tensor count = sum_to(mask, ks);
        ctx.add(0, mul(mask, div(ctx.grad_out(), count)));
    });
    return finish(kept, xs, axes, keepdims);
}

}  // namespace

namespace {

/// The sum of every element, as a rank-0 tensor, in one op (the usual loss
/// reduction; sum_to then reshape would be two ops each way). Up to 2^15
/// elements, the same order of additions as sum_to; above, fixed chunks summed
/// on the pool's threads and added in order (Note [threads and results]).
Tensor sum_all(const Tensor& x) {
    Tensor out = dispatch(x.dtype(), [&](auto z) {
        using T = decltype(z);
        const Array<T>& a = values<T>(x);
        const T* p = a.data();
        const T acc = parallel::chunked_sum<T>(a.size(), [p](std::size_t lo, std::size_t hi) {
            T s = 0;
            for (std::size_t i = lo; i < hi; ++i) s += p[i];
            return s;
        });
        Array<T> r = Array<T>::from_shape(typename Array<T>::shape_type{});
        r.data()[0] = acc;
        return make_tensor(std::move(r));
    });
    return record("sum", {x}, out, [](BackwardContext& ctx) {
        ctx.add(0, broadcast_to(ctx.grad_out(), ctx.input_shape(0)));
    });
}

}  // namespace

Tensor sum(const Tensor& x, const Axes& axes_in, bool keepdims) {
    check_float("sum", x);
    if (axes_in.empty() && !keepdims) return sum_all(x);
    const Shape xs = x.shape();
    const auto axes = detail::normalize_axes(axes_in, xs.size(), "sum");
    // sum_to is the reduction (and its rule the broadcast back).
    return finish(sum_to(x, detail::keepdims_shape(xs, axes)), xs, axes, keepdims);
}

Tensor sum(const Tensor& x) { return sum(x, {}, false); }

namespace {

/// How many elements each result of reducing shape xs over axes combines.
std::size_t reduced_count(const Shape& xs, const std::vector<std::size_t>& axes) {
    std::size_t count = 1;
    for (std::size_t a : axes) count *= xs[a];
    return count;
}

}  // namespace

Tensor mean(const Tensor& x, const Axes& axes_in, bool keepdims) {
    check_float("mean", x);
    const Shape xs = x.shape();
    const std::size_t count = reduced_count(xs, detail::normalize_axes(axes_in, xs.size(), "mean"));
    if (count == 0) throw ShapeError(fmt::format("mean: no elements to average in shape {}", shape_str(xs)));
    return mul(sum(x, axes_in, keepdims), 1.0 / static_cast<double>(count));
}

Tensor mean(const Tensor& x) { return mean(x, {}, false); }

Tensor max(const Tensor& x, const Axes& axes, bool keepdims) { return extreme("max", x, axes, keepdims, true); }
Tensor max(const Tensor& x) { return max(x, {}, false); }
Tensor min(const Tensor& x, const Axes& axes, bool keepdims) { return extreme("min", x, axes, keepdims, false); }
Tensor min(const Tensor& x) { return min(x, {}, false); }

Tensor logsumexp(const Tensor& x, const Axes& axes, bool keepdims) {
    check_float("logsumexp", x);
    const Shape xs = x.shape();
    const auto nax = detail::normalize_axes(axes, xs.size(), "logsumexp");
    const std::size_t count = reduced_count(xs, nax);
    // m is a constant shift: the gradient of m + log(sum(exp(x - m))) is softmax(x) whatever m is.
    Tensor m;
    {
        NoGradGuard no_grad;
        if (count == 0) {
            // nothing to reduce: log of an empty sum is log 0 = -inf (as numpy and PyTorch)
            m = zeros(detail::keepdims_shape(xs, nax), {x.dtype()});
        } else {
            m = max(x, axes, true);
            // an infinite maximum would give inf - inf = NaN: shift by 0 there instead
            m = where(lt(abs(m), std::numeric_limits<double>::infinity()), m, zeros_like(m));
        }
    }
    Tensor kept = add(log(sum(exp(sub(x, m)), axes, true)), m);
    return finish(kept, xs, nax, keepdims);
}

namespace {

Tensor arg_extreme(const char* op, const Tensor& x, int axis, bool keepdims, bool largest) {
    check_float(op, x);
    const Shape xs = x.shape();
    const std::size_t a = detail::normalize_axis(axis, xs.size(), op);
    if (xs[a] == 0) throw ShapeError(fmt::format("{}: axis {} of shape {} is empty", op, axis, shape_str(xs)));
    const auto v = detail::axis_view(xs, a);
    Shape ks = xs;
    ks[a] = 1;
    Tensor out = dispatch(x.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<std::int64_t> r = Array<std::int64_t>::from_shape(kernels::to_xshape(ks));
        const T* px = values<T>(x).data();
        std::int64_t* pr = r.data();
        for (std::size_t o = 0; o < v.outer; ++o)
            for (std::size_t i = 0; i < v.inner; ++i) {
                const T* base = px + o * v.n * v.inner + i;
                std::size_t best = 0;
                // a NaN wins, the first one (as max/min and PyTorch): it is never hidden
                for (std::size_t k = 1; k < v.n && base[best * v.inner] == base[best * v.inner]; ++k) {
                    const T c = base[k * v.inner], b = base[best * v.inner];
                    if (c != c || (largest ? c > b : c < b)) best = k;
                }
                pr[o * v.inner + i] = static_cast<std::int64_t>(best);
            }
        return make_tensor(std::move(r));
    });
    if (keepdims) return out;
    NoGradGuard no_grad;
    return reshape(out, dropped_shape(xs, {a}));
}

}  // namespace

Tensor argmax(const Tensor& x, int axis, bool keepdims) { return arg_extreme("argmax", x, axis, keepdims, true); }
Tensor argmin(const Tensor& x, int axis, bool keepdims) { return arg_extreme("argmin", x, axis, keepdims, false); }

}  // namespace tg
