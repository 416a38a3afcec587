#pragma once
// The library's threads: one pool per process, used by large matrix products
// (ops/blas), elementwise maps and whole-tensor sums.
//
// Note [threads and results]
// --------------------------
// Work is split only when it is large (a grain of work below which waking a
// thread costs more than it saves stays on the calling thread), and the caller
// always takes a share itself. Elementwise maps give the same bits for any
// thread count (every element is computed alone). Sums are cut into chunks of a
// fixed size, whatever the thread count, and the chunks' partial sums are added
// in chunk order: the same bits for 1 thread or 64. Matrix products above the
// band threshold are the exception (Note [threads of a matrix product]).
#include <cstddef>
#include <functional>
#include <vector>

namespace tg {

/// Threads the library's work is split over (n >= 1). The default is the
/// environment's TAPEGRAD_NUM_THREADS, else OMP_NUM_THREADS (as PyTorch), else
/// the number of cores. OPENBLAS_NUM_THREADS is OpenBLAS's own pool, which
/// tapegrad keeps at one thread (ops/blas.hpp). Thread-safe; work already
/// running keeps its split.
void set_num_threads(int n);
int num_threads();

namespace parallel {

/// body(0), ..., body(tasks - 1), at once where pool threads are free (the caller
/// runs tasks too); returns when all are done. Callers from several threads share
/// the pool, and each finishes its own tasks when the pool is busy. An exception
/// from a task is rethrown here (the first one), after every task has ended.
void run(std::size_t tasks, const std::function<void(std::size_t)>& body);

/// fn(lo, hi) over [0, n) in contiguous ranges of at least `grain` elements, one
/// per thread at most; on the calling thread alone when n < 2 * grain or one
/// thread is set.
template <class F>
void for_ranges(std::size_t n, std::size_t grain, F&& fn) {
    const std::size_t threads = static_cast<std::size_t>(num_threads());
    const std::size_t parts = grain == 0 ? threads : std::min(threads, n / grain);
    if (parts <= 1) {
        if (n > 0) fn(std::size_t(0), n);
        return;
    }
    const std::size_t width = (n + parts - 1) / parts;
    run(parts, [&](std::size_t i) {
        const std::size_t lo = i * width, hi = lo + width < n ? lo + width : n;
        if (lo < hi) fn(lo, hi);
    });
}

/// Elements each thread's share of elementwise work must hold before the work is
/// split (2^16, some 20 µs). Waking a sleeping pool thread costs tens of
/// microseconds on a virtual machine; the workers poll for work before they
/// sleep (Note [waking the pool] in thread_pool.cpp), so within a step they are
/// awake. With polling, 2^16 took mlp from 787 to 698 µs a step and cnn from
/// 3823 to 3488 µs at 2 threads (from 2^18); 2^15 made lstm 9% slower.
inline constexpr std::size_t min_share = std::size_t(1) << 16;

/// Elements of a sum's fixed chunks (Note [threads and results]): 2^15. The
/// chunks fix the order of additions; threads take min_share's worth of them.
inline constexpr std::size_t sum_chunk = std::size_t(1) << 15;

/// The sum of partial(lo, hi) over [0, n) cut into chunks of sum_chunk,
/// added in chunk order: the same result for every thread count.
template <class T, class Partial>
T chunked_sum(std::size_t n, Partial&& partial) {
    if (n <= sum_chunk) return partial(std::size_t(0), n);
    const std::size_t chunks = (n + sum_chunk - 1) / sum_chunk;
    std::vector<T> parts(chunks);
    for_ranges(chunks, min_share / sum_chunk, [&](std::size_t c0, std::size_t c1) {
        for (std::size_t c = c0; c < c1; ++c)
            parts[c] = partial(c * sum_chunk, (c + 1) * sum_chunk < n ? (c + 1) * sum_chunk : n);
    });
    T total = 0;
    for (const T& p : parts) total += p;
    return total;
}

}  // namespace parallel
}  // namespace tg
