// Elementwise arithmetic: each op's forward and its backward rule together.
// Rules are written with tapegrad's own ops, so they record themselves under
// create_graph (higher-order gradients) and are plain arithmetic otherwise.
#include "elementwise.hpp"

#include <cmath>
#include <type_traits>

#include <fmt/format.h>

#include "activation.hpp"
#include "detail.hpp"

namespace tg {

using detail::map;
using detail::zip;

namespace {

void check_binary(const char* op, const Tensor& a, const Tensor& b, const std::source_location& loc) {
    check_float(op, a, loc);
    check_float(op, b, loc);
    check_same_dtype(op, a, b, loc);
    const auto& sa = a.impl()->shape();
    const auto& sb = b.impl()->shape();
    if (!std::equal(sa.begin(), sa.end(), sb.begin(), sb.end())) {
        try {
            broadcast_shapes(a.shape(), b.shape(), op);
        } catch (const ShapeError& e) {
            throw ShapeError(e.what() + where(loc));
        }
    }
}

}  // namespace

Tensor sub(const Tensor& a, const Tensor& b, std::source_location loc) {
    check_binary("sub", a, b, loc);
    Tensor out = zip(a, b, "sub", [](auto x, auto y) { return x - y; });
    return record("sub", {a, b}, out, [](BackwardContext& ctx) {
        ctx.add(0, ctx.grad_out());
        if (ctx.needs(1)) ctx.add(1, neg(ctx.grad_out()));
    });
}

Tensor mul(const Tensor& a, const Tensor& b, std::source_location loc) {
    check_binary("mul", a, b, loc);
    Tensor out = zip(a, b, "mul", [](auto x, auto y) { return x * y; });
    return record("mul", {a, b}, out, [](BackwardContext& ctx) {
        if (ctx.needs(0)) ctx.add(0, mul(ctx.grad_out(), ctx.input(1)));
        if (ctx.needs(1)) ctx.add(1, mul(ctx.grad_out(), ctx.input(0)));
    });
}

Tensor div(const Tensor& a, const Tensor& b, std::source_location loc) {
    check_binary("div", a, b, loc);
    Tensor out = zip(a, b, "div", [](auto x, auto y) { return x / y; });
    return record("div", {a, b}, out, [](BackwardContext& ctx) {
        const Tensor& g = ctx.grad_out();
        const Tensor& b = ctx.input(1);
        if (ctx.needs(0)) ctx.add(0, div(g, b));
        if (ctx.needs(1)) ctx.add(1, neg(div(mul(g, ctx.input(0)), square(b))));
    });
}

Tensor neg(const Tensor& x) {
    check_float("neg", x);
    Tensor out = map(x, [](auto v) { return -v; });
    return record("neg", {x}, out, [](BackwardContext& ctx) { ctx.add(0, neg(ctx.grad_out())); });
}

Tensor add(const Tensor& x, double s) {
    check_float("add", x);
    Tensor out = map(x, [s](auto v) { return v + s; });
    return record("add_scalar", {x}, out, [](BackwardContext& ctx) { ctx.add(0, ctx.grad_out()); });
}

Tensor mul(const Tensor& x, double s) {
    check_float("mul", x);
    Tensor out = map(x, [s](auto v) { return v * s; });
    return record("mul_scalar", {x}, out, [s](BackwardContext& ctx) { ctx.add(0, mul(ctx.grad_out(), s)); });
}

Tensor rsub(double s, const Tensor& x) {
    check_float("rsub", x);
    Tensor out = map(x, [s](auto v) { return s - v; });
    return record("rsub", {x}, out, [](BackwardContext& ctx) { ctx.add(0, neg(ctx.grad_out())); });
}

Tensor rdiv(double s, const Tensor& x) {
    check_float("rdiv", x);
    Tensor out = map(x, [s](auto v) { return s / v; });
    // d(s/x) = -s / x^2 = -out / x
    return record("rdiv", {x}, out, [](BackwardContext& ctx) {
        ctx.add(0, neg(div(mul(ctx.grad_out(), ctx.out()), ctx.input(0))));
    });
}

Tensor pow(const Tensor& x, double p) {
    check_float("pow", x);
    Tensor out = map(x, [p](auto v) { return std::pow(v, static_cast<decltype(v)>(p)); });
    return record("pow", {x}, out, [p](BackwardContext& ctx) {
        // x^0 is constant: a zero gradient (not none), so x.grad() is defined as in PyTorch
        if (p == 0) return ctx.add(0, zeros_like(ctx.grad_out()));
        ctx.add(0, mul(ctx.grad_out(), mul(pow(ctx.input(0), p - 1), p)));
    });
}

Tensor pow(const Tensor& a, const Tensor& b, std::source_location loc) {
    check_binary("pow", a, b, loc);
    Tensor out = zip(a, b, "pow", [](auto x, auto y) { return std::pow(x, y); });
    return record("pow", {a, b}, out, [](BackwardContext& ctx) {
        const Tensor& g = ctx.grad_out();
        const Tensor& a = ctx.input(0);
        const Tensor& b = ctx.input(1);
        if (ctx.needs(0)) ctx.add(0, mul(g, mul(b, pow(a, sub(b, ones_like(b))))));
        if (ctx.needs(1)) ctx.add(1, mul(g, mul(ctx.out(), log(a))));
    });
}

Tensor square(const Tensor& x) {
    check_float("square", x);
    Tensor out = map(x, [](auto v) { return v * v; });
    return record("square", {x}, out, [](BackwardContext& ctx) {
        ctx.add(0, mul(mul(ctx.grad_out(), ctx.input(0)), 2.0));
    });
}

Tensor exp(const Tensor& x) {
    check_float("exp", x);
    Tensor out = map(x, [](auto v) { return std::exp(v); });
    return record("exp", {x}, out, [](BackwardContext& ctx) { ctx.add(0, mul(ctx.grad_out(), ctx.out())); });
}

Tensor log(const Tensor& x) {
    check_float("log", x);
    Tensor out = map(x, [](auto v) { return std::log(v); });
    return record("log", {x}, out, [](BackwardContext& ctx) { ctx.add(0, div(ctx.grad_out(), ctx.input(0))); });
}

Tensor sqrt(const Tensor& x) {
    check_float("sqrt", x);
    Tensor out = map(x, [](auto v) { return std::sqrt(v); });
    return record("sqrt", {x}, out, [](BackwardContext& ctx) {
        ctx.add(0, div(ctx.grad_out(), mul(ctx.out(), 2.0)));
    });
}

Tensor abs(const Tensor& x) {
    check_float("abs", x);
    Tensor out = map(x, [](auto v) { return std::abs(v); });
    return record("abs", {x}, out, [](BackwardContext& ctx) {
        ctx.add(0, mul(ctx.grad_out(), sign(ctx.input(0))));
    });
}

Tensor clamp(const Tensor& x, double lo, double hi) {
    check_float("clamp", x);
    if (lo > hi) throw std::invalid_argument("clamp: lo must not exceed hi");
    Tensor out = map(x, [lo, hi](auto v) {
        using T = decltype(v);
        return std::min(std::max(v, static_cast<T>(lo)), static_cast<T>(hi));
    });
    return record("clamp", {x}, out, [lo, hi](BackwardContext& ctx) {
        // compare with the bounds rounded to x's dtype, as the forward does: a float x
        // equal to float(0.1) sits on the edge (and passes the gradient) even though it
        // is not the double 0.1
        const Tensor inside = map(ctx.input(0), [lo, hi](auto v) {
            using T = decltype(v);
            return v >= static_cast<T>(lo) && v <= static_cast<T>(hi) ? 1 : 0;
        });
        ctx.add(0, mul(ctx.grad_out(), inside));
    });
}

namespace {

// Note [NaN in maximum and minimum]
// A NaN operand wins: the result is NaN in either argument position (as PyTorch
// and the max/min reductions), never the other number. `x != x` is the NaN test:
// a compare the loop vectorises (the build has -fno-trapping-math; std::isnan
// may not be inlined the same way). The NaN operand takes the whole gradient;
// when both are NaN they split it, like a tie, so the shares still add to 1.

// Gradient share of `a` in max/min: 1 where a wins, 1/2 on ties, 0 where it loses.
template <class Wins>
Tensor winner_share(const Tensor& a, const Tensor& b, Wins wins) {
    return zip(a, b, "maximum", [wins](auto x, auto y) {
        if (x != x || y != y) return x != x ? (y != y ? 0.5 : 1.0) : 0.0;
        return x == y ? 0.5 : (wins(x, y) ? 1.0 : 0.0);
    });
}

template <class Wins>
Tensor extremum(const char* op, const Tensor& a, const Tensor& b, const std::source_location& loc, Wins wins) {
    check_binary(op, a, b, loc);
    Tensor out = zip(a, b, op, [wins](auto x, auto y) { return wins(x, y) || x != x ? x : y; });
    return record(op, {a, b}, out, [wins](BackwardContext& ctx) {
        const Tensor share_a = winner_share(ctx.input(0), ctx.input(1), wins);
        if (ctx.needs(0)) ctx.add(0, mul(ctx.grad_out(), share_a));
        if (ctx.needs(1)) ctx.add(1, mul(ctx.grad_out(), rsub(1.0, share_a)));
    });
}

}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b, std::source_location loc) {
    return extremum("maximum", a, b, loc, [](auto x, auto y) { return x > y; });
}

