#include "thread_pool.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace tg {

namespace {

int threads_from_environment() {
    for (const char* name : {"TAPEGRAD_NUM_THREADS", "OMP_NUM_THREADS"})
        if (const char* v = std::getenv(name))
            if (const int n = std::atoi(v); n > 0) return n;
    const unsigned cores = std::thread::hardware_concurrency();
    return cores ? static_cast<int>(cores) : 1;
}

std::atomic<int>& thread_setting() {
    static std::atomic<int> n{threads_from_environment()};
    return n;
}

// Note [waking the pool]
// ----------------------
// A thread asleep on a condition variable takes tens of microseconds to wake on
// a virtual machine (the hypervisor has halted its core), as long as a
// mid-size product takes to compute. The products and maps of a training step
// come microseconds apart, so a worker that has finished its tasks polls for
// new ones for spin_time() (100 µs unless TAPEGRAD_SPIN_US says otherwise; 0
// never polls) before it sleeps, and the caller of run() polls for its tasks'
// completion the same way before it sleeps. A worker therefore stays awake
// through a step and sleeps between steps that are far apart; the cost is a
// core kept busy for at most spin_time() after each parallel section, which
// is why the polling is bounded (other programs, or other MPI ranks, may want
// the core). run() signals the condition variable only when a worker sleeps.

std::chrono::microseconds spin_time_from_environment() {
    if (const char* v = std::getenv("TAPEGRAD_SPIN_US")) {
        char* end = nullptr;
        const long us = std::strtol(v, &end, 10);
        if (end != v && *end == '\0' && us >= 0) return std::chrono::microseconds(us);
    }
    return std::chrono::microseconds(100);
}

std::chrono::microseconds spin_time() {
    static const std::chrono::microseconds t = spin_time_from_environment();
    return t;
}

/// A hint to the core that this thread is busy-waiting (frees the core's
/// shared resources for the other hardware thread; no system call).
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#else
    std::this_thread::yield();
#endif
}

/// Polls ready() for up to spin_time() (Note [waking the pool]); true once it holds.
template <class Ready>
bool poll(Ready&& ready) {
    if (ready()) return true;
    const auto limit = spin_time();
    if (limit.count() == 0) return false;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        for (int i = 0; i < 32; ++i) {
            cpu_relax();
            if (ready()) return true;
        }
        if (std::chrono::steady_clock::now() >= deadline) return false;
    }
}

/// The caller of run() works too, so a pool of num_threads() - 1 workers keeps
/// num_threads() cores busy. Workers are started on first need and live until
/// the program ends; callers from several threads share them, and each caller
/// finishes its own tasks if they are busy.
class Pool {
public:
    ~Pool() {
        {
            const std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        for (std::thread& t : workers_) t.join();
    }

    void run(std::size_t tasks, const std::function<void(std::size_t)>& body) {
        auto job = std::make_shared<Job>();
        job->tasks = tasks;
        job->body = &body;
        bool someone_sleeps = false;
        {
            const std::lock_guard lock(mutex_);
            while (workers_.size() + 1 < tasks) workers_.emplace_back([this] { work(); });
            for (std::size_t i = 1; i < tasks; ++i) queue_.push_back(job);
            queued_.fetch_add(tasks - 1, std::memory_order_release);
            someone_sleeps = sleeping_ > 0;
        }
        if (someone_sleeps) wake_.notify_all();
        job->run_tasks();
        job->wait();
        if (job->error) std::rethrow_exception(job->error);
    }

private:
    struct Job {
        std::size_t tasks = 0;
        const std::function<void(std::size_t)>* body = nullptr;  // the caller's, alive until all are done
        std::atomic<std::size_t> next{0};
        std::atomic<std::size_t> done{0};  // changed under mutex, read without it while polling
        std::mutex mutex;
        std::condition_variable finished;
        std::exception_ptr error;  // the first task's exception, guarded by mutex (read once done)

        /// Take tasks until none is left (by whoever calls it: the caller or a worker).
        void run_tasks() {
            for (std::size_t i = next++; i < tasks; i = next++) {
                std::exception_ptr failed;
                try {
                    (*body)(i);
                } catch (...) {
                    failed = std::current_exception();
                }
                bool last = false;
                {
                    const std::lock_guard lock(mutex);
                    if (failed && !error) error = failed;
                    last = done.fetch_add(1, std::memory_order_acq_rel) + 1 == tasks;
                }
                if (last) finished.notify_all();
            }
        }

        /// Returns once every task has ended: polls first, then sleeps.
        void wait() {
            const auto all_done = [&] { return done.load(std::memory_order_acquire) == tasks; };
            if (poll(all_done)) return;
            std::unique_lock lock(mutex);
            finished.wait(lock, all_done);
        }
    };

    void work() {
        for (;;) {
            const bool saw_work = poll([&] { return queued_.load(std::memory_order_acquire) > 0; });
            std::shared_ptr<Job> job;
            {
                std::unique_lock lock(mutex_);
                if (queue_.empty() && !stopping_ && saw_work) continue;  // another worker took it: poll again
                if (queue_.empty() && !stopping_) {
                    ++sleeping_;
                    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
                    --sleeping_;
                }
                if (queue_.empty()) return;  // stopping
                job = std::move(queue_.front());
                queue_.pop_front();
                queued_.fetch_sub(1, std::memory_order_relaxed);
            }
            job->run_tasks();
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::shared_ptr<Job>> queue_;  // guarded by mutex_
    std::atomic<std::size_t> queued_{0};      // queue_.size(), for polling without the lock
    std::size_t sleeping_ = 0;                // workers waiting on wake_, guarded by mutex_
    std::vector<std::thread> workers_;
    bool stopping_ = false;
};

Pool& pool() {
    static Pool p;
    return p;
}

}  // namespace

void set_num_threads(int n) {
    if (n < 1) throw std::invalid_argument(fmt::format("set_num_threads: need at least 1 thread, got {}", n));
    thread_setting().store(n, std::memory_order_relaxed);
}

int num_threads() { return thread_setting().load(std::memory_order_relaxed); }

namespace parallel {

void run(std::size_t tasks, const std::function<void(std::size_t)>& body) {
    if (tasks == 0) return;
    if (tasks == 1) return body(0);
    pool().run(tasks, body);
}

}  // namespace parallel
}  // namespace tg
