// Fused affine maps (affine.hpp): products, bias and activation in one pass and
// one recorded node.
#include "affine.hpp"

#include <array>
#include <cmath>

#include <fmt/format.h>
#include <xtensor/xbroadcast.hpp>
#include <xtensor/xnoalias.hpp>

#include "activation.hpp"
#include "blas.hpp"
#include "detail.hpp"
#include "elementwise.hpp"
#include "fast_math.hpp"
#include "linalg.hpp"
#include "reduce.hpp"
#include "shape.hpp"

namespace tg {

const char* epilogue_name(Epilogue e) {
    switch (e) {
        case Epilogue::none: return "none";
        case Epilogue::relu: return "relu";
        case Epilogue::tanh: return "tanh";
        case Epilogue::sigmoid: return "sigmoid";
    }
    return "?";
}

namespace {

struct ProductShape {
    std::size_t m, n, k;
};

ProductShape product_shape(const Product& p, std::size_t index, const std::source_location& loc) {
    check_float("affine", p.a, loc);
    check_float("affine", p.b, loc);
    check_same_dtype("affine", p.a, p.b, loc);
    if (p.a.dim() != 2 || p.b.dim() != 2)
        throw_shape_error("affine", fmt::format("product {}: {} @ {}: operands must be 2-D", index,
                                                shape_str(p.a.shape()), shape_str(p.b.shape())),
                          loc);
    const std::size_t m = p.a.size(p.transpose_a ? 1 : 0), k = p.a.size(p.transpose_a ? 0 : 1);
    const std::size_t kb = p.b.size(p.transpose_b ? 1 : 0), n = p.b.size(p.transpose_b ? 0 : 1);
    if (k != kb)
        throw_shape_error("affine", fmt::format("product {}: {}{} @ {}{}: inner dimensions {} and {} differ", index,
                                                shape_str(p.a.shape()), p.transpose_a ? "^T" : "",
                                                shape_str(p.b.shape()), p.transpose_b ? "^T" : "", k, kb),
                          loc);
    return {m, n, k};
}

/// out = bias broadcast to out's [M, N]: a row [N] / [1, N] copied to every row,
/// a column [M, 1] spread along each row, or (any other broadcastable shape) xtensor's broadcast.
template <class T>
void fill_broadcast(const Array<T>& bias, Array<T>& out) {
    const std::size_t m = out.shape()[0], n = out.shape()[1];
    T* po = out.data();
    const T* pb = bias.data();
    if (bias.size() == n && (bias.dimension() == 1 || bias.shape()[0] == 1)) {
        for (std::size_t i = 0; i < m; ++i) std::copy(pb, pb + n, po + i * n);
    } else if (bias.dimension() == 2 && bias.shape()[0] == m && bias.shape()[1] == 1) {
        for (std::size_t i = 0; i < m; ++i) std::fill(po + i * n, po + (i + 1) * n, pb[i]);
    } else {
        xt::noalias(out) = xt::broadcast(bias, std::array<std::size_t, 2>{m, n});
    }
}

/// The activation of out's elements, in place (float32 by fast_math's kernels,
/// float64 by the C library, as the separate activation ops compute them).
template <class T>
void activate(Epilogue e, T* out, std::size_t n) {
    switch (e) {
        case Epilogue::none: return;
        case Epilogue::relu:
            for (std::size_t i = 0; i < n; ++i) out[i] = out[i] <= 0 ? T(0) : out[i];  // NaN stays NaN
            return;
        case Epilogue::tanh:
            if constexpr (std::is_same_v<T, float>) fast::tanh_in_place(out, n);
            else for (std::size_t i = 0; i < n; ++i) out[i] = std::tanh(out[i]);
            return;
        case Epilogue::sigmoid:
            if constexpr (std::is_same_v<T, float>) {
                fast::sigmoid_in_place(out, n);
            } else {
                for (std::size_t i = 0; i < n; ++i) {
                    const T v = out[i];
                    const T e = std::exp(v < 0 ? v : -v);  // never overflows
                    out[i] = v >= 0 ? 1 / (1 + e) : e / (1 + e);
                }
            }
            return;
    }
}

/// g · epilogue'(out), a recorded op (or g itself for none).
Tensor through_epilogue(Epilogue e, const Tensor& g, const Tensor& out) {
    switch (e) {
        case Epilogue::none: return g;
        case Epilogue::relu: return detail::relu_backward(g, out);
        case Epilogue::tanh: return detail::tanh_backward(g, out);
        case Epilogue::sigmoid: return detail::sigmoid_backward(g, out);
    }
    return g;
}

}  // namespace

namespace detail {
void apply_epilogue(Epilogue e, float* values, std::size_t n) { activate(e, values, n); }
void apply_epilogue(Epilogue e, double* values, std::size_t n) { activate(e, values, n); }
Tensor epilogue_grad(Epilogue e, const Tensor& g, const Tensor& out) { return through_epilogue(e, g, out); }
}  // namespace detail

Tensor affine(const std::vector<Product>& products, const Tensor& bias, Epilogue epilogue, std::source_location loc) {
    if (products.empty()) throw std::invalid_argument("affine: needs at least one product");
    std::vector<ProductShape> shapes;
    shapes.reserve(products.size());
    for (std::size_t i = 0; i < products.size(); ++i) {
        shapes.push_back(product_shape(products[i], i, loc));
        if (i == 0) continue;
        check_same_dtype("affine", products[0].a, products[i].a, loc);
        if (shapes[i].m != shapes[0].m || shapes[i].n != shapes[0].n)
            throw_shape_error("affine", fmt::format("product {} is [{}, {}] but product 0 is [{}, {}]: every product "
                                                    "must have the same shape",
                                                    i, shapes[i].m, shapes[i].n, shapes[0].m, shapes[0].n),
                              loc);
    }
    const std::size_t m = shapes[0].m, n = shapes[0].n;
    if (bias.defined()) {
        check_float("affine", bias, loc);
        check_same_dtype("affine", products[0].a, bias, loc);
        const Shape target{m, n};
        Shape joined;
        try {
            joined = broadcast_shapes(bias.shape(), target, "affine");
        } catch (const ShapeError&) {
        }
        if (joined != target)
            throw_shape_error("affine", fmt::format("bias {} does not broadcast to the product's shape {}",
                                                    shape_str(bias.shape()), shape_str(target)),
                              loc);
    }
    Tensor out = dispatch(products[0].a.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> r = Array<T>::from_shape({m, n});
        T beta = T(0);
        if (bias.defined()) {
            fill_broadcast(values<T>(bias), r);
            beta = T(1);
        } else if (m != 0 && n != 0) {
            r.fill(T(0));  // a product with k = 0 adds nothing (and BLAS may not write)
            beta = T(1);
        }
        for (std::size_t i = 0; i < products.size(); ++i) {
            const Product& p = products[i];
            const ProductShape& s = shapes[i];
            if (s.m && s.n && s.k)
                blas::gemm("affine", p.transpose_a, p.transpose_b, s.m, s.n, s.k, values<T>(p.a).data(),
                           p.a.size(1), values<T>(p.b).data(), p.b.size(1), beta, r.data(), n);
            beta = T(1);
        }
        activate(epilogue, r.data(), r.size());
        return make_tensor(std::move(r));
    });
    std::vector<Tensor> inputs;
    inputs.reserve(2 * products.size() + 1);
    std::vector<std::pair<bool, bool>> flags;
    flags.reserve(products.size());
    for (const Product& p : products) {
        inputs.push_back(p.a);
        inputs.push_back(p.b);
        flags.emplace_back(p.transpose_a, p.transpose_b);
    }
    inputs.push_back(bias);
    return record("affine", inputs, out, [flags = std::move(flags), epilogue](BackwardContext& ctx) {
        const Tensor g = through_epilogue(epilogue, ctx.grad_out(), ctx.out());
        // each product as matmul's rule: dA = G op(B)^T, dB = op(A)^T G (transposes are BLAS flags)
        for (std::size_t i = 0; i < flags.size(); ++i) {
            const auto [ta, tb] = flags[i];
            const Tensor& a = ctx.input(2 * i);
            const Tensor& b = ctx.input(2 * i + 1);
            if (ctx.needs(2 * i)) ctx.add(2 * i, ta ? gemm(b, g, tb, true, {}) : gemm(g, b, false, !tb, {}));
            if (ctx.needs(2 * i + 1)) ctx.add(2 * i + 1, tb ? gemm(g, a, true, ta, {}) : gemm(a, g, !ta, false, {}));
        }
        const std::size_t b = 2 * flags.size();
        if (ctx.needs(b)) ctx.add(b, g);  // the engine sums g over the bias's broadcast axes
    });
}

