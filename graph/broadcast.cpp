#include "broadcast.hpp"

#include <fmt/format.h>

#include "kernels.hpp"
#include "node.hpp"
#include "numel.hpp"

namespace tg {

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
    const std::size_t rank = std::max(a.size(), b.size());
    Shape out(rank);
    for (std::size_t k = 0; k < rank; ++k) {
        const std::size_t da = k < rank - a.size() ? 1 : a[k - (rank - a.size())];
        const std::size_t db = k < rank - b.size() ? 1 : b[k - (rank - b.size())];
        if (da != db && da != 1 && db != 1)
            throw ShapeError(fmt::format("{}: shapes {} and {} do not broadcast: axis {} has sizes {} and {} "
                                         "(each pair of sizes must be equal or one of them 1)",
                                         op, shape_str(a), shape_str(b), k, da, db));
        out[k] = da == 1 ? db : da;
    }
    checked_numel(out, op);  // Note [checked element counts]
    return out;
}

namespace {

/// Can `from` be broadcast to `to`?
bool broadcasts_to(const Shape& from, const Shape& to) {
    if (from.size() > to.size()) return false;
    const std::size_t offset = to.size() - from.size();
    for (std::size_t k = 0; k < from.size(); ++k)
        if (from[k] != 1 && from[k] != to[k + offset]) return false;
    return true;
}

/// Summing `in` down to `to` seen as [outer, mid, inner] -> [outer, 1, inner]:
/// kept axes, then one run of summed axes, then kept axes ([N, C] to [C],
/// [B, S, D] to [B, S, 1], [A, B, C] to [A, 1, C]). mid == 0 when the pattern is
/// another one (summed axes in two runs).
struct SumRuns {
    std::size_t outer = 1, mid = 1, inner = 1;
};

SumRuns sum_runs(const Shape& in, const Shape& to) {
    const std::size_t offset = in.size() - to.size();
    const auto summed = [&](std::size_t k) { return k < offset || (to[k - offset] == 1 && in[k] != 1); };
    SumRuns r;
    std::size_t k = 0;
    for (; k < in.size() && !summed(k); ++k) r.outer *= in[k];
    for (; k < in.size() && summed(k); ++k) r.mid *= in[k];
    for (; k < in.size(); ++k) {
        if (summed(k)) return SumRuns{1, 0, 1};
        r.inner *= in[k];
    }
    return r;
}

/// out[o, c] = sum over m of in[o, m, c], m in order (the order of the general
/// loop, so the same bits); the outputs are shared among the pool's threads.
template <class T>
void sum_middle(const T* in, const SumRuns& r, T* out) {
    kernels::for_unit_ranges(r.outer * r.inner, r.mid, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t o = lo / r.inner; o * r.inner < hi; ++o) {
            const std::size_t c0 = std::max(lo, o * r.inner) - o * r.inner;
            const std::size_t c1 = std::min(hi, (o + 1) * r.inner) - o * r.inner;
            T* dst = out + o * r.inner;
            const T* src = in + o * r.mid * r.inner;
            if (r.inner == 1) {  // a contiguous run per output
                T acc = dst[0];
                for (std::size_t m = 0; m < r.mid; ++m) acc += src[m];
                dst[0] = acc;
                continue;
            }
            for (std::size_t m = 0; m < r.mid; ++m, src += r.inner)
                for (std::size_t c = c0; c < c1; ++c) dst[c] += src[c];
        }
    });
}

}  // namespace

Tensor sum_to(const Tensor& t, const Shape& shape) {
    const Shape in_shape = t.shape();
    if (in_shape == shape) return t;
    if (!broadcasts_to(shape, in_shape))
        throw ShapeError(fmt::format("sum_to: cannot sum {} down to {}: the target must broadcast to the source",
                                     shape_str(in_shape), shape_str(shape)));
    Tensor out = dispatch(t.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> r = Array<T>::from_shape(kernels::to_xshape(shape));
        r.fill(T(0));
        T* pr = r.data();
        const T* pin = values<T>(t).data();
        if (const SumRuns runs = sum_runs(in_shape, shape); runs.mid > 0) {
            sum_middle(pin, runs, pr);
            return make_tensor(std::move(r));
        }
        std::array<std::array<std::ptrdiff_t, 16>, 1> strides{kernels::broadcast_strides(shape, in_shape)};
        kernels::for_each_broadcast<1>(in_shape, strides,
                                       [&](std::size_t i, const std::array<std::ptrdiff_t, 1>& o) { pr[o[0]] += pin[i]; });
        return make_tensor(std::move(r));
    });
    return record("sum_to", {t}, out, [in_shape](BackwardContext& ctx) {
        ctx.add(0, broadcast_to(ctx.grad_out(), in_shape));
    });
}

Tensor broadcast_to(const Tensor& t, const Shape& shape) {
    const Shape in_shape = t.shape();
    if (in_shape == shape) return t;
    if (!broadcasts_to(in_shape, shape))
        throw ShapeError(fmt::format("broadcast_to: cannot broadcast {} to {}", shape_str(in_shape), shape_str(shape)));
    Tensor out = dispatch(t.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> r = Array<T>::from_shape(kernels::to_xshape(shape));
        T* pr = r.data();
        const T* pin = values<T>(t).data();
        std::array<std::array<std::ptrdiff_t, 16>, 1> strides{kernels::broadcast_strides(in_shape, shape)};
        kernels::for_each_broadcast<1>(shape, strides,
                                       [&](std::size_t i, const std::array<std::ptrdiff_t, 1>& o) { pr[i] = pin[o[0]]; });
        return make_tensor(std::move(r));
    });
    // The engine sums the gradient back to in_shape (Note [tape ownership]).
    return record("broadcast_to", {t}, out, [](BackwardContext& ctx) { ctx.add(0, ctx.grad_out()); });
}

Tensor add(const Tensor& a, const Tensor& b, std::source_location loc) {
    check_float("add", a, loc);
    check_float("add", b, loc);
    check_same_dtype("add", a, b, loc);
    Tensor out;
    try {
        out = dispatch(a.dtype(), [&](auto z) {
            using T = decltype(z);
            return make_tensor(kernels::zip(values<T>(a), values<T>(b), [](T x, T y) { return x + y; }, "add"));
        });
    } catch (const ShapeError& e) {  // shapes that do not broadcast: say where
        throw ShapeError(e.what() + where(loc));
    }
    // out = a + b;  da += grad_out, db += grad_out (summed to each shape by the engine)
    return record("add", {a, b}, out, [](BackwardContext& ctx) {
        ctx.add(0, ctx.grad_out());
        ctx.add(1, ctx.grad_out());
    });
}

}  // namespace tg
