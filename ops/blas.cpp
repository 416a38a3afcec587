// The one way into BLAS. See Note [threads of a matrix product] in blas.hpp.
#include "blas.hpp"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "../graph/error.hpp"
#include "blas_xsmm.hpp"

namespace tg {

namespace {

// Below this many multiply-adds a plain loop beats a BLAS call, whose fixed
// cost (argument checks, dispatch, packing) is about a microsecond: the
// matrices of small models (seed-net's 2x2 layers) are all this size.
constexpr double kSmallGemm = 512;

// OpenBLAS shares out every product above about 262,000 multiply-adds among its
// threads. Below kThreadedGemm (16.8 million), waking and joining another thread
// cost more than it saved on a 2-core machine (at 2 threads, running them on the
// calling thread took rnn from 5.1 to 3.9 ms a step, fraud-mlp from 200 to
// 125 µs, fraud-infer from 700 to 555 µs; bench/README.md). Since the pool's
// workers poll before they sleep (Note [waking the pool]), products from half
// that size are split too when their inner dimension is at least kDeepInner:
// mlp's 8.4-million products (inner 128 and 256) then took a step from 778 to
// 706 µs at 2 threads, while fraud-infer's (inner 64, a thin pass over 1 MB of
// activations) ran up to 40% slower split and stay whole.
constexpr double kThreadedGemm = double(std::size_t(1) << 24);
constexpr std::size_t kDeepInner = 128;

/// Whether a product of m x n x k multiply-adds is worth cutting into bands.
bool worth_bands(double mnk, std::size_t k) {
    return mnk >= kThreadedGemm || (mnk >= kThreadedGemm / 2 && k >= kDeepInner);
}

// A band is at least this many rows (or columns): narrower ones waste the kernel's tiles.
constexpr std::size_t kMinBand = 16;

/// OpenBLAS's own pool to one thread, once (Note [threads of a matrix product]).
void serial_blas_once() {
#ifdef TAPEGRAD_OPENBLAS
    static const bool done = [] {
        openblas_set_num_threads(1);
        return true;
    }();
    (void)done;
#endif
}

/// c = op(a) op(b) + beta c by a plain loop (row-major, leading dimensions as in gemm).
/// The transposes are template arguments: the inner loop then has no branch.
template <bool TA, bool TB, class T>
void small_gemm(std::size_t m, std::size_t n, std::size_t k, const T* a, std::size_t lda, const T* b,
                std::size_t ldb, T beta, T* c, std::size_t ldc) {
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            T acc = 0;
            for (std::size_t p = 0; p < k; ++p) acc += (TA ? a[p * lda + i] : a[i * lda + p]) * (TB ? b[j * ldb + p] : b[p * ldb + j]);
            T& out = c[i * ldc + j];
            out = beta == T(0) ? acc : beta * out + acc;
        }
}

template <class T>
void small_gemm(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, const T* a, std::size_t lda,
                const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc) {
    if (ta) {
        if (tb) return small_gemm<true, true>(m, n, k, a, lda, b, ldb, beta, c, ldc);
        return small_gemm<true, false>(m, n, k, a, lda, b, ldb, beta, c, ldc);
    }
    if (tb) return small_gemm<false, true>(m, n, k, a, lda, b, ldb, beta, c, ldc);
    return small_gemm<false, false>(m, n, k, a, lda, b, ldb, beta, c, ldc);
}

void cblas_gemm(bool ta, bool tb, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float beta,
                float* c, int ldc) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a, lda,
                b, ldb, beta, c, ldc);
}

void cblas_gemm(bool ta, bool tb, int m, int n, int k, const double* a, int lda, const double* b, int ldb,
                double beta, double* c, int ldc) {
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0, a, lda,
                b, ldb, beta, c, ldc);
}

