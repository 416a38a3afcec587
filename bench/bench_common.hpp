#pragma once
// Shared by every benchmark program, tapegrad's and libtorch's alike: argument
// parsing, thread settings, the timing loop, memory readings, random data and
// the one-line result that bench/run parses. Plain C++: no tapegrad, no torch.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <vector>

extern "C" void openblas_set_num_threads(int);

namespace bench {

/// Command line of every benchmark program:
///   --threads N   threads for BLAS (and for libtorch's own pool)
///   --steps N     timed steps (0: the workload's default)
///   --warmup N    untimed steps first (default: a tenth of the steps, at least 3)
struct Args {
    int threads = 1;
    long steps = 0;
    long warmup = -1;
};

inline Args parse_args(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        auto value = [&](const char* flag) -> long {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", flag);
                std::exit(2);
            }
            return std::strtol(argv[++i], nullptr, 10);
        };
        if (!std::strcmp(argv[i], "--threads")) a.threads = static_cast<int>(value("--threads"));
        else if (!std::strcmp(argv[i], "--steps")) a.steps = value("--steps");
        else if (!std::strcmp(argv[i], "--warmup")) a.warmup = value("--warmup");
        else {
            std::fprintf(stderr, "usage: %s [--threads N] [--steps N] [--warmup N]\n", argv[0]);
            std::exit(2);
        }
    }
    if (a.threads < 1) a.threads = 1;
    return a;
}

/// OpenBLAS's pool. libtorch programs also call torch::set_num_threads.
inline void set_blas_threads(int n) { openblas_set_num_threads(n); }

