// Pooling. For a given input both pools are linear maps from x to y: output o is
// scale(o) times the sum of some elements of its window. Max pooling marks, per output,
// which window positions hold the maximum (a bit mask; all of them on a tie) in the
// forward pass; average pooling uses every in-bounds position. The backward of a pool
// is the map's transpose (a scatter), itself a recorded op whose backward is the map
// applied again (a gather), so second and higher derivatives are exact.
//
// Every kernel walks one output row at a time and, for each window position (ki, kj),
// runs a branch-free loop over the output columns: for a fixed (ki, kj) distinct
// columns touch distinct inputs, so the loops vectorise and the scatter has no conflicts.
#include "pool.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>
#include <memory>
#include <mutex>
#include <vector>

#include <fmt/format.h>

#include "../graph/numel.hpp"
#include "detail.hpp"
#include "reduce.hpp"

namespace tg {

namespace {

struct PoolGeom {
    std::size_t planes = 0, h = 1, w = 0, kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, oh = 1, ow = 0;
};

enum class PoolKind { max, avg_include_pad, avg_exclude_pad };

/// fn(p0, p1) over the planes (image x channel), shared among the pool's threads
/// when the input is large. Planes are independent (each writes its own rows),
/// so the result does not depend on the thread count.
template <class F>
void for_planes(const PoolGeom& g, F&& fn) {
    kernels::for_unit_ranges(g.planes, g.h * g.w, fn);
}

/// std::allocator, except that resize(n) leaves new elements uninitialised (for
/// masks that a kernel then writes in full).
template <class T>
struct UninitAllocator : std::allocator<T> {
    template <class U>
    struct rebind {
        using other = UninitAllocator<U>;
    };
    template <class U>
    void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};

/// The linear map of one pooling call.
struct PoolMap {
    PoolGeom g;
    PoolKind kind = PoolKind::max;
    Shape in_shape, out_shape;
    // per window column kj: the output columns [lo, hi) whose input column ox * sw + off is in bounds
    std::vector<std::size_t> lo, hi;
    std::vector<std::ptrdiff_t> off;
    std::vector<std::size_t> cols_inside;  // per output column: in-bounds window columns
    std::size_t words = 1;                 // 64-bit mask words per output (max only)
    std::vector<std::uint64_t, UninitAllocator<std::uint64_t>> mask;  // bit ki * kw + kj set: a maximum there