Tensor minimum(const Tensor& a, const Tensor& b, std::source_location loc) {
    return extremum("minimum", a, b, loc, [](auto x, auto y) { return x < y; });
}

namespace {

/// out[i] = mask[i] ? a[i] : b[i] with broadcasting, a bool mask.
template <class T>
Array<T> where_bool(const Array<bool>& mask, const Array<T>& a, const Array<T>& b, const Shape& out_shape) {
    Array<T> out = Array<T>::from_shape(kernels::to_xshape(out_shape));
    T* po = out.data();
    const bool* pm = mask.data();
    const T* pa = a.data();
    const T* pb = b.data();
    std::array<std::array<std::ptrdiff_t, 16>, 3> strides{kernels::broadcast_strides(mask.shape(), out_shape),
                                                         kernels::broadcast_strides(a.shape(), out_shape),
                                                         kernels::broadcast_strides(b.shape(), out_shape)};
    kernels::for_each_broadcast<3>(out_shape, strides, [&](std::size_t i, const std::array<std::ptrdiff_t, 3>& o) {
        po[i] = pm[o[0]] ? pa[o[1]] : pb[o[2]];
    });
    return out;
}

}  // namespace

Tensor where(const Tensor& mask, const Tensor& a, const Tensor& b, std::source_location loc) {
    check_binary("where", a, b, loc);
    check_defined("where", mask);
    const bool bool_mask = mask.dtype() == DType::boolean;
    if (!bool_mask && mask.dtype() != a.dtype())
        throw_dtype_error("where", fmt::format("mask must be bool (or, nonzero meaning true, of the operands' dtype "
                                               "{}), got {} {}",
                                               dtype_name(a.dtype()), dtype_name(mask.dtype()),
                                               shape_str(mask.shape())),
                          loc);
    const Shape ab = broadcast_shapes(a.shape(), b.shape(), "where");
    try {
        broadcast_shapes(mask.shape(), ab, "where");
    } catch (const ShapeError&) {
        throw_shape_error("where", fmt::format("mask {} does not broadcast with the operands' shape {}",
                                               shape_str(mask.shape()), shape_str(ab)),
                          loc);
    }
    Tensor out = dispatch(a.dtype(), [&](auto z) {
        using T = decltype(z);
        if (bool_mask)
            return make_tensor(where_bool(values<bool>(mask), values<T>(a), values<T>(b),
                                          broadcast_shapes(mask.shape(), ab, "where")));
        return make_tensor(kernels::zip3(
            values<T>(mask), values<T>(a), values<T>(b), [](T m, T x, T y) { return m != T(0) ? x : y; }, "where"));
    });
    return record("where", {a, b}, out, [mask](BackwardContext& ctx) {
        const Tensor zero = zeros({}, {ctx.grad_out().dtype()});
        if (ctx.needs(0)) ctx.add(0, where(mask, ctx.grad_out(), zero));
        if (ctx.needs(1)) ctx.add(1, where(mask, zero, ctx.grad_out()));
    });
}