/// Resident set size now, in kB (from /proc/self/statm).
inline long current_rss_kb() {
    std::ifstream f("/proc/self/statm");
    long pages = 0, resident = 0;
    f >> pages >> resident;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/// Highest resident set size of the process so far, in kB: VmHWM from
/// /proc/self/status. (getrusage's ru_maxrss is not used: after fork and exec it
/// still counts the parent's size at fork time, e.g. a Python driver's.)
inline long peak_rss_kb() {
    std::ifstream f("/proc/self/status");
    std::string key;
    long value = 0;
    while (f >> key) {
        if (key == "VmHWM:") {
            f >> value;
            return value;
        }
        f.ignore(1 << 12, '\n');
    }
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

/// CPU time of the whole process (all threads), in seconds.
inline double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

/// What one workload reports.
struct Workload {
    const char* name;
    long samples_per_step;   ///< batch size (rows scored, for inference)
    double flops_per_step;   ///< matrix-product flops of one step (0 when not meaningful)
    long default_steps;
};

/// Time `steps` calls of step() after `warmup` untimed ones and print
///   workload=<name> us_per_step=<x> samples_per_s=<y> peak_rss_kb=<k> rss_growth_kb=<g> gflops=<f> cpu_us_per_step=<c>
/// cpu_us_per_step is the process's CPU time per step (all threads): on a busy
/// machine it shows the work done when the wall clock also shows waiting.
/// rss_growth_kb is the resident size gained between the end of the warm-up
/// and the end of the run: it stays near 0 when memory does not grow with steps.
template <class Step>
int run(const Workload& w, const Args& args, Step&& step) {
    const long steps = args.steps > 0 ? args.steps : w.default_steps;
    const long warmup = args.warmup >= 0 ? args.warmup : std::max(3L, steps / 10);
    for (long i = 0; i < warmup; ++i) step();
    const long rss_before = current_rss_kb();
    const double cpu0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < steps; ++i) step();
    const auto t1 = std::chrono::steady_clock::now();
    const double cpu_us = (cpu_seconds() - cpu0) * 1e6 / static_cast<double>(steps);
    const long rss_after = current_rss_kb();
    const double us = std::chrono::duration<double, std::micro>(t1 - t0).count() / static_cast<double>(steps);
    const double samples_per_s = static_cast<double>(w.samples_per_step) * 1e6 / us;
    const double gflops = w.flops_per_step > 0 ? w.flops_per_step / (us * 1e3) : 0.0;
    std::printf("workload=%s us_per_step=%.3f samples_per_s=%.1f peak_rss_kb=%ld rss_growth_kb=%ld gflops=%.3f "
                "cpu_us_per_step=%.3f\n",
                w.name, us, samples_per_s, peak_rss_kb(), rss_after - rss_before, gflops, cpu_us);
    return 0;
}

/// Time `steps` single calls one by one (after `warmup` untimed ones) and print
/// the run() line plus p50_us=<x> p99_us=<y>: the latency of one call, as a
/// caller that scores one request at a time sees it. Each call is timed on its
/// own (steady_clock, ~20 ns of its own per reading).
template <class Call>
int run_latency(const Workload& w, const Args& args, Call&& call) {
    const long steps = args.steps > 0 ? args.steps : w.default_steps;
    const long warmup = args.warmup >= 0 ? args.warmup : std::max(3L, steps / 10);
    for (long i = 0; i < warmup; ++i) call();
    std::vector<double> us(static_cast<std::size_t>(steps));
    const long rss_before = current_rss_kb();
    const double cpu0 = cpu_seconds();
    for (auto& u : us) {
        const auto t0 = std::chrono::steady_clock::now();
        call();
        u = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    }
    const double cpu_us = (cpu_seconds() - cpu0) * 1e6 / static_cast<double>(steps);
    const long rss_after = current_rss_kb();
    double total = 0;
    for (double u : us) total += u;
    const double mean = total / static_cast<double>(steps);
    std::sort(us.begin(), us.end());
    auto quantile = [&](double q) { return us[static_cast<std::size_t>(q * static_cast<double>(us.size() - 1))]; };
    std::printf("workload=%s us_per_step=%.3f samples_per_s=%.1f peak_rss_kb=%ld rss_growth_kb=%ld gflops=%.3f "
                "cpu_us_per_step=%.3f p50_us=%.3f p99_us=%.3f\n",
                w.name, mean, static_cast<double>(w.samples_per_step) * 1e6 / mean, peak_rss_kb(),
                rss_after - rss_before, w.flops_per_step > 0 ? w.flops_per_step / (mean * 1e3) : 0.0, cpu_us,
                quantile(0.50), quantile(0.99));
    return 0;
}

/// A training step per call, on the batches (xs[i], ys[i]) in turn: zero the
/// gradients, loss(x, y), backward, optimiser step. The same for both libraries.
template <class Optimizer, class Batch, class Loss>
auto training_step(Optimizer& opt, const std::vector<Batch>& xs, const std::vector<Batch>& ys, Loss loss) {
    return [&opt, &xs, &ys, loss, i = std::size_t{0}]() mutable {
        const Batch& x = xs[i % xs.size()];
        const Batch& y = ys[i % xs.size()];
        ++i;
        opt.zero_grad();
        const auto l = loss(x, y);
        l.backward();
        opt.step();
    };
}

// ---- identical data for both implementations ----------------------------------

/// n floats uniform on [lo, hi) from a fixed seed (same values for tapegrad and libtorch).
inline std::vector<float> uniform_floats(std::size_t n, std::uint64_t seed, float lo = -1, float hi = 1) {
    std::mt19937_64 g(seed);
    std::vector<float> v(n);
    for (auto& x : v) x = lo + (hi - lo) * static_cast<float>(static_cast<double>(g() >> 11) * 0x1.0p-53);
    return v;
}

/// n class labels in [0, classes) from a fixed seed.
inline std::vector<std::int64_t> labels(std::size_t n, std::int64_t classes, std::uint64_t seed) {
    std::mt19937_64 g(seed);
    std::vector<std::int64_t> v(n);
    for (auto& x : v) x = static_cast<std::int64_t>(g() % static_cast<std::uint64_t>(classes));
    return v;
}

/// Flops of a product [m,k] x [k,n].
constexpr double gemm_flops(double m, double n, double k) { return 2 * m * n * k; }

/// Matrix-product flops of one cnn training step (convolutions as im2col products):
/// forward and weight gradient of every layer, input gradient of all but the first.
constexpr double cnn_flops(double batch) {
    const double conv1 = gemm_flops(batch * 28 * 28, 16, 1 * 9);
    const double conv2 = gemm_flops(batch * 14 * 14, 32, 16 * 9);
    const double fc = gemm_flops(batch, 10, 1568);
    return 2 * conv1 + 3 * conv2 + 3 * fc;
}

/// Matrix-product flops of one rnn training step: T input products, T - 1 hidden
/// products (the first step has no previous state), their weight gradients,
/// the hidden-state gradients, and the head.
constexpr double rnn_flops(double batch, double steps, double input, double hidden, double classes) {
    const double xw = gemm_flops(batch, hidden, input), hw = gemm_flops(batch, hidden, hidden);
    return 2 * steps * xw + 3 * (steps - 1) * hw + 3 * gemm_flops(batch, classes, hidden);
}

/// Matrix-product flops of one lstm training step: as rnn_flops with four gates
/// (the input and hidden products are 4·hidden wide), plus the head.
constexpr double lstm_flops(double batch, double steps, double input, double hidden, double classes) {
    const double xw = gemm_flops(batch, 4 * hidden, input), hw = gemm_flops(batch, 4 * hidden, hidden);
    return 2 * steps * xw + 3 * (steps - 1) * hw + 3 * gemm_flops(batch, classes, hidden);
}

/// Matrix-product flops of one transformer training step (one encoder layer):
/// the q, k, v and output projections, the scores q kᵀ and weights · v, the
/// feed-forward pair, each forward and twice in backward (input and weight
/// gradients); the small head is left out.
constexpr double transformer_flops(double seq, double batch, double width, double feed_forward) {
    const double rows = seq * batch;
    const double projections = gemm_flops(rows, 4 * width, width);
    const double attention = 2 * batch * gemm_flops(seq, seq, width);
    const double ff = 2 * gemm_flops(rows, feed_forward, width);
    return 3 * (projections + attention + ff);
}

}  // namespace bench
