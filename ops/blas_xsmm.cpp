// See Note [libxsmm for the products of small layers] in blas_xsmm.hpp.
#include "blas_xsmm.hpp"

#include "tapegrad_xsmm_config.h"  // TAPEGRAD_LIBXSMM, from meson.build

// ThreadSanitizer cannot see into generated code; sanitizer builds use OpenBLAS alone.
#if defined(TAPEGRAD_LIBXSMM) && !defined(__SANITIZE_THREAD__)
#define TG_USE_XSMM 1
#include <libxsmm.h>

#include <vector>
#endif

namespace tg::blas::detail {

#ifdef TG_USE_XSMM
namespace {

// The largest k x n (or k x m) panel given to libxsmm, in elements (see the Note).
constexpr std::size_t kMaxPanel = std::size_t(1) << 21;
// With b transposed, the fewest rows of c worth the copy of b: below it the copy
// costs about as much as the product (fraud-online's one-row calls became 14%
// slower with a copy per call).
constexpr std::size_t kMinRowsTransposed = 16;

template <class T>
auto dispatch(libxsmm_blasint m, libxsmm_blasint n, libxsmm_blasint k, libxsmm_blasint lda, libxsmm_blasint ldb,
              libxsmm_blasint ldc, T beta, int flags) {
    const T one = 1;
    if constexpr (sizeof(T) == sizeof(float))
        return libxsmm_smmdispatch(m, n, k, &lda, &ldb, &ldc, &one, &beta, &flags, nullptr);
    else
        return libxsmm_dmmdispatch(m, n, k, &lda, &ldb, &ldc, &one, &beta, &flags, nullptr);
}

/// The generated kernels use AVX/AVX-512 registers and leave their upper halves
/// dirty; the library's own code is compiled for plain x86-64 (SSE), and SSE
/// instructions after dirty upper state run with a penalty: fraud-mlp's ReLU
/// gradients and sums ran 40% slower after each product until this was added.
void clear_upper_vector_state() {
    static const bool avx = libxsmm_get_target_archid() >= LIBXSMM_X86_AVX;
    if (avx) __asm__ volatile("vzeroupper" ::: "memory");
}

template <class T>
bool gemm(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, const T* a, std::size_t lda, const T* b,
          std::size_t ldb, T beta, T* c, std::size_t ldc) {
    if ((beta != T(0) && beta != T(1)) || k == 0 || k * n > kMaxPanel || k * m > kMaxPanel) return false;
    if (tb && m < kMinRowsTransposed) return false;
    // Row-major c = op(a) op(b) is column-major cᵀ = op(b)ᵀ op(a)ᵀ: libxsmm's A is
    // our b and its B our a (its "transpose B" flag is our ta).
    const T* b_in = b;
    std::size_t ld_b = ldb;
    thread_local std::vector<T> scratch;  // at most kMaxPanel elements
    if (tb) {
        scratch.resize(k * n);
        // b is n x k (row-major), its transpose k x n; libxsmm counts column-major
        libxsmm_otrans(scratch.data(), b, sizeof(T), static_cast<libxsmm_blasint>(k),
                       static_cast<libxsmm_blasint>(n), static_cast<libxsmm_blasint>(ldb),
                       static_cast<libxsmm_blasint>(n));
        b_in = scratch.data();
        ld_b = n;
    }
    const int flags = ta ? LIBXSMM_GEMM_FLAG_TRANS_B : 0;
    const auto kernel = dispatch<T>(static_cast<libxsmm_blasint>(n), static_cast<libxsmm_blasint>(m),
                                    static_cast<libxsmm_blasint>(k), static_cast<libxsmm_blasint>(ld_b),
                                    static_cast<libxsmm_blasint>(lda), static_cast<libxsmm_blasint>(ldc), beta, flags);
    if (!kernel) return false;
    kernel(b_in, a, c);
    clear_upper_vector_state();
    return true;
}

}  // namespace

bool xsmm_gemm(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t lda,
               const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc) {
    return gemm(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
}
bool xsmm_gemm(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, const double* a, std::size_t lda,
               const double* b, std::size_t ldb, double beta, double* c, std::size_t ldc) {
    return gemm(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
}
#else
bool xsmm_gemm(bool, bool, std::size_t, std::size_t, std::size_t, const float*, std::size_t, const float*, std::size_t,
               float, float*, std::size_t) {
    return false;
}
bool xsmm_gemm(bool, bool, std::size_t, std::size_t, std::size_t, const double*, std::size_t, const double*,
               std::size_t, double, double*, std::size_t) {
    return false;
}
#endif

}  // namespace tg::blas::detail