namespace detail {

// Note [linear on N-D input]
// --------------------------
// x [..., in] is [rows, in] as it lies in memory, and so is the output
// [..., out]: the product runs on the data in place. Reshaping x to 2-D and the
// result back would copy both, and the copies would stay alive with the graph
// (the product saves its 2-D input, the epilogue its 2-D output): a Linear on
// a transformer's [64, 32, 512] activation held 8 MB more until backward. The
// backward rule reshapes the gradient (a copy that lives only while the rule
// runs; none for 2-D input, which takes this path too) and is written with
// recorded ops, so second derivatives work.
Tensor linear_rows(const Tensor& x, const Tensor& w, const Tensor& b, Epilogue epilogue) {
    const std::size_t in = w.size(1), outf = w.size(0);
    std::size_t rows = 1;
    for (std::size_t k = 0; k + 1 < x.dim(); ++k) rows *= x.size(static_cast<int>(k));
    Tensor out = dispatch(x.dtype(), [&](auto z) {
        using T = decltype(z);
        auto out_shape = kernels::to_xshape(x.shape());  // [..., out]; inline storage, no allocation
        out_shape.back() = outf;
        Array<T> r = Array<T>::from_shape(out_shape);
        T* pr = r.data();
        T beta = T(0);
        if (b.defined()) {
            const T* pb = values<T>(b).data();
            for (std::size_t i = 0; i < rows; ++i) std::copy(pb, pb + outf, pr + i * outf);
            beta = T(1);
        }
        if (rows && outf) {
            if (in)
                blas::gemm("linear", false, true, rows, outf, in, values<T>(x).data(), in, values<T>(w).data(), in,
                           beta, pr, outf);
            else if (!b.defined())
                r.fill(T(0));
        }
        activate(epilogue, pr, r.size());
        return make_tensor(std::move(r));
    });
    auto rule = [epilogue](BackwardContext& ctx) {
        Tensor through;  // g' = g · epilogue'(out), when there is an epilogue
        if (epilogue != Epilogue::none) through = through_epilogue(epilogue, ctx.grad_out(), ctx.out());
        const Tensor& g2 = epilogue == Epilogue::none ? ctx.grad_out() : through;
        if (g2.dim() == 2) {  // the common case: no reshapes at all
            if (ctx.needs(0)) ctx.add(0, gemm(g2, ctx.input(1), false, false, {}));  // [rows,out] x [out,in]
            if (ctx.needs(1)) ctx.add(1, gemm(g2, ctx.input(0), true, false, {}));   // [out,rows] x [rows,in]
            if (ctx.needs(2)) ctx.add(2, sum(g2, {0}));
            return;
        }
        const Tensor& x = ctx.input(0);
        const auto as_rows = [&](const Tensor& t) {
            std::size_t n = 1;
            for (std::size_t k = 0; k + 1 < t.dim(); ++k) n *= t.size(static_cast<int>(k));
            return reshape(t, {static_cast<std::int64_t>(n), static_cast<std::int64_t>(t.size(-1))});
        };
        const Tensor g = as_rows(g2);  // [rows, out]
        if (ctx.needs(0)) ctx.add(0, reshape(gemm(g, ctx.input(1), false, false, {}), x.shape()));
        if (ctx.needs(1)) ctx.add(1, gemm(g, as_rows(x), true, false, {}));
        if (ctx.needs(2)) ctx.add(2, sum(g, {0}));
    };
    return record(epilogue == Epilogue::none ? "linear" : "affine", {x, w, b}, out, rule);
}

}  // namespace detail

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b, Epilogue epilogue, std::source_location loc) {
    if (epilogue == Epilogue::none) return linear(x, w, b, loc);
    check_defined("linear", x);
    check_defined("linear", w);
    if (w.dim() != 2 || x.dim() == 0 || x.size(-1) != w.size(1)) return linear(x, w, b, loc);  // its errors
    if (b.defined() && (b.dim() != 1 || b.size(0) != w.size(0))) return linear(x, w, b, loc);
    if (x.dim() == 2) return affine({{x, w, false, true}}, b, epilogue, loc);
    check_float("linear", x, loc);
    check_float("linear", w, loc);
    check_same_dtype("linear", x, w, loc);
    if (b.defined()) check_same_dtype("linear", x, b, loc);
    return detail::linear_rows(x, w, b, epilogue);  // Note [linear on N-D input]
}

}  // namespace tg
