// blas::gemm, the one way into matrix products: whichever path a shape takes (a
// plain loop, libxsmm's kernels, OpenBLAS, OpenBLAS in bands on several threads),
// every transpose, beta 0 and 1, and rows longer than the matrix (a block of a
// larger one) give the product to rounding.
// Note [libxsmm for the products of small layers] in ops/blas_xsmm.hpp.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <tapegrad/ops/blas.hpp>

#include "helpers.hpp"

using namespace tg;

namespace {

struct Case {
    std::size_t m, n, k;
};

/// Values in [-1, 1) from a fixed sequence (no generator state shared with other tests).
template <class T>
std::vector<T> values(std::size_t count, std::uint64_t seed) {
    std::vector<T> out(count);
    std::uint64_t s = seed * 6364136223846793005ull + 1442695040888963407ull;
    for (T& v : out) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        v = static_cast<T>(double(s >> 11) / double(1ull << 53) * 2 - 1);
    }
    return out;
}

/// Check gemm against a long-double loop for one shape, transposes and beta.
template <class T>
void check_product(const Case& s, bool ta, bool tb, T beta, double tolerance) {
    const std::size_t pad = 3;  // stored rows longer than the matrix
    const std::size_t a_rows = ta ? s.k : s.m, a_cols = ta ? s.m : s.k;
    const std::size_t b_rows = tb ? s.n : s.k, b_cols = tb ? s.k : s.n;
    const std::size_t lda = a_cols + pad, ldb = b_cols + pad, ldc = s.n + pad;
    const std::vector<T> a = values<T>(a_rows * lda, 1), b = values<T>(b_rows * ldb, 2);
    std::vector<T> c = values<T>(s.m * ldc, 3);
    const std::vector<T> c0 = c;
    blas::gemm("test", ta, tb, s.m, s.n, s.k, a.data(), lda, b.data(), ldb, beta, c.data(), ldc);
    double worst = 0;
    for (std::size_t i = 0; i < s.m; ++i)
        for (std::size_t j = 0; j < s.n; ++j) {
            long double want = beta * static_cast<long double>(c0[i * ldc + j]);
            for (std::size_t p = 0; p < s.k; ++p)
                want += static_cast<long double>(ta ? a[p * lda + i] : a[i * lda + p]) *
                        static_cast<long double>(tb ? b[j * ldb + p] : b[p * ldb + j]);
            worst = std::max(worst, std::abs(double(want - c[i * ldc + j])));
        }
    CAPTURE(s.m);
    CAPTURE(s.n);
    CAPTURE(s.k);
    CAPTURE(ta);
    CAPTURE(tb);
    CAPTURE(beta);
    CHECK(worst <= tolerance * double(s.k));
    // the padding of each row of c is left alone
    for (std::size_t i = 0; i < s.m; ++i)
        for (std::size_t j = s.n; j < ldc; ++j) CHECK(c[i * ldc + j] == c0[i * ldc + j]);
}

}  // namespace

TEST_CASE("blas: every path, transpose and beta gives the product, float and double, on 1 and 2 threads") {
    const int before = num_threads();
    // a plain loop (64 multiply-adds), libxsmm-sized products (odd and fraud-sized), a
    // panel too large for libxsmm (k x n above 2^21: OpenBLAS), and one split in bands
    const std::vector<Case> cases{{4, 4, 4},     {37, 53, 29},  {256, 64, 30}, {32, 128, 128},
                                  {5, 1100, 2048}, {520, 300, 120}};
    for (int threads : {1, 2}) {
        set_num_threads(threads);
        for (const Case& s : cases)
            for (bool ta : {false, true})
                for (bool tb : {false, true})
                    for (double beta : {0.0, 1.0, 0.5}) {  // libxsmm takes 0 and 1; 0.5 goes to BLAS
                        check_product<float>(s, ta, tb, float(beta), 1e-6);
                        if (s.m * s.n * s.k < 20'000'000) check_product<double>(s, ta, tb, double(beta), 1e-15);
                    }
    }
    set_num_threads(before);
}
