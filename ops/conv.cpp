// Convolution by im2col + gemm, with its backward as two more recorded ops.
//
// Note [three convolution ops]
// ----------------------------
// y = conv(x, w) is bilinear. Its vector-Jacobian products are two more bilinear maps:
//   input_grad(g, w)  = dL/dx  (col2im of w^T g: the transposed convolution)
//   weight_grad(x, g) = dL/dw  (sum over images of g im2col(x)^T)
// Each of the three is a recorded op whose own backward is written with the other two:
//   conv:        dx = input_grad(G, w),   dw = weight_grad(x, G)
//   input_grad:  dg = conv(G, w),         dw = weight_grad(G, g)
//   weight_grad: dx = input_grad(g, G),   dg = conv(x, G)
// (from <input_grad(g, w), v> = <g, conv(v, w)> and <weight_grad(x, g), v> = <g, conv(x, v)>),
// so gradients of gradients stay exact to any order while every op runs a dedicated
// kernel: no scatter of per-element tensors, one gemm per image.
// conv1d is the same code with H = 1 (no reshapes, no copies).
#include "conv.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "blas.hpp"
#include "detail.hpp"
#include "../graph/broadcast.hpp"
#include "../graph/numel.hpp"
#include "shape.hpp"

namespace tg {

namespace {

template <class T>
void gemm_rm(const char* op, bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, const T* a,
             std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc) {
    blas::gemm(op, ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

struct ConvGeom {
    std::size_t n = 0, c = 0, h = 1, w = 0, o = 0;
    std::size_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
    std::size_t oh = 1, ow = 0;
    bool one_d = false;

    std::size_t ckk() const { return c * kh * kw; }
    std::size_t l() const { return oh * ow; }
    std::size_t hw() const { return h * w; }
    Shape x_shape() const { return one_d ? Shape{n, c, w} : Shape{n, c, h, w}; }
    Shape w_shape() const { return one_d ? Shape{o, c, kw} : Shape{o, c, kh, kw}; }
    Shape y_shape() const { return one_d ? Shape{n, o, ow} : Shape{n, o, oh, ow}; }
    const char* name() const { return one_d ? "conv1d" : "conv2d"; }
    /// A 1x1 kernel with unit stride and no padding: im2col is the identity.
    bool pointwise() const { return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0; }
};

std::ptrdiff_t ceil_div(std::ptrdiff_t a, std::ptrdiff_t b) {  // b > 0
    return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

/// The output columns [lo, hi) whose input column ox * s + off lies in [0, extent).
void valid_range(std::ptrdiff_t off, std::size_t s, std::size_t extent, std::size_t out, std::size_t& lo,
                 std::size_t& hi) {
    const auto S = static_cast<std::ptrdiff_t>(s);
    std::ptrdiff_t l = std::max<std::ptrdiff_t>(0, ceil_div(-off, S));
    std::ptrdiff_t u = std::max<std::ptrdiff_t>(0, ceil_div(static_cast<std::ptrdiff_t>(extent) - off, S));
    u = std::min<std::ptrdiff_t>(u, static_cast<std::ptrdiff_t>(out));
    l = std::min(l, u);
    lo = static_cast<std::size_t>(l);
    hi = static_cast<std::size_t>(u);
}

/// The walk im2col and col2im share, one row of one image's patch matrix [C kh kw, OH OW]
/// at a time: for row oy of patch row (c, ki, kj), at offset r in the matrix,
/// row(r, src, lo, hi, off) when it reads input row src (an offset in the image
/// [C, H, W]), its output columns [lo, hi) reading input column ox * sw + off and the
/// others padding; pad(r) when the whole row is padding.
template <class Row, class Pad>
void for_each_patch_row(const ConvGeom& geom, Row row, Pad pad) {
    // A local copy: the row functions write floats through pointers (memset, memcpy), which
    // could alias a reference, so every field would be reloaded after each call.
    const ConvGeom g = geom;
    const std::size_t L = g.l();
    for (std::size_t c = 0; c < g.c; ++c)
        for (std::size_t ki = 0; ki < g.kh; ++ki)
            for (std::size_t kj = 0; kj < g.kw; ++kj) {
                const std::size_t r = ((c * g.kh + ki) * g.kw + kj) * L;
                const std::ptrdiff_t off = static_cast<std::ptrdiff_t>(kj * g.dw) - static_cast<std::ptrdiff_t>(g.pw);
                std::size_t lo, hi;
                valid_range(off, g.sw, g.w, g.ow, lo, hi);
                for (std::size_t oy = 0; oy < g.oh; ++oy) {
                    const std::ptrdiff_t iy = static_cast<std::ptrdiff_t>(oy * g.sh + ki * g.dh) -
                                              static_cast<std::ptrdiff_t>(g.ph);
                    if (iy < 0 || iy >= static_cast<std::ptrdiff_t>(g.h)) pad(r + oy * g.ow);
                    else row(r + oy * g.ow, (c * g.h + static_cast<std::size_t>(iy)) * g.w, lo, hi, off);
                }
            }
}

/// One image [C, H, W] to its patch matrix cols [C kh kw, OH OW] (zeros for padding).
template <class T>
void im2col(const T* x, const ConvGeom& g, T* cols) {
    const std::size_t ow = g.ow, sw = g.sw;
    for_each_patch_row(
        g,
        [=](std::size_t r, std::size_t src, std::size_t lo, std::size_t hi, std::ptrdiff_t off) {
            T* out = cols + r;
            const T* in = x + src;
            std::fill(out, out + lo, T(0));
            if (sw == 1)
                std::memcpy(out + lo, in + (static_cast<std::ptrdiff_t>(lo) + off), (hi - lo) * sizeof(T));
            else
                for (std::size_t ox = lo; ox < hi; ++ox) out[ox] = in[static_cast<std::ptrdiff_t>(ox * sw) + off];
            std::fill(out + hi, out + ow, T(0));
        },
        [=](std::size_t r) { std::fill(cols + r, cols + r + ow, T(0)); });
}

/// The adjoint of im2col: add each patch entry back onto its pixel of dx [C, H, W].
template <class T>
void col2im(const T* cols, const ConvGeom& g, T* dx) {
    const std::size_t sw = g.sw;
    for_each_patch_row(
        g,
        [=](std::size_t r, std::size_t dst, std::size_t lo, std::size_t hi, std::ptrdiff_t off) {
            const T* in = cols + r;
            T* out = dx + dst;
            if (sw == 1) {
                T* d = out + (static_cast<std::ptrdiff_t>(lo) + off);
                for (std::size_t ox = lo; ox < hi; ++ox) d[ox - lo] += in[ox];
            } else {
                for (std::size_t ox = lo; ox < hi; ++ox) out[static_cast<std::ptrdiff_t>(ox * sw) + off] += in[ox];
            }
        },
        [](std::size_t) {});  // padding: its entries go nowhere
}

Tensor conv_op(const Tensor& x, const Tensor& w, const Tensor& b, const ConvGeom& g,
               Epilogue epilogue = Epilogue::none);
Tensor input_grad_op(const Tensor& gy, const Tensor& w, const ConvGeom& g);
Tensor weight_grad_op(const Tensor& x, const Tensor& gy, const ConvGeom& g);

/// Images a weight gradient sums per partial (see weight_grad_values).
constexpr std::size_t kImageGroup = 4;

/// fn(n0, n1) over the batch's images, shared among the pool's threads when the
/// batch's work is large (each task gets at least ~2^18 multiply-adds); images
/// are independent, so the result does not depend on the thread count. With
/// `align`, ranges start and end at multiples of it.
template <class F>
void for_images(const ConvGeom& g, std::size_t align, F&& fn) {
    const std::size_t per_image = std::max<std::size_t>(1, g.o * g.ckk() * g.l());
    const std::size_t grain = std::max<std::size_t>(1, (std::size_t(1) << 18) / per_image);
    const std::size_t units = (g.n + align - 1) / align;
    parallel::for_ranges(units, (grain + align - 1) / align, [&](std::size_t u0, std::size_t u1) {
        fn(u0 * align, std::min(g.n, u1 * align));
    });
}

template <class F>
void for_images(const ConvGeom& g, F&& fn) {
    for_images(g, 1, std::forward<F>(fn));
}

/// y = epilogue(conv(x, w) + b) (values only); the epilogue runs on each image's
/// output while it is in cache.
Tensor conv_values(const Tensor& x, const Tensor& w, const Tensor& b, const ConvGeom& g, Epilogue epilogue) {
    return dispatch(x.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> y = Array<T>::from_shape(kernels::to_xshape(g.y_shape()));
        const T* px = values<T>(x).data();
        const T* pw = values<T>(w).data();
        const T* pb = b.defined() ? values<T>(b).data() : nullptr;
        T* py = y.data();
        const std::size_t L = g.l(), K = g.ckk();
        for_images(g, [&](std::size_t n0, std::size_t n1) {
            std::vector<T> cols(g.pointwise() ? 0 : K * L);  // each thread its own
            for (std::size_t n = n0; n < n1; ++n) {
                T* yn = py + n * g.o * L;
                if (pb)
                    for (std::size_t o = 0; o < g.o; ++o) std::fill(yn + o * L, yn + (o + 1) * L, pb[o]);
                if (K == 0) {
                    if (!pb) std::fill(yn, yn + g.o * L, T(0));
                    detail::apply_epilogue(epilogue, yn, g.o * L);
                    continue;
                }
                const T* xn = px + n * g.c * g.hw();
                const T* src = xn;
                if (!g.pointwise()) {
                    im2col(xn, g, cols.data());
                    src = cols.data();
                }
                gemm_rm(g.name(), false, false, g.o, L, K, pw, K, src, L, pb ? T(1) : T(0), yn, L);  // [O,K] x [K,L]
                detail::apply_epilogue(epilogue, yn, g.o * L);
            }
        });
        return make_tensor(std::move(y));
    });
}

/// dx = col2im(w^T gy) per image (values only).
Tensor input_grad_values(const Tensor& gy, const Tensor& w, const ConvGeom& g) {
    return dispatch(gy.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> dx = Array<T>::from_shape(kernels::to_xshape(g.x_shape()));
        dx.fill(T(0));
        const T* pg = values<T>(gy).data();
        const T* pw = values<T>(w).data();
        T* pdx = dx.data();
        const std::size_t L = g.l(), K = g.ckk();
        if (K == 0 || g.o == 0) return make_tensor(std::move(dx));
        for_images(g, [&](std::size_t n0, std::size_t n1) {
            std::vector<T> cols(g.pointwise() ? 0 : K * L);
            for (std::size_t n = n0; n < n1; ++n) {
                const T* gn = pg + n * g.o * L;
                T* dxn = pdx + n * g.c * g.hw();
                if (g.pointwise()) {
                    gemm_rm(g.name(), true, false, K, L, g.o, pw, K, gn, L, T(0), dxn, L);  // [K,O] x [O,L]
                } else {
                    gemm_rm(g.name(), true, false, K, L, g.o, pw, K, gn, L, T(0), cols.data(), L);
                    col2im(cols.data(), g, dxn);
                }
            }
        });
        return make_tensor(std::move(dx));
    });
}

/// dw = sum_n gy_n im2col(x_n)^T (values only), shaped like the weight.
Tensor weight_grad_values(const Tensor& x, const Tensor& gy, const ConvGeom& g) {
    return dispatch(x.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> dw = Array<T>::from_shape(kernels::to_xshape(g.w_shape()));
        dw.fill(T(0));
        const T* px = values<T>(x).data();
        const T* pg = values<T>(gy).data();
        const std::size_t L = g.l(), K = g.ckk();
        if (K == 0 || g.o == 0) return make_tensor(std::move(dw));
        // Images in fixed groups, each summed in order into its own partial dw, the
        // partials then added in group order: the same bits for any thread count
        // (Note [threads and results]); one group (up to kImageGroup images) is
        // exactly the plain running sum.
        const std::size_t groups = (g.n + kImageGroup - 1) / kImageGroup, size = g.o * K;
        std::vector<T> partial(groups > 1 ? groups * size : 0);
        for_images(g, kImageGroup, [&](std::size_t n0, std::size_t n1) {
            std::vector<T> cols(g.pointwise() ? 0 : K * L);
            for (std::size_t n = n0; n < n1; ++n) {
                const T* xn = px + n * g.c * g.hw();
                const T* src = xn;
                if (!g.pointwise()) {
                    im2col(xn, g, cols.data());
                    src = cols.data();
                }
                T* acc = groups > 1 ? partial.data() + (n / kImageGroup) * size : dw.data();
                // [O,L] x [L,K], accumulated over the group by beta = 1
                gemm_rm(g.name(), false, true, g.o, K, L, pg + n * g.o * L, L, src, L, n % kImageGroup ? T(1) : T(0),
                        acc, K);
            }
        });
        T* pdw = dw.data();
        for (std::size_t q = 0; q < groups && groups > 1; ++q)
            for (std::size_t i = 0; i < size; ++i) pdw[i] += partial[q * size + i];
        return make_tensor(std::move(dw));
    });
}

/// db = sum of gy over the batch and the positions: [N, O, L] -> [O]. Recorded; its
/// backward broadcasts back (a dedicated loop: the generic sum_to does not vectorise here).
Tensor bias_grad_op(const Tensor& gy, const ConvGeom& g) {
    Tensor db = dispatch(gy.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> r = Array<T>::from_shape({g.o});
        const T* pg = values<T>(gy).data();
        const std::size_t L = g.l();
        for (std::size_t o = 0; o < g.o; ++o) {
            T acc = T(0);
            for (std::size_t n = 0; n < g.n; ++n) {
                const T* row = pg + (n * g.o + o) * L;
                // eight partial sums, so the loop vectorises without reassociation flags
                T part[8] = {};
                std::size_t i = 0;
                for (; i + 8 <= L; i += 8)
                    for (std::size_t k = 0; k < 8; ++k) part[k] += row[i + k];
                for (; i < L; ++i) part[0] += row[i];
                for (std::size_t k = 0; k < 8; ++k) acc += part[k];
            }
            r(o) = acc;
        }
        return make_tensor(std::move(r));
    });
    return record(g.one_d ? "conv1d_bias_grad" : "conv2d_bias_grad", {gy}, db, [g](BackwardContext& ctx) {
        const Shape cshape = g.one_d ? Shape{1, g.o, 1} : Shape{1, g.o, 1, 1};
        ctx.add(0, broadcast_to(reshape(ctx.grad_out(), cshape), g.y_shape()));
    });
}

Tensor conv_op(const Tensor& x, const Tensor& w, const Tensor& b, const ConvGeom& g, Epilogue epilogue) {
    Tensor y = conv_values(x, w, b, g, epilogue);
    // See Note [three convolution ops]. A fused activation's gradient comes from the output.
    auto rule = [g, epilogue](BackwardContext& ctx) {
        const Tensor gy = detail::epilogue_grad(epilogue, ctx.grad_out(), ctx.out());
        if (ctx.needs(0)) ctx.add(0, input_grad_op(gy, ctx.input(1), g));
        if (ctx.needs(1)) ctx.add(1, weight_grad_op(ctx.input(0), gy, g));
        if (ctx.needs(2)) ctx.add(2, bias_grad_op(gy, g));  // (an undefined bias needs nothing)
    };
    return record(g.name(), {x, w, b}, y, rule);
}

Tensor input_grad_op(const Tensor& gy, const Tensor& w, const ConvGeom& g) {
    Tensor dx = input_grad_values(gy, w, g);
    return record(g.one_d ? "conv1d_input_grad" : "conv2d_input_grad", {gy, w}, dx, [g](BackwardContext& ctx) {
        const Tensor& G = ctx.grad_out();  // shaped like x
        if (ctx.needs(0)) ctx.add(0, conv_op(G, ctx.input(1), Tensor(), g));
        if (ctx.needs(1)) ctx.add(1, weight_grad_op(G, ctx.input(0), g));
    });
}

Tensor weight_grad_op(const Tensor& x, const Tensor& gy, const ConvGeom& g) {
    Tensor dw = weight_grad_values(x, gy, g);
    return record(g.one_d ? "conv1d_weight_grad" : "conv2d_weight_grad", {x, gy}, dw, [g](BackwardContext& ctx) {
        const Tensor& G = ctx.grad_out();  // shaped like w
        if (ctx.needs(0)) ctx.add(0, input_grad_op(ctx.input(1), G, g));
        if (ctx.needs(1)) ctx.add(1, conv_op(ctx.input(0), G, Tensor(), g));
    });
}

/// Output extent along one axis, or a ShapeError when an argument is absurd or the
/// dilated kernel does not fit. With every argument at most kMaxWindowArg and the
/// span checked for overflow, the im2col index arithmetic cannot wrap.
std::size_t out_extent(const char* op, const Tensor& x, const Tensor& w, const char* axis, std::size_t in,
                       std::size_t k, std::size_t s, std::size_t p, std::size_t d, const std::source_location& loc) {
    check_window_arg(op, "stride", axis, s, false, loc);
    check_window_arg(op, "padding", axis, p, true, loc);
    check_window_arg(op, "dilation", axis, d, false, loc);
    if (k == 0)
        throw_shape_error(op, fmt::format("weight {} has a zero-size kernel", shape_str(w.shape())), loc);
    const std::size_t padded = in + 2 * p;  // in is a tensor's extent, p < 2^31: no overflow
    std::size_t span = 0;
    const bool huge = __builtin_mul_overflow(d, k - 1, &span) || __builtin_add_overflow(span, 1, &span);
    if (huge || padded < span)
        throw_shape_error(op, fmt::format("input {} with weight {}: the kernel {} (dilation {}) along {} is larger "
                                          "than the padded input {} ({} + 2 x padding {})",
                                          shape_str(x.shape()), shape_str(w.shape()), k, d, axis, padded, in, p),
                          loc);
    return (padded - span) / s + 1;
}

/// The output and the im2col buffer must be allocatable (Note [checked element counts]).
void check_conv_sizes(const ConvGeom& g) {
    checked_numel(g.y_shape(), g.name());
    checked_numel({g.c, g.kh, g.kw, g.oh, g.ow}, g.name());
}

void check_common(const char* op, const Tensor& x, const Tensor& w, const Tensor& b, std::size_t rank,
                  const char* layout, const std::source_location& loc) {
    check_float(op, x);
    check_float(op, w);
    check_same_dtype(op, x, w, loc);
    if (x.dim() != rank)
        throw_shape_error(op, fmt::format("input must be {}-D {}, got shape {}", rank, layout, shape_str(x.shape())),
                          loc);
    if (w.dim() != rank)
        throw_shape_error(op, fmt::format("weight must be {}-D [out_channels, in_channels{}], got shape {}", rank,
                                          rank == 4 ? ", kernel_h, kernel_w" : ", kernel", shape_str(w.shape())),
                          loc);
    if (x.size(1) != w.size(1))
        throw_shape_error(op, fmt::format("input {} has {} channels but the weight {} expects {}", shape_str(x.shape()),
                                          x.size(1), shape_str(w.shape()), w.size(1)),
                          loc);
    if (b.defined()) {
        check_same_dtype(op, x, b, loc);
        if (b.dim() != 1 || b.size(0) != w.size(0))
            throw_shape_error(op, fmt::format("bias {} must be [{}] to match weight {}", shape_str(b.shape()),
                                              w.size(0), shape_str(w.shape())),
                              loc);
    }
}

}  // namespace

