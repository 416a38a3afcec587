// Matrix products through BLAS. Every product, including the transposed ones
// the backward rules need, is one gemm call with transpose flags (blas.hpp).
#include "linalg.hpp"

#include <fmt/format.h>

#include "blas.hpp"
#include "detail.hpp"
#include "elementwise.hpp"
#include "reduce.hpp"
#include "shape.hpp"

namespace tg {

namespace {

/// c = op(a) op(b) + beta c for packed row-major matrices (see blas::gemm).
template <class T>
void blas_gemm(const char* op, bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b,
               T* c, T beta) {
    blas::gemm(op, ta, tb, m, n, k, a, ta ? m : k, b, tb ? k : n, beta, c, n);
}

struct GemmPlan {
    std::size_t m, n, k;
    Shape batch;  // broadcast batch shape (empty for two matrices)
    Array<double>::shape_type out_shape;  // inline storage: no allocation up to rank 4
};

GemmPlan plan(const char* op, const Tensor& a, const Tensor& b, bool ta, bool tb, const std::source_location& loc) {
    check_float(op, a, loc);
    check_float(op, b, loc);
    check_same_dtype(op, a, b, loc);
    // Two matrices (every product of linear layers and their backward): no shape copies.
    const auto& as2 = a.impl()->shape();
    const auto& bs2 = b.impl()->shape();
    if (as2.size() == 2 && bs2.size() == 2) {
        const std::size_t k = ta ? as2[0] : as2[1];
        if (k == (tb ? bs2[1] : bs2[0])) {
            GemmPlan p;
            p.m = ta ? as2[1] : as2[0];
            p.k = k;
            p.n = tb ? bs2[0] : bs2[1];
            p.out_shape = {p.m, p.n};
            return p;
        }
    }
    const Shape as = a.shape(), bs = b.shape();
    if (as.size() < 2 || bs.size() < 2)
        throw_shape_error(op, fmt::format("{} and {}: operands need at least 2 dimensions here", shape_str(as),
                                          shape_str(bs)),
                          loc);
    GemmPlan p;
    const std::size_t ra = as.size(), rb = bs.size();
    p.m = ta ? as[ra - 1] : as[ra - 2];
    p.k = ta ? as[ra - 2] : as[ra - 1];
    const std::size_t kb = tb ? bs[rb - 1] : bs[rb - 2];
    p.n = tb ? bs[rb - 2] : bs[rb - 1];
    if (p.k != kb)
        throw_shape_error(op, fmt::format("{}{} @ {}{}: inner dimensions {} and {} differ", shape_str(as),
                                          ta ? "^T" : "", shape_str(bs), tb ? "^T" : "", p.k, kb),
                          loc);
    const Shape ba(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
    try {
        p.batch = broadcast_shapes(ba, bb, op);
    } catch (const ShapeError&) {
        throw_shape_error(op, fmt::format("{} @ {}: batch dimensions {} and {} do not broadcast", shape_str(as),
                                          shape_str(bs), shape_str(ba), shape_str(bb)),
                          loc);
    }
    p.out_shape.assign(p.batch.begin(), p.batch.end());
    p.out_shape.push_back(p.m);
    p.out_shape.push_back(p.n);
    return p;
}

template <class T>
Array<T> gemm_forward(const GemmPlan& p, const Array<T>& a, const Array<T>& b, bool ta, bool tb) {
    Array<T> out = Array<T>::from_shape(p.out_shape);
    if (out.size() == 0) return out;
    if (p.k == 0) {
        out.fill(T(0));
        return out;
    }
    if (a.dimension() == 2 && b.dimension() == 2) {
        blas_gemm("matmul", ta, tb, p.m, p.n, p.k, a.data(), b.data(), out.data(), T(0));
        return out;
    }
    const Shape as = shape_of(a), bs = shape_of(b);
    // A batch of row-major A times one B: fold the batch into the rows (one call).
    if (!ta && bs.size() == 2 && as.size() > 2) {
        blas_gemm("matmul", false, tb, a.size() / p.k, p.n, p.k, a.data(), b.data(), out.data(), T(0));
        return out;
    }
    const Shape ba(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
    const auto sa = kernels::broadcast_strides(ba, p.batch);
    const auto sb = kernels::broadcast_strides(bb, p.batch);
    const std::size_t a_mat = as[as.size() - 1] * as[as.size() - 2];
    const std::size_t b_mat = bs[bs.size() - 1] * bs[bs.size() - 2];
    const std::size_t c_mat = p.m * p.n;
    std::array<std::array<std::ptrdiff_t, 16>, 2> strides{sa, sb};
    kernels::for_each_broadcast<2>(p.batch, strides, [&](std::size_t i, const std::array<std::ptrdiff_t, 2>& o) {
        blas_gemm("matmul", ta, tb, p.m, p.n, p.k, a.data() + o[0] * a_mat, b.data() + o[1] * b_mat, out.data() + i * c_mat,
                  T(0));
    });
    return out;
}

}  // namespace

Tensor gemm(const Tensor& a, const Tensor& b, bool ta, bool tb, std::source_location loc) {
    const GemmPlan p = plan("matmul", a, b, ta, tb, loc);
    Tensor out = dispatch(a.dtype(), [&](auto z) {
        using T = decltype(z);
        return make_tensor(gemm_forward(p, values<T>(a), values<T>(b), ta, tb));
    });
    return record("matmul", {a, b}, out, [ta, tb](BackwardContext& ctx) {
        const Tensor& g = ctx.grad_out();
        const Tensor& a = ctx.input(0);
        const Tensor& b = ctx.input(1);
        // C = op(A) op(B), shapes [M,K] x [K,N] -> [M,N]; each gradient is one more gemm.
        if (ctx.needs(0)) {
            if (!ta) ctx.add(0, gemm(g, b, false, !tb, {}));  // dA = G op(B)^T      [M,N] x [N,K]
            else ctx.add(0, gemm(b, g, tb, true, {}));        // dA = (G op(B)^T)^T  [K,N] x [N,M]
        }
        if (ctx.needs(1)) {
            if (!tb) ctx.add(1, gemm(a, g, !ta, false, {}));  // dB = op(A)^T G      [K,M] x [M,N]
            else ctx.add(1, gemm(g, a, true, ta, {}));        // dB = (op(A)^T G)^T  [N,M] x [M,K]
        }
    });
}

Tensor matmul(const Tensor& a, const Tensor& b, std::source_location loc) {
    check_float("matmul", a);
    check_float("matmul", b);
    const std::size_t ra = a.dim(), rb = b.dim();
    if (ra == 0 || rb == 0)
        throw_shape_error("matmul", fmt::format("{} @ {}: operands must have at least 1 dimension",
                                                shape_str(a.shape()), shape_str(b.shape())),
                          loc);
    if (ra == 1 || rb == 1) {
        // numpy: a vector is a row (on the left) or a column (on the right), then that axis is dropped.
        // Check here so that the message shows the caller's shapes, not the unsqueezed ones.
        const std::size_t ka = a.size(-1), kb = rb == 1 ? b.size(0) : b.size(-2);
        if (ka != kb)
            throw_shape_error("matmul", fmt::format("{} @ {}: inner dimensions {} and {} differ", shape_str(a.shape()),
                                                    shape_str(b.shape()), ka, kb),
                              loc);
        const Tensor a2 = ra == 1 ? unsqueeze(a, 0) : a;
        const Tensor b2 = rb == 1 ? unsqueeze(b, -1) : b;
        Tensor c = gemm(a2, b2, false, false, loc);
        if (rb == 1) c = squeeze(c, -1);
        if (ra == 1) c = squeeze(c, rb == 1 ? -1 : -2);
        return c;
    }
    return gemm(a, b, false, false, loc);
}

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b, std::source_location loc) {
    check_float("linear", x);
    check_float("linear", w);
    check_same_dtype("linear", x, w, loc);
    if (w.dim() != 2)
        throw_shape_error("linear", fmt::format("weight must be 2-D [out_features, in_features], got {}",
                                                shape_str(w.shape())),
                          loc);
    if (x.dim() == 0 || x.size(-1) != w.size(1))
        throw_shape_error("linear", fmt::format("input {} has {} features but the weight {} expects {}",
                                                shape_str(x.shape()), x.dim() ? x.size(-1) : 0, shape_str(w.shape()),
                                                w.size(1)),
                          loc);
    if (b.defined()) {
        check_same_dtype("linear", x, b, loc);
        if (b.dim() != 1 || b.size(0) != w.size(0))
            throw_shape_error("linear", fmt::format("bias {} must be [{}] to match weight {}", shape_str(b.shape()),
                                                    w.size(0), shape_str(w.shape())),
                              loc);
    }
    // one product on the data as it lies, for any rank (Note [linear on N-D input] in affine.cpp)
    return detail::linear_rows(x, w, b, Epilogue::none);
}

}  // namespace tg
