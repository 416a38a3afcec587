// Pooling. Both pools are, for a given input, linear maps from x to y described by
// a sparse table: output o averages the input elements offset[start[o] .. start[o+1])
// with weight scale(o). Max pooling records its maxima (all of them, on a tie) in such
// a table in the forward pass; average pooling records its windows. The backward of a
// pool is the table's transpose (a scatter), itself a recorded op whose backward is the
// table applied again (a gather), so second and higher derivatives are exact.
#include "pool.hpp"

#include <cmath>
#include <limits>
#include <memory>

#include <fmt/format.h>

#include "detail.hpp"
#include "reduce.hpp"

namespace tg {

namespace {

struct PoolTable {
    Shape in_shape, out_shape;
    std::vector<std::size_t> start;   // n_out + 1 entries
    std::vector<std::size_t> offset;  // flat input offsets
    std::vector<double> scale;        // per output; empty: 1 / (number of entries)
    double weight(std::size_t o) const {
        return scale.empty() ? 1.0 / static_cast<double>(start[o + 1] - start[o]) : scale[o];
    }
};
using TablePtr = std::shared_ptr<const PoolTable>;

Tensor table_gather(const Tensor& x, const TablePtr& t);

/// dx = T^T g: each output's gradient spread over its entries (values, then recorded).
Tensor table_scatter(const Tensor& g, const TablePtr& t) {
    Tensor out = dispatch(g.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> r = Array<T>::from_shape(kernels::to_xshape(t->in_shape));
        r.fill(T(0));
        T* pr = r.data();
        const T* pg = values<T>(g).data();
        const std::size_t n_out = t->start.size() - 1;
        for (std::size_t o = 0; o < n_out; ++o) {
            const T v = static_cast<T>(t->weight(o)) * pg[o];
            for (std::size_t e = t->start[o]; e < t->start[o + 1]; ++e) pr[t->offset[e]] += v;
        }
        return make_tensor(std::move(r));
    });
    return record("pool_scatter", {g}, out, [t](BackwardContext& ctx) { ctx.add(0, table_gather(ctx.grad_out(), t)); });
}

/// y = T x: each output the weighted sum of its entries.
Tensor table_values(const Tensor& x, const PoolTable& t) {
    return dispatch(x.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> r = Array<T>::from_shape(kernels::to_xshape(t.out_shape));
        T* pr = r.data();
        const T* px = values<T>(x).data();
        const std::size_t n_out = t.start.size() - 1;
        for (std::size_t o = 0; o < n_out; ++o) {
            T acc = T(0);
            for (std::size_t e = t.start[o]; e < t.start[o + 1]; ++e) acc += px[t.offset[e]];
            pr[o] = static_cast<T>(t.weight(o)) * acc;
        }
        return make_tensor(std::move(r));
    });
}

Tensor table_gather(const Tensor& x, const TablePtr& t) {
    return record("pool_gather", {x}, table_values(x, *t),
                  [t](BackwardContext& ctx) { ctx.add(0, table_scatter(ctx.grad_out(), t)); });
}

struct PoolGeom {
    std::size_t planes = 0, h = 1, w = 0, kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, oh = 1, ow = 0;
};

std::size_t pool_extent(const char* op, const Tensor& x, const char* axis, std::size_t in, std::size_t k,
                        std::size_t s, std::size_t p, const std::source_location& loc) {
    if (k == 0) throw_shape_error(op, fmt::format("kernel size must be positive along {}", axis), loc);
    if (s == 0) throw_shape_error(op, fmt::format("stride must be positive along {}", axis), loc);
    if (2 * p > k)
        throw_shape_error(op, fmt::format("padding {} along {} is more than half the kernel size {}", p, axis, k), loc);
    if (in + 2 * p < k)
        throw_shape_error(op, fmt::format("input {}: the kernel {} along {} is larger than the padded input {} ({} + 2 x "
                                          "padding {})",
                                          shape_str(x.shape()), k, axis, in + 2 * p, in, p),
                          loc);
    return (in + 2 * p - k) / s + 1;
}

PoolGeom make_geom(const char* op, const Tensor& x, bool one_d, Size2 kernel, Size2 stride, Size2 padding,
                   const std::source_location& loc) {
    check_defined(op, x);
    const std::size_t rank = one_d ? 3 : 4;
    if (x.dim() != rank)
        throw_shape_error(op, fmt::format("input must be {}-D {}, got shape {}", rank,
                                          one_d ? "[batch, channels, length]" : "[batch, channels, height, width]",
                                          shape_str(x.shape())),
                          loc);
    PoolGeom g;
    g.planes = x.size(0) * x.size(1);
    if (!one_d) {
        g.h = x.size(2), g.kh = kernel.h, g.sh = stride.h ? stride.h : kernel.h, g.ph = padding.h;
        g.oh = pool_extent(op, x, "height", g.h, g.kh, g.sh, g.ph, loc);
    }
    g.w = x.size(-1), g.kw = kernel.w, g.sw = stride.w ? stride.w : kernel.w, g.pw = padding.w;
    g.ow = pool_extent(op, x, one_d ? "length" : "width", g.w, g.kw, g.sw, g.pw, loc);
    return g;
}

Shape out_shape(const Tensor& x, const PoolGeom& g, bool one_d) {
    return one_d ? Shape{x.size(0), x.size(1), g.ow} : Shape{x.size(0), x.size(1), g.oh, g.ow};
}