// ---- comparisons: bool masks, never recorded ------------------------------------

namespace {

/// out[i] = f(a[i], b[i]) as bool, with broadcasting; a and b of any one dtype.
template <class F>
Tensor compare(const char* op, const Tensor& a, const Tensor& b, F f) {
    check_same_dtype(op, a, b);
    const Shape out_shape = broadcast_shapes(a.shape(), b.shape(), op);
    return dispatch_all(a.dtype(), [&](auto z) {
        using T = decltype(z);
        const T* pa = values<T>(a).data();
        const T* pb = values<T>(b).data();
        Array<bool> out = Array<bool>::from_shape(kernels::to_xshape(out_shape));
        bool* po = out.data();
        std::array<std::array<std::ptrdiff_t, 16>, 2> strides{kernels::broadcast_strides(a.impl()->shape(), out_shape),
                                                             kernels::broadcast_strides(b.impl()->shape(), out_shape)};
        kernels::for_each_broadcast<2>(out_shape, strides, [&](std::size_t i, const std::array<std::ptrdiff_t, 2>& o) {
            po[i] = f(pa[o[0]], pb[o[1]]);
        });
        return make_tensor(std::move(out));
    });
}

/// out[i] = f(a[i], s) as bool, s converted to a's dtype first (so a float x equal
/// to float(0.1) is equal to 0.1, as the values it can hold).
template <class F>
Tensor compare(const char* op, const Tensor& a, double s, F f) {
    check_defined(op, a);
    if (a.dtype() == DType::boolean)
        throw_dtype_error(op, "compares numbers; a bool tensor compares with another bool tensor");
    return dispatch_all(a.dtype(), [&](auto z) {
        using T = decltype(z);
        const Array<T>& av = values<T>(a);
        // an int64 tensor against a non-integer s compares in double (1 < 1.5)
        const double y = s;
        Array<bool> out = Array<bool>::from_shape(av.shape());
        const T* pa = av.data();
        bool* po = out.data();
        if constexpr (std::is_floating_point_v<T>) {
            const T ys = static_cast<T>(y);
            kernels::for_each_index(av.size(), [&](std::size_t i) { po[i] = f(pa[i], ys); });
        } else {
            kernels::for_each_index(av.size(), [&](std::size_t i) { po[i] = f(static_cast<double>(pa[i]), y); });
        }
        return make_tensor(std::move(out));
    });
}

}  // namespace

#define TG_COMPARISON(name, expr)                                                              \
    Tensor name(const Tensor& a, const Tensor& b) {                                            \
        return compare(#name, a, b, [](auto x, auto y) { return expr; });                      \
    }                                                                                          \
    Tensor name(const Tensor& a, double s) {                                                   \
        return compare(#name, a, s, [](auto x, auto y) { return expr; });                      \
    }

TG_COMPARISON(eq, x == y)
TG_COMPARISON(ne, x != y)
TG_COMPARISON(lt, x < y)
TG_COMPARISON(le, x <= y)
TG_COMPARISON(gt, x > y)
TG_COMPARISON(ge, x >= y)
#undef TG_COMPARISON

}  // namespace tg