    /// Window rows [ky0, ky1) inside the input for output row oy, and the input row of ki = 0.
    void rows(std::size_t oy, std::size_t& ky0, std::size_t& ky1, std::ptrdiff_t& y0) const {
        y0 = static_cast<std::ptrdiff_t>(oy * g.sh) - static_cast<std::ptrdiff_t>(g.ph);
        ky0 = y0 < 0 ? static_cast<std::size_t>(-y0) : 0;
        ky1 = static_cast<std::size_t>(
            std::min<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(g.kh), static_cast<std::ptrdiff_t>(g.h) - y0));
    }
    bool bit(std::size_t o, std::size_t b) const { return (mask[o * words + b / 64] >> (b % 64)) & 1u; }
};
using MapPtr = std::shared_ptr<const PoolMap>;

/// Per-output scale of one output row into scale[0, ow).
template <class T>
void row_scale(const PoolMap& m, std::size_t first_out, std::size_t ky0, std::size_t ky1, T* scale) {
    const PoolGeom& g = m.g;
    if (m.kind == PoolKind::max) {
        for (std::size_t ox = 0; ox < g.ow; ++ox) {
            int count = 0;
            for (std::size_t k = 0; k < m.words; ++k) count += std::popcount(m.mask[(first_out + ox) * m.words + k]);
            scale[ox] = T(1) / static_cast<T>(count);
        }
    } else if (m.kind == PoolKind::avg_include_pad) {
        std::fill(scale, scale + g.ow, T(1) / static_cast<T>(g.kh * g.kw));
    } else {
        for (std::size_t ox = 0; ox < g.ow; ++ox)
            scale[ox] = T(1) / static_cast<T>((ky1 - ky0) * m.cols_inside[ox]);
    }
}

// Row kernels: one window position (ki, kj) across the output columns [lo, hi) of one
// output row. `in` is the input row ki, and output column ox reads input column
// ox * stride + off. S is the stride when known at compile time (1 or 2), else 0.
template <std::size_t S>
using StrideTag = std::integral_constant<std::size_t, S>;

template <class F>
void with_stride(std::size_t stride, F f) {
    if (stride == 1) f(StrideTag<1>{});
    else if (stride == 2) f(StrideTag<2>{});
    else f(StrideTag<0>{});
}

#define TG_IN(ox) in[static_cast<std::ptrdiff_t>((ox) * (S ? S : s)) + off]

/// y = max(y, input) with a NaN flag.
template <std::size_t S, class T>
bool row_max(const T* __restrict in, std::ptrdiff_t off, std::size_t s, std::size_t lo, std::size_t hi,
             T* __restrict y) {
    unsigned nan = 0;
    for (std::size_t ox = lo; ox < hi; ++ox) {
        const T v = TG_IN(ox);
        nan |= static_cast<unsigned>(v != v);
        y[ox] = v > y[ox] ? v : y[ox];
    }
    return nan != 0;
}

/// Mark (bit `shift` of mask word ox * words) where the input equals the row's maximum.
template <std::size_t S, class T>
void row_mark(const T* __restrict in, std::ptrdiff_t off, std::size_t s, std::size_t lo, std::size_t hi,
              const T* __restrict y, std::uint64_t* __restrict mask, std::size_t words, unsigned shift) {
    for (std::size_t ox = lo; ox < hi; ++ox) mask[ox * words] |= std::uint64_t{TG_IN(ox) == y[ox]} << shift;
}

/// The map (Scatter false: y[ox] += input) or its transpose (Scatter true: input += y[ox])
/// at one window position, where a max pool's mask has the bit (everywhere for average
/// pools, mask null). One body for both directions, so they cannot drift apart.
template <bool Scatter, std::size_t S, class T>
void row_add(std::conditional_t<Scatter, T, const T>* __restrict in, std::ptrdiff_t off, std::size_t s,
             std::size_t lo, std::size_t hi, std::conditional_t<Scatter, const T, T>* __restrict y,
             const std::uint64_t* __restrict mask, std::size_t words, unsigned shift) {
    auto add = [&](std::size_t ox, bool on) {
        if constexpr (Scatter) TG_IN(ox) += on ? y[ox] : T(0);
        else y[ox] += on ? TG_IN(ox) : T(0);
    };
    if (mask)
        for (std::size_t ox = lo; ox < hi; ++ox) add(ox, (mask[ox * words] >> shift) & 1u);
    else
        for (std::size_t ox = lo; ox < hi; ++ox) add(ox, true);
}

#undef TG_IN

/// Call f(ki, kj, input row offset, mask word pointer for (ki, kj), shift) for each in-bounds
/// window position of output row (p, oy).
template <class F>
void for_positions(const PoolMap& m, std::size_t p, std::size_t oy, std::size_t& ky0, std::size_t& ky1, F f) {
    const PoolGeom& g = m.g;
    std::ptrdiff_t y0;
    m.rows(oy, ky0, ky1, y0);
    const std::size_t first = (p * g.oh + oy) * g.ow;
    const std::uint64_t* mrow = m.mask.empty() ? nullptr : m.mask.data() + first * m.words;
    for (std::size_t ki = ky0; ki < ky1; ++ki) {
        const std::size_t row = p * g.h * g.w + static_cast<std::size_t>(y0 + static_cast<std::ptrdiff_t>(ki)) * g.w;
        for (std::size_t kj = 0; kj < g.kw; ++kj) {
            const std::size_t b = ki * g.kw + kj;
            f(kj, row, mrow ? mrow + b / 64 : nullptr, static_cast<unsigned>(b % 64));
        }
    }
}

/// y = M x, or dx = M^T gy with Transpose (dx starts at zero), values only. One walk for
/// both directions: per output row, its outputs' scales, then per window position one
/// row_add that gathers into y (scaled afterwards) or scatters the scaled gradient.
template <bool Transpose, class T>
void map_run(const PoolMap& m, const T* src, T* dst) {
    const PoolGeom& g = m.g;
    with_stride(g.sw, [&](auto tag) {
        constexpr std::size_t S = decltype(tag)::value;
        for_planes(g, [&](std::size_t p0, std::size_t p1) {
        std::vector<T> v(g.ow);  // the scales; for the transpose, times the gradients
        for (std::size_t p = p0; p < p1; ++p)
            for (std::size_t oy = 0; oy < g.oh; ++oy) {
                const std::size_t first = (p * g.oh + oy) * g.ow;
                std::size_t ky0, ky1;
                std::ptrdiff_t y0;
                m.rows(oy, ky0, ky1, y0);
                row_scale(m, first, ky0, ky1, v.data());
                T* y = dst + first;  // (the map's output row)
                if constexpr (Transpose)
                    for (std::size_t ox = 0; ox < g.ow; ++ox) v[ox] *= src[first + ox];
                else
                    std::fill(y, y + g.ow, T(0));
                for_positions(m, p, oy, ky0, ky1, [&](std::size_t kj, std::size_t row, const std::uint64_t* mw, unsigned sh) {
                    if constexpr (Transpose) row_add<true, S, T>(dst + row, m.off[kj], g.sw, m.lo[kj], m.hi[kj], v.data(), mw, m.words, sh);
                    else row_add<false, S, T>(src + row, m.off[kj], g.sw, m.lo[kj], m.hi[kj], y, mw, m.words, sh);
                });
                if constexpr (!Transpose)
                    for (std::size_t ox = 0; ox < g.ow; ++ox) y[ox] *= v[ox];
            }
        });
    });
}

// Fast paths for the usual tiling windows (stride = kernel, no padding) of size KH x KW:
// each output reads its window straight from the input rows, branch-free.
bool tiling(const PoolGeom& g, std::size_t kh, std::size_t kw) {
    return g.kh == kh && g.kw == kw && g.sh == kh && g.sw == kw && g.ph == 0 && g.pw == 0;
}

template <std::size_t KH, std::size_t KW>
struct Tile {
    static constexpr std::size_t kh = KH, kw = KW;
};

/// f(Tile<KH, KW>{}) when g is a tiling window with a fast kernel, and whether it was:
/// the one list of those windows, for the forward and the backward.
template <class F>
bool with_tile(const PoolGeom& g, F f) {
    if (tiling(g, 2, 2)) return f(Tile<2, 2>{}), true;
    if (tiling(g, 1, 2)) return f(Tile<1, 2>{}), true;
    if (tiling(g, 3, 3)) return f(Tile<3, 3>{}), true;
    return false;
}

bool has_tile(const PoolGeom& g) {
    return with_tile(g, [](auto) {});
}

template <std::size_t KH, std::size_t KW, class T>
void tiled_max(const PoolGeom& g, std::size_t p0, std::size_t p1, const T* __restrict x, T* __restrict y,
               std::uint64_t* __restrict mask, std::vector<std::pair<std::size_t, std::size_t>>& nan_rows) {
    for (std::size_t p = p0; p < p1; ++p)
        for (std::size_t oy = 0; oy < g.oh; ++oy) {
            const T* in = x + (p * g.h + oy * KH) * g.w;
            const std::size_t first = (p * g.oh + oy) * g.ow;
            T* __restrict yr = y + first;
            std::uint64_t* __restrict mr = mask + first;
            unsigned nan = 0;
            for (std::size_t ox = 0; ox < g.ow; ++ox) {
                T v[KH * KW];
                for (std::size_t ki = 0; ki < KH; ++ki)
                    for (std::size_t kj = 0; kj < KW; ++kj) v[ki * KW + kj] = in[ki * g.w + ox * KW + kj];
                T best = v[0];
                for (std::size_t b = 0; b < KH * KW; ++b) {
                    nan |= static_cast<unsigned>(v[b] != v[b]);
                    best = v[b] > best ? v[b] : best;
                }
                std::uint64_t bits = 0;
                for (std::size_t b = 0; b < KH * KW; ++b) bits |= std::uint64_t{v[b] == best} << b;
                yr[ox] = best;
                mr[ox] = bits;
            }
            if (nan) nan_rows.emplace_back(p, oy);
        }
}

template <std::size_t KH, std::size_t KW, class T>
void tiled_scatter(const PoolGeom& g, std::size_t p0, std::size_t p1, const T* __restrict gy,
                   const std::uint64_t* __restrict mask, T* __restrict dx) {
    for (std::size_t p = p0; p < p1; ++p)
        for (std::size_t oy = 0; oy < g.oh; ++oy) {
            T* out = dx + (p * g.h + oy * KH) * g.w;
            const std::size_t first = (p * g.oh + oy) * g.ow;
            for (std::size_t ox = 0; ox < g.ow; ++ox) {
                const std::uint64_t bits = mask[first + ox];
                unsigned count = 0;  // (std::popcount is a library call without -mpopcnt)
                for (std::size_t b = 0; b < KH * KW; ++b) count += static_cast<unsigned>((bits >> b) & 1u);
                // v where the bit is set, +0 elsewhere, by masking v's bits: a select written
                // as `bit ? v : 0` compiles to a branch here, mispredicted on every window
                using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
                const U v = std::bit_cast<U>(static_cast<T>(gy[first + ox] / static_cast<T>(count)));
                for (std::size_t ki = 0; ki < KH; ++ki)
                    for (std::size_t kj = 0; kj < KW; ++kj)
                        out[ki * g.w + ox * KW + kj] = std::bit_cast<T>(v & (U{0} - static_cast<U>((bits >> (ki * KW + kj)) & 1u)));
            }
        }
}

Tensor map_gather(const Tensor& x, const MapPtr& m);

Tensor map_scatter(const Tensor& gy, const MapPtr& m) {
    Tensor out = dispatch(gy.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> r = Array<T>::from_shape(kernels::to_xshape(m->in_shape));
        const T* pg = values<T>(gy).data();
        const PoolGeom& g = m->g;
        const bool tiled = m->kind == PoolKind::max && has_tile(g);
        // the tiling kernels write every element they cover: zero only what they do not
        if (!(tiled && g.oh * g.sh == g.h && g.ow * g.sw == g.w)) r.fill(T(0));
        if (tiled)
            with_tile(g, [&](auto t) {
                for_planes(g, [&](std::size_t p0, std::size_t p1) {
                    tiled_scatter<decltype(t)::kh, decltype(t)::kw>(g, p0, p1, pg, m->mask.data(), r.data());
                });
            });
        else
            map_run<true>(*m, pg, r.data());
        return make_tensor(std::move(r));
    });
    return record("pool_scatter", {gy}, out, [m](BackwardContext& ctx) { ctx.add(0, map_gather(ctx.grad_out(), m)); });
}

