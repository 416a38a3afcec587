#pragma once
// Threads for matrix products, and the one way into BLAS.
//
// Note [threads of a matrix product]
// ----------------------------------
// Every product of the library (matmul, linear, convolution, and their backward
// rules) goes through blas::gemm. A product below 16.8 million multiply-adds runs
// on the calling thread (from 8.4 million, only when its inner dimension is below
// 128: ops/blas.cpp, worth_bands); a larger one is cut into num_threads() bands of rows (or
// columns) that run at once, one single-threaded BLAS call each, on a small pool
// of tapegrad threads (graph/thread_pool; the caller takes one band). OpenBLAS's own thread count is
// set to one, once, at the first product, and never changed again.
//
// So a product's result depends only on its operands, its shapes and
// num_threads(): never on what other threads of the program do at the same time.
// Changing num_threads() may change the last bits of the products above the
// threshold (the bands differ), as a different BLAS thread count would.
// OpenBLAS still starts idle threads at load unless OPENBLAS_NUM_THREADS=1.
#include <climits>
#include <cstddef>

#include "../graph/thread_pool.hpp"  // set_num_threads, num_threads, the pool that runs the bands

namespace tg {

namespace blas {

/// n as a BLAS int; a ShapeError naming op and what (e.g. "rows") when n exceeds INT_MAX.
[[noreturn, gnu::cold]] void throw_too_large(const char* op, const char* what, std::size_t n);
inline int checked_int(const char* op, const char* what, std::size_t n) {
    if (n > static_cast<std::size_t>(INT_MAX)) throw_too_large(op, what, n);  // inline: one comparison
    return static_cast<int>(n);
}

/// c = op(a) op(b) + beta c, row-major: op(a) is m x k (a^T when ta, a stored k x m),
/// op(b) is k x n, c is m x n; lda, ldb, ldc are the stored row lengths. op names the
/// calling op in errors. Dimensions above INT_MAX throw ShapeError before any work.
void gemm(const char* op, bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, const float* a,
          std::size_t lda, const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc);
void gemm(const char* op, bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, const double* a,
          std::size_t lda, const double* b, std::size_t ldb, double beta, double* c, std::size_t ldc);

}  // namespace blas
}  // namespace tg