/// One single-threaded product: libxsmm's kernel where it has one
/// (Note [libxsmm for the products of small layers]), else BLAS's.
template <class T>
void serial_gemm(bool ta, bool tb, int m, int n, int k, const T* a, int lda, const T* b, int ldb, T beta, T* c,
                 int ldc) {
    if (!blas::detail::xsmm_gemm(ta, tb, std::size_t(m), std::size_t(n), std::size_t(k), a, std::size_t(lda), b,
                                 std::size_t(ldb), beta, c, std::size_t(ldc)))
        cblas_gemm(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

/// Reports the first of gemm's sizes that does not fit BLAS's int; called only
/// when one does not (out of line: products check all six with one comparison).
[[noreturn, gnu::cold, gnu::noinline]] void throw_size_too_large(const char* op, std::size_t m, std::size_t n,
                                                                 std::size_t k, std::size_t lda, std::size_t ldb,
                                                                 std::size_t ldc) {
    blas::checked_int(op, "rows", m);
    blas::checked_int(op, "columns", n);
    blas::checked_int(op, "inner dimension", k);
    blas::checked_int(op, "row length of a", lda);
    blas::checked_int(op, "row length of b", ldb);
    blas::throw_too_large(op, "row length of c", ldc);
}

template <class T>
void gemm_impl(const char* op, bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, const T* a,
               std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc) {
    // BLAS takes int: refuse what does not fit before doing anything (never a wrapping cast).
    // One test for all six: a size above INT_MAX has a bit at 2^31 or higher, so their OR does.
    if ((m | n | k | lda | ldb | ldc) > static_cast<std::size_t>(INT_MAX))
        throw_size_too_large(op, m, n, k, lda, ldb, ldc);
    if (m == 0 || n == 0) return;
    const double mnk = double(m) * double(n) * double(k);
    if (mnk <= kSmallGemm) return small_gemm(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
    const int im = static_cast<int>(m), in = static_cast<int>(n), ik = static_cast<int>(k);
    // BLAS wants leading dimensions of at least 1, even for empty matrices.
    const int ilda = static_cast<int>(std::max<std::size_t>(lda, 1));
    const int ildb = static_cast<int>(std::max<std::size_t>(ldb, 1));
    const int ildc = static_cast<int>(std::max<std::size_t>(ldc, 1));
    serial_blas_once();
    const std::size_t threads = static_cast<std::size_t>(num_threads());
    const bool by_rows = m >= n;  // cut the longer side of c
    const std::size_t side = by_rows ? m : n;
    const std::size_t bands =
        threads == 1 || !worth_bands(mnk, k) ? 1 : std::min(threads, std::max<std::size_t>(1, side / kMinBand));
    if (bands == 1) return serial_gemm(ta, tb, im, in, ik, a, ilda, b, ildb, beta, c, ildc);
    const std::size_t width = (side + bands - 1) / bands;
    parallel::run(bands, [&](std::size_t i) {
        const std::size_t lo = i * width, hi = std::min(side, lo + width);
        if (lo >= hi) return;
        const int w = static_cast<int>(hi - lo);
        if (by_rows)  // rows lo..hi of op(a) and of c
            serial_gemm(ta, tb, w, in, ik, ta ? a + lo : a + lo * lda, ilda, b, ildb, beta, c + lo * ldc, ildc);
        else  // columns lo..hi of op(b) and of c
            serial_gemm(ta, tb, im, w, ik, a, ilda, tb ? b + lo * ldb : b + lo, ildb, beta, c + lo, ildc);
    });
}

}  // namespace

namespace blas {

void throw_too_large(const char* op, const char* what, std::size_t n) {
    throw_shape_error(op, fmt::format("{} {} is more than BLAS takes ({}, INT_MAX)", what, n, INT_MAX));
}

void gemm(const char* op, bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, const float* a,
          std::size_t lda, const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc) {
    gemm_impl(op, ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

void gemm(const char* op, bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, const double* a,
          std::size_t lda, const double* b, std::size_t ldb, double beta, double* c, std::size_t ldc) {
    gemm_impl(op, ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace blas
}  // namespace tg