Tensor map_values(const Tensor& x, const PoolMap& m) {
    return dispatch(x.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> r = Array<T>::from_shape(kernels::to_xshape(m.out_shape));
        map_run<false>(m, values<T>(x).data(), r.data());
        return make_tensor(std::move(r));
    });
}

Tensor map_gather(const Tensor& x, const MapPtr& m) {
    return record("pool_gather", {x}, map_values(x, *m),
                  [m](BackwardContext& ctx) { ctx.add(0, map_scatter(ctx.grad_out(), m)); });
}

std::size_t pool_extent(const char* op, const Tensor& x, const char* axis, std::size_t in, std::size_t k,
                        std::size_t s, std::size_t p, const std::source_location& loc) {
    // each at most kMaxWindowArg: the sums below and the window offsets cannot wrap
    check_window_arg(op, "kernel size", axis, k, false, loc);
    check_window_arg(op, "stride", axis, s, false, loc);
    check_window_arg(op, "padding", axis, p, true, loc);
    if (2 * p > k)
        throw_shape_error(op, fmt::format("padding {} along {} is more than half the kernel size {}", p, axis, k), loc);
    if (in + 2 * p < k)
        throw_shape_error(op, fmt::format("input {}: the kernel {} along {} is larger than the padded input {} ({} + 2 x "
                                          "padding {})",
                                          shape_str(x.shape()), k, axis, in + 2 * p, in, p),
                          loc);
    return (in + 2 * p - k) / s + 1;
}

