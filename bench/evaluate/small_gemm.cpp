// The fraud workloads' matrix products through one GEMM library, one thread:
// OpenBLAS (what tapegrad uses), BLIS or libxsmm, chosen at compile time
// (-DGEMM_OPENBLAS, -DGEMM_BLIS, -DGEMM_XSMM). bench/evaluate/run builds one
// program per library and prints them side by side; see bench/README.md,
// "Other GEMM and convolution libraries".
// Prints one line per product: product=<name> m=.. n=.. k=.. us=<median> gflops=.. checksum=..
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#if defined(GEMM_OPENBLAS)
#include <cblas.h>
#elif defined(GEMM_BLIS)
#include <blis.h>
#elif defined(GEMM_XSMM)
#include <libxsmm.h>
#else
#error "define GEMM_OPENBLAS, GEMM_BLIS or GEMM_XSMM"
#endif

namespace {

// Row-major C[m, n] = A[m, k] · op(B), op(B) = B[k, n] or, with trans_b, the
// transpose of B[n, k] (a Linear layer's forward: x · Wᵀ with W [out, in]).
struct Product {
    const char* name;
    int m, n, k;
    bool trans_a, trans_b;
};

void gemm(const Product& p, const float* a, const float* b, float* c) {
    const int lda = p.trans_a ? p.m : p.k, ldb = p.trans_b ? p.k : p.n;
#if defined(GEMM_OPENBLAS)
    cblas_sgemm(CblasRowMajor, p.trans_a ? CblasTrans : CblasNoTrans, p.trans_b ? CblasTrans : CblasNoTrans, p.m, p.n,
                p.k, 1.0f, a, lda, b, ldb, 0.0f, c, p.n);
#elif defined(GEMM_BLIS)
    float one = 1, zero = 0;
    // BLIS takes row and column strides: row-major is (ld, 1)
    bli_sgemm(p.trans_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, p.trans_b ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, p.m, p.n,
              p.k, &one, const_cast<float*>(a), lda, 1, const_cast<float*>(b), ldb, 1, &zero, c, p.n, 1);
#elif defined(GEMM_XSMM)
    // libxsmm is column-major: row-major C = A·B is column-major Cᵀ = Bᵀ·Aᵀ, so
    // its "A" is our B and its "B" our A. Version 1.17 has no kernel for its A
    // transposed (our trans_b), so B is first transposed into a scratch buffer,
    // and that copy is timed too (ops/blas_xsmm.cpp does the same).
    const float one = 1, zero = 0;
    static std::vector<float> scratch;
    const float* bb = b;
    libxsmm_blasint xa = ldb;
    if (p.trans_b) {
        scratch.resize(std::size_t(p.k) * p.n);
        // b [n, k] into scratch [k, n] by libxsmm's transpose, as ops/blas_xsmm.cpp does
        libxsmm_otrans(scratch.data(), b, sizeof(float), p.k, p.n, ldb, p.n);
        bb = scratch.data();
        xa = p.n;
    }
    const int flags = p.trans_a ? LIBXSMM_GEMM_FLAG_TRANS_B : 0;
    const libxsmm_blasint xb = lda, xc = p.n;
    const libxsmm_smmfunction kernel = libxsmm_smmdispatch(p.n, p.m, p.k, &xa, &xb, &xc, &one, &zero, &flags, nullptr);
    if (!kernel) {
        std::fprintf(stderr, "product=%s: no libxsmm kernel\n", p.name);
        std::exit(1);
    }
    kernel(bb, a, c);
#endif
}

}  // namespace

int main() {
#if defined(GEMM_XSMM)
    libxsmm_init();
#endif
    // fraud-infer: 4096 rows through 30-64-32-1; fraud-mlp: 256 rows, forward
    // (x·Wᵀ), input gradient (g·W) and weight gradient (gᵀ·x).
    const std::vector<Product> products{
        {"infer_30x64", 4096, 64, 30, false, true},     {"infer_64x32", 4096, 32, 64, false, true},
        {"train_fwd_30x64", 256, 64, 30, false, true},  {"train_fwd_64x32", 256, 32, 64, false, true},
        {"train_dx_64x32", 256, 64, 32, false, false},  {"train_dw_64x30", 64, 30, 256, true, false},
        {"train_dw_32x64", 32, 64, 256, true, false},
        // the other workloads' products, to place the size limit: rnn's step
        // (32 rows, hidden 128), cnn's convolutions per image (im2col), mlp's layers
        {"rnn_step", 32, 128, 128, false, true},         {"rnn_dw", 128, 128, 32, true, false},
        {"cnn_conv1", 16, 784, 9, false, false},         {"cnn_conv2", 32, 196, 144, false, false},
        {"cnn_conv2_dcol", 144, 196, 32, true, false},   {"cnn_conv2_dw", 32, 144, 196, false, true},
        {"mlp_fwd_256x256", 128, 256, 256, false, true}, {"mlp_fwd_784x256", 128, 256, 784, false, true},
        {"mlp_dw_784x256", 256, 784, 128, true, false},
    };
    std::mt19937 gen(1);
    std::uniform_real_distribution<float> u(-1, 1);
    for (const Product& p : products) {
        std::vector<float> a(std::size_t(p.m) * p.k), b(std::size_t(p.k) * p.n), c(std::size_t(p.m) * p.n);
        for (float& v : a) v = u(gen);
        for (float& v : b) v = u(gen);
        const int calls = std::max(20, int(2e8 / (2.0 * p.m * p.n * p.k)));  // ~0.2 GFLOP a sample
        std::vector<double> us;
        for (int rep = 0; rep < 7; ++rep) {
            const auto t0 = std::chrono::steady_clock::now();
            for (int i = 0; i < calls; ++i) gemm(p, a.data(), b.data(), c.data());
            us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / calls);
        }
        double checksum = 0;  // the same in every library's program, to rounding
        for (std::size_t i = 0; i < c.size(); i += 7) checksum += c[i];
        std::sort(us.begin(), us.end());
        const double med = us[us.size() / 2];
        std::printf("product=%s m=%d n=%d k=%d us=%.2f gflops=%.1f checksum=%.4f\n", p.name, p.m, p.n, p.k, med,
                    2.0 * p.m * p.n * p.k / med / 1e3, checksum);
    }
}