void check_window_arg(const char* op, const char* what, const char* axis, std::size_t value, bool may_be_zero,
                      const std::source_location& loc) {
    if (value == 0 && !may_be_zero)
        throw_shape_error(op, fmt::format("{} must be positive (got 0 along {})", what, axis), loc);
    if (value > kMaxWindowArg) {
        const auto as_signed = static_cast<std::ptrdiff_t>(value);
        throw_shape_error(op,
                          as_signed < 0 ? fmt::format("{} along {} is negative ({}, passed as the unsigned {})", what,
                                                      axis, as_signed, value)
                                        : fmt::format("{} {} along {} is too large (at most {})", what, value, axis,
                                                      kMaxWindowArg),
                          loc);
    }
}

Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& b, Size2 stride, Size2 padding, Size2 dilation,
              std::source_location loc) {
    return conv2d(x, w, b, stride, padding, dilation, Epilogue::none, loc);
}

Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& b, Size2 stride, Size2 padding, Size2 dilation,
              Epilogue epilogue, std::source_location loc) {
    check_common("conv2d", x, w, b, 4, "[batch, channels, height, width]", loc);
    ConvGeom g;
    g.n = x.size(0), g.c = x.size(1), g.h = x.size(2), g.w = x.size(3), g.o = w.size(0);
    g.kh = w.size(2), g.kw = w.size(3);
    g.sh = stride.h, g.sw = stride.w, g.ph = padding.h, g.pw = padding.w, g.dh = dilation.h, g.dw = dilation.w;
    g.oh = out_extent("conv2d", x, w, "height", g.h, g.kh, g.sh, g.ph, g.dh, loc);
    g.ow = out_extent("conv2d", x, w, "width", g.w, g.kw, g.sw, g.pw, g.dw, loc);
    check_conv_sizes(g);
    return conv_op(x, w, b, g, epilogue);
}

Tensor conv1d(const Tensor& x, const Tensor& w, const Tensor& b, std::size_t stride, std::size_t padding,
              std::size_t dilation, std::source_location loc) {
    check_common("conv1d", x, w, b, 3, "[batch, channels, length]", loc);
    ConvGeom g;
    g.one_d = true;
    g.n = x.size(0), g.c = x.size(1), g.w = x.size(2), g.o = w.size(0);
    g.kw = w.size(2), g.sw = stride, g.pw = padding, g.dw = dilation;
    g.ow = out_extent("conv1d", x, w, "length", g.w, g.kw, g.sw, g.pw, g.dw, loc);
    check_conv_sizes(g);
    return conv_op(x, w, b, g);
}

}  // namespace tg