std::shared_ptr<PoolMap> make_map(const char* op, const Tensor& x, bool one_d, Size2 kernel, Size2 stride,
                                  Size2 padding, PoolKind kind, const std::source_location& loc) {
    check_float(op, x);
    const std::size_t rank = one_d ? 3 : 4;
    if (x.dim() != rank)
        throw_shape_error(op, fmt::format("input must be {}-D {}, got shape {}", rank,
                                          one_d ? "[batch, channels, length]" : "[batch, channels, height, width]",
                                          shape_str(x.shape())),
                          loc);
    auto m = std::make_shared<PoolMap>();
    PoolGeom& g = m->g;
    m->kind = kind;
    g.planes = x.size(0) * x.size(1);
    if (!one_d) {
        g.h = x.size(2), g.kh = kernel.h, g.sh = stride.h ? stride.h : kernel.h, g.ph = padding.h;
        g.oh = pool_extent(op, x, "height", g.h, g.kh, g.sh, g.ph, loc);
    }
    g.w = x.size(-1), g.kw = kernel.w, g.sw = stride.w ? stride.w : kernel.w, g.pw = padding.w;
    g.ow = pool_extent(op, x, one_d ? "length" : "width", g.w, g.kw, g.sw, g.pw, loc);
    m->lo.resize(g.kw), m->hi.resize(g.kw), m->off.resize(g.kw);
    for (std::size_t kj = 0; kj < g.kw; ++kj) {
        // input column ox * sw + kj - pw in [0, w)  <=>  ox in [lo, hi)
        const std::ptrdiff_t off = static_cast<std::ptrdiff_t>(kj) - static_cast<std::ptrdiff_t>(g.pw);
        const auto sw = static_cast<std::ptrdiff_t>(g.sw);
        std::ptrdiff_t lo = off >= 0 ? 0 : (-off + sw - 1) / sw;
        std::ptrdiff_t hi = static_cast<std::ptrdiff_t>(g.w) - off <= 0 ? 0
                                                                         : (static_cast<std::ptrdiff_t>(g.w) - off + sw - 1) / sw;
        hi = std::min<std::ptrdiff_t>(hi, static_cast<std::ptrdiff_t>(g.ow));
        lo = std::min(lo, hi);
        m->lo[kj] = static_cast<std::size_t>(lo), m->hi[kj] = static_cast<std::size_t>(hi), m->off[kj] = off;
    }
    m->cols_inside.assign(g.ow, 0);
    for (std::size_t kj = 0; kj < g.kw; ++kj)
        for (std::size_t ox = m->lo[kj]; ox < m->hi[kj]; ++ox) ++m->cols_inside[ox];
    m->in_shape = x.shape();
    m->out_shape = one_d ? Shape{x.size(0), x.size(1), g.ow} : Shape{x.size(0), x.size(1), g.oh, g.ow};
    checked_numel(m->out_shape, op);  // Note [checked element counts]
    return m;
}