/// Visit the in-bounds window positions of output (oy, ox): f(flat offset within the plane).
template <class F>
void for_window(const PoolGeom& g, std::size_t oy, std::size_t ox, F f) {
    const std::ptrdiff_t y0 = static_cast<std::ptrdiff_t>(oy * g.sh) - static_cast<std::ptrdiff_t>(g.ph);
    const std::ptrdiff_t x0 = static_cast<std::ptrdiff_t>(ox * g.sw) - static_cast<std::ptrdiff_t>(g.pw);
    const std::ptrdiff_t y1 = std::min<std::ptrdiff_t>(y0 + static_cast<std::ptrdiff_t>(g.kh), std::ptrdiff_t(g.h));
    const std::ptrdiff_t x1 = std::min<std::ptrdiff_t>(x0 + static_cast<std::ptrdiff_t>(g.kw), std::ptrdiff_t(g.w));
    for (std::ptrdiff_t iy = std::max<std::ptrdiff_t>(y0, 0); iy < y1; ++iy)
        for (std::ptrdiff_t ix = std::max<std::ptrdiff_t>(x0, 0); ix < x1; ++ix)
            f(static_cast<std::size_t>(iy) * g.w + static_cast<std::size_t>(ix));
}

Tensor max_pool(const char* op, const Tensor& x, bool one_d, Size2 kernel, Size2 stride, Size2 padding,
                const std::source_location& loc) {
    const PoolGeom g = make_geom(op, x, one_d, kernel, stride, padding, loc);
    auto table = std::make_shared<PoolTable>();
    table->in_shape = x.shape();
    table->out_shape = out_shape(x, g, one_d);
    const std::size_t plane_in = g.h * g.w, plane_out = g.oh * g.ow;
    table->start.resize(g.planes * plane_out + 1);
    table->offset.reserve(g.planes * plane_out);
    Tensor y = dispatch(x.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> r = Array<T>::from_shape(kernels::to_xshape(table->out_shape));
        T* pr = r.data();
        const T* px = values<T>(x).data();
        std::size_t o = 0;
        for (std::size_t p = 0; p < g.planes; ++p) {
            const T* plane = px + p * plane_in;
            const std::size_t base = p * plane_in;
            for (std::size_t oy = 0; oy < g.oh; ++oy)
                for (std::size_t ox = 0; ox < g.ow; ++ox, ++o) {
                    T m = -std::numeric_limits<T>::infinity();
                    bool nan = false;
                    for_window(g, oy, ox, [&](std::size_t i) {
                        const T v = plane[i];
                        if (std::isnan(v)) nan = true;
                        if (v > m) m = v;
                    });
                    table->start[o] = table->offset.size();
                    if (nan) {  // the first NaN is the maximum
                        bool done = false;
                        for_window(g, oy, ox, [&](std::size_t i) {
                            if (!done && std::isnan(plane[i])) table->offset.push_back(base + i), done = true;
                        });
                        pr[o] = std::numeric_limits<T>::quiet_NaN();
                        continue;
                    }
                    // every element equal to the maximum (the padding, -inf, is never in the window list)
                    for_window(g, oy, ox, [&](std::size_t i) {
                        if (plane[i] == m) table->offset.push_back(base + i);
                    });
                    pr[o] = m;
                }
        }
        table->start[o] = table->offset.size();
        return make_tensor(std::move(r));
    });
    TablePtr t = std::move(table);
    return record(op, {x}, y, [t](BackwardContext& ctx) { ctx.add(0, table_scatter(ctx.grad_out(), t)); });
}

Tensor avg_pool(const char* op, const Tensor& x, bool one_d, Size2 kernel, Size2 stride, Size2 padding,
                bool count_include_pad, const std::source_location& loc) {
    const PoolGeom g = make_geom(op, x, one_d, kernel, stride, padding, loc);
    auto table = std::make_shared<PoolTable>();
    table->in_shape = x.shape();
    table->out_shape = out_shape(x, g, one_d);
    const std::size_t plane_in = g.h * g.w, plane_out = g.oh * g.ow;
    table->start.resize(g.planes * plane_out + 1);
    table->scale.resize(g.planes * plane_out);
    table->offset.reserve(g.planes * plane_out * g.kh * g.kw);
    std::size_t o = 0;
    for (std::size_t p = 0; p < g.planes; ++p)
        for (std::size_t oy = 0; oy < g.oh; ++oy)
            for (std::size_t ox = 0; ox < g.ow; ++ox, ++o) {
                table->start[o] = table->offset.size();
                for_window(g, oy, ox, [&](std::size_t i) { table->offset.push_back(p * plane_in + i); });
                const std::size_t inside = table->offset.size() - table->start[o];
                // PyTorch: with padding counted, windows are clipped to the padded input (always kh*kw here,
                // since a window never passes the padding)
                table->scale[o] = 1.0 / static_cast<double>(count_include_pad ? g.kh * g.kw : inside);
            }
    table->start[o] = table->offset.size();
    TablePtr t = std::move(table);
    return record(op, {x}, table_values(x, *t), [t](BackwardContext& ctx) {
        ctx.add(0, table_scatter(ctx.grad_out(), t));
    });
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
    check_defined("global_avg_pool2d", x);
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
