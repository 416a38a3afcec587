#pragma once
// Small and mid-sized products through libxsmm's generated kernels, when the
// library was built with it (Debian's libxsmm-dev). Internal to ops/blas.cpp.
//
// Note [libxsmm for the products of small layers]
// -----------------------------------------------
// OpenBLAS's packed kernels pay off on large matrices; the products of the
// layers tapegrad's users train (30-64-32 fraud models, a 128-wide RNN, a
// convolution's per-image product, a 784-256 layer) are small enough that
// libxsmm's just-in-time kernels, made once per shape and kept, run them 2-5x
// faster on this project's machines (bench/README.md, "Other GEMM and
// convolution libraries"). Beyond about 2 million elements in a product's
// k x n or k x m panel, libxsmm's unpacked kernels fall behind and OpenBLAS
// takes over (2048^3: 39 against 46 GFLOP/s). libxsmm 1.17 has no kernel with
// our b transposed (its A, being column-major), so op(b) = bᵀ is first copied
// transposed into a per-thread scratch buffer (by libxsmm's own transpose,
// 4-6x faster than a tiled loop on the small weights of these layers).
//
// The kernels sum each element's k products in order, as a BLAS does, but the
// last bits of a result may differ from OpenBLAS's; the choice depends only on
// the product's shape, never on the thread count.
#include <cstddef>

namespace tg::blas::detail {

/// c = op(a) op(b) + beta c as in blas::gemm, through libxsmm; false (nothing done)
/// when libxsmm is not built in, the shape is outside its range, or beta is not 0 or 1.
bool xsmm_gemm(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t lda,
               const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc);
bool xsmm_gemm(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, const double* a, std::size_t lda,
               const double* b, std::size_t ldb, double beta, double* c, std::size_t ldc);

}  // namespace tg::blas::detail