/// Maxima and tie masks of output row (p, oy); true when a window of the row holds a NaN.
template <std::size_t S, class T>
bool max_row(PoolMap& m, const T* x, T* y, std::size_t p, std::size_t oy) {
    const PoolGeom& g = m.g;
    const std::size_t first = (p * g.oh + oy) * g.ow;
    T* yrow = y + first;
    // padding is -infinity, so only in-bounds positions compete
    std::fill(yrow, yrow + g.ow, -std::numeric_limits<T>::infinity());
    bool nan = false;
    std::size_t ky0, ky1;
    for_positions(m, p, oy, ky0, ky1, [&](std::size_t kj, std::size_t row, const std::uint64_t*, unsigned) {
        nan |= row_max<S>(x + row, m.off[kj], g.sw, m.lo[kj], m.hi[kj], yrow);
    });
    for_positions(m, p, oy, ky0, ky1, [&](std::size_t kj, std::size_t row, const std::uint64_t* mw, unsigned sh) {
        row_mark<S>(x + row, m.off[kj], g.sw, m.lo[kj], m.hi[kj], yrow, m.mask.data() + (mw - m.mask.data()), m.words, sh);
    });
    return nan;
}

Tensor max_pool(const char* op, const Tensor& x, bool one_d, Size2 kernel, Size2 stride, Size2 padding,
                const std::source_location& loc) {
    auto m = make_map(op, x, one_d, kernel, stride, padding, PoolKind::max, loc);
    const PoolGeom& g = m->g;
    m->words = (g.kh * g.kw + 63) / 64;
    const std::size_t mask_words = g.planes * g.oh * g.ow * m->words;
    if (has_tile(g)) m->mask.resize(mask_words);  // written in full below
    else m->mask.assign(mask_words, 0);
    std::vector<std::pair<std::size_t, std::size_t>> nan_rows;
    Tensor y = dispatch(x.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> r = Array<T>::from_shape(kernels::to_xshape(m->out_shape));
        T* py = r.data();
        const T* px = values<T>(x).data();
        const std::size_t words = m->words, sw = g.sw;
        // each range of planes notes its rows holding a NaN, fixed up below (in any order:
        // each row on its own)
        std::mutex nan_mutex;
        auto note_nan_rows = [&](std::vector<std::pair<std::size_t, std::size_t>>& rows) {
            if (rows.empty()) return;
            const std::lock_guard lock(nan_mutex);
            nan_rows.insert(nan_rows.end(), rows.begin(), rows.end());
        };
        const bool tiled = with_tile(g, [&](auto t) {
            for_planes(g, [&](std::size_t p0, std::size_t p1) {
                std::vector<std::pair<std::size_t, std::size_t>> rows;
                tiled_max<decltype(t)::kh, decltype(t)::kw>(g, p0, p1, px, py, m->mask.data(), rows);
                note_nan_rows(rows);
            });
        });
        if (!tiled)
            with_stride(sw, [&](auto tag) {
                constexpr std::size_t S = decltype(tag)::value;
                for_planes(g, [&](std::size_t p0, std::size_t p1) {
                    std::vector<std::pair<std::size_t, std::size_t>> rows;
                    for (std::size_t p = p0; p < p1; ++p)
                        for (std::size_t oy = 0; oy < g.oh; ++oy)
                            if (max_row<S>(*m, px, py, p, oy)) rows.emplace_back(p, oy);
                    note_nan_rows(rows);
                });
            });
        // a window holding a NaN has NaN as its maximum; its first NaN gets the gradient
        for (const auto& [p, oy] : nan_rows) {
            const T* plane = px + p * g.h * g.w;
            const std::size_t first = (p * g.oh + oy) * g.ow;
            T* yrow = py + first;
            std::uint64_t* mrow = m->mask.data() + first * words;
            std::size_t ky0, ky1;
            std::ptrdiff_t y0;
            m->rows(oy, ky0, ky1, y0);
            for (std::size_t ox = 0; ox < g.ow; ++ox) {
                std::size_t nan_bit = SIZE_MAX;
                for (std::size_t ki = ky0; ki < ky1 && nan_bit == SIZE_MAX; ++ki)
                    for (std::size_t kj = 0; kj < g.kw; ++kj)
                        if (ox >= m->lo[kj] && ox < m->hi[kj] &&
                            std::isnan(plane[static_cast<std::size_t>(y0 + static_cast<std::ptrdiff_t>(ki)) * g.w +
                                             static_cast<std::size_t>(static_cast<std::ptrdiff_t>(ox * sw) + m->off[kj])])) {
                            nan_bit = ki * g.kw + kj;
                            break;
                        }
                if (nan_bit == SIZE_MAX) continue;
                std::fill(mrow + ox * words, mrow + (ox + 1) * words, std::uint64_t{0});
                mrow[ox * words + nan_bit / 64] = std::uint64_t{1} << (nan_bit % 64);
                yrow[ox] = std::numeric_limits<T>::quiet_NaN();
            }
        }
        return make_tensor(std::move(r));
    });
    MapPtr mp = std::move(m);
    return record(op, {x}, y, [mp](BackwardContext& ctx) { ctx.add(0, map_scatter(ctx.grad_out(), mp)); });
}

