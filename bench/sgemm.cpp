// The machine's single-precision GEMM rate through OpenBLAS (cblas_sgemm on
// large square matrices): the practical ceiling of the dense workloads.
// Prints: sgemm_gflops=<x> threads=<n> n=<size>
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "bench_common.hpp"

int main(int argc, char** argv) {
    const bench::Args args = bench::parse_args(argc, argv);
    bench::set_blas_threads(args.threads);
    const int n = 2048;
    const std::vector<float> a = bench::uniform_floats(std::size_t(n) * n, 1), b = bench::uniform_floats(std::size_t(n) * n, 2);
    std::vector<float> c(std::size_t(n) * n);
    auto once = [&] {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f,
                    c.data(), n);
    };
    once();  // warm-up: threads started, pages touched
    const int reps = args.steps > 0 ? int(args.steps) : 5;
    std::vector<double> rates;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        once();
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        rates.push_back(bench::gemm_flops(n, n, n) / s / 1e9);
    }
    std::sort(rates.begin(), rates.end());
    std::printf("sgemm_gflops=%.2f threads=%d n=%d\n", rates[rates.size() / 2], args.threads, n);
    return 0;
}
