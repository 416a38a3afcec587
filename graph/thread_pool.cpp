#include "thread_pool.hpp"

#include <atomic>
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
    for (const char* name : {"TAPEGRAD_NUM_THREADS", "OPENBLAS_NUM_THREADS"})
        if (const char* v = std::getenv(name))
            if (const int n = std::atoi(v); n > 0) return n;
    const unsigned cores = std::thread::hardware_concurrency();
    return cores ? static_cast<int>(cores) : 1;
}

std::atomic<int>& thread_setting() {
    static std::atomic<int> n{threads_from_environment()};
    return n;
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
        {
            const std::lock_guard lock(mutex_);
            while (workers_.size() + 1 < tasks) workers_.emplace_back([this] { work(); });
            for (std::size_t i = 1; i < tasks; ++i) queue_.push_back(job);
        }
        wake_.notify_all();
        job->run_tasks();
        std::unique_lock lock(job->mutex);
        job->finished.wait(lock, [&] { return job->done == job->tasks; });
        if (job->error) std::rethrow_exception(job->error);
    }

private:
    struct Job {
        std::size_t tasks = 0;
        const std::function<void(std::size_t)>* body = nullptr;  // the caller's, alive until all are done
        std::atomic<std::size_t> next{0};
        std::mutex mutex;
        std::condition_variable finished;
        std::size_t done = 0;          // guarded by mutex
        std::exception_ptr error;      // the first task's exception, guarded by mutex

        /// Take tasks until none is left (by whoever calls it: the caller or a worker).
        void run_tasks() {
            for (std::size_t i = next++; i < tasks; i = next++) {
                std::exception_ptr failed;
                try {
                    (*body)(i);
                } catch (...) {
                    failed = std::current_exception();
                }
                const std::lock_guard lock(mutex);
                if (failed && !error) error = failed;
                if (++done == tasks) finished.notify_all();
            }
        }
    };

    void work() {
        for (;;) {
            std::shared_ptr<Job> job;
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
                if (queue_.empty()) return;  // stopping
                job = std::move(queue_.front());
                queue_.pop_front();
            }
            job->run_tasks();
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::shared_ptr<Job>> queue_;
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