Tensor avg_pool(const char* op, const Tensor& x, bool one_d, Size2 kernel, Size2 stride, Size2 padding,
                bool count_include_pad, const std::source_location& loc) {
    // PyTorch's divisor with padding counted is the window clipped to the padded input,
    // which is always kh * kw here since no window passes the padding.
    MapPtr m = make_map(op, x, one_d, kernel, stride, padding,
                        count_include_pad ? PoolKind::avg_include_pad : PoolKind::avg_exclude_pad, loc);
    return record(op, {x}, map_values(x, *m), [m](BackwardContext& ctx) { ctx.add(0, map_scatter(ctx.grad_out(), m)); });
}

}  // namespace

Tensor max_pool2d(const Tensor& x, Size2 kernel, Size2 stride, Size2 padding, std::source_location loc) {
    return max_pool("max_pool2d", x, false, kernel, stride, padding, loc);
}

Tensor avg_pool2d(const Tensor& x, Size2 kernel, Size2 stride, Size2 padding, bool count_include_pad,
                  std::source_location loc) {
    return avg_pool("avg_pool2d", x, false, kernel, stride, padding, count_include_pad, loc);
}

Tensor max_pool1d(const Tensor& x, std::size_t kernel, std::size_t stride, std::size_t padding,
                  std::source_location loc) {
    return max_pool("max_pool1d", x, true, Size2(1, kernel), Size2(1, stride), Size2(0, padding), loc);
}

Tensor avg_pool1d(const Tensor& x, std::size_t kernel, std::size_t stride, std::size_t padding,
                  bool count_include_pad, std::source_location loc) {
    return avg_pool("avg_pool1d", x, true, Size2(1, kernel), Size2(1, stride), Size2(0, padding), count_include_pad,
                    loc);
}

Tensor global_avg_pool2d(const Tensor& x, std::source_location loc) {
    check_float("global_avg_pool2d", x);
    if (x.dim() != 4)
        throw_shape_error("global_avg_pool2d",
                          fmt::format("input must be 4-D [batch, channels, height, width], got shape {}",
                                      shape_str(x.shape())),
                          loc);
    if (x.size(2) * x.size(3) == 0)
        throw_shape_error("global_avg_pool2d", fmt::format("input {} has an empty image", shape_str(x.shape())), loc);
    return mean(x, {2, 3});
}

}  // namespace tg
