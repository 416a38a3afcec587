// Threads: what tapegrad promises to a program that calls it from several threads
// (README's "Threads"). Run these under ThreadSanitizer too (README: Sanitizers).
#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <tapegrad/graph/allocator.hpp>
#include <tapegrad/nn/nn.hpp>

#include "helpers.hpp"

using namespace tg;
using tg::test::shape_error_of;

namespace {

/// Run f(0), ..., f(n - 1) on n threads started together; join them.
void in_threads(int n, const std::function<void(int)>& f) {
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i)
        threads.emplace_back([&, i] {
            ++ready;
            while (ready.load() < n) std::this_thread::yield();
            f(i);
        });
    for (std::thread& t : threads) t.join();
}

/// The tapegrad thread count for one test, restored afterwards.
struct ThreadCount {
    explicit ThreadCount(int n) : saved(num_threads()) { set_num_threads(n); }
    ~ThreadCount() { set_num_threads(saved); }
    int saved;
};

/// A float32 matrix with values from a seeded generator.
Tensor matrix(std::size_t rows, std::size_t cols, std::uint64_t seed) {
    Generator gen(seed);
    return uniform({rows, cols}, -1, 1, {}, &gen);
}

}  // namespace

TEST_CASE("threads: BLAS dimensions above INT_MAX are a ShapeError, not a wrapped int") {
    CHECK(blas::checked_int("matmul", "rows", INT_MAX) == INT_MAX);
    const std::size_t too_big = std::size_t(INT_MAX) + 1;
    CHECK(shape_error_of([&] { blas::checked_int("matmul", "rows", too_big); }) ==
          "matmul: rows 2147483648 is more than BLAS takes (2147483647, INT_MAX)");
    // gemm checks every dimension before touching the (here absent) matrices
    float c = 0;
    CHECK(shape_error_of([&] { blas::gemm("linear", false, true, too_big, 1, 1, nullptr, 1, nullptr, 1, 0.f, &c, 1); })
              .starts_with("linear: rows 2147483648"));
    CHECK(shape_error_of([&] { blas::gemm("conv2d", false, false, 1, 1, 1ull << 32, nullptr, 1, nullptr, 1, 0.f, &c, 1); })
              .starts_with("conv2d: inner dimension 4294967296"));
    CHECK(shape_error_of([&] { blas::gemm("matmul", true, false, 2, 2, 2, nullptr, too_big, nullptr, 2, 0.f, &c, 2); })
              .starts_with("matmul: row length of a 2147483648"));
    CHECK_THROWS_AS(set_num_threads(0), std::invalid_argument);
}

TEST_CASE("threads: products on two threads at once are bit-identical to one thread alone") {
    const ThreadCount two(2);
    // one product split over the threads (33.5M multiply-adds), one on the calling
    // thread (1M), one plain loop (64); each thread runs a different mix.
    const std::vector<std::pair<Tensor, Tensor>> operands = {
        {matrix(512, 256, 1), matrix(256, 256, 2)},
        {matrix(64, 128, 3), matrix(128, 128, 4)},
        {matrix(4, 4, 5), matrix(4, 4, 6)},
        {matrix(200, 300, 7), matrix(300, 300, 8)},
    };
    std::vector<std::vector<double>> alone;
    for (const auto& [a, b] : operands) alone.push_back(matmul(a, b).to_vector());
    std::atomic<int> mismatches{0};
    in_threads(2, [&](int t) {
        for (int round = 0; round < 20; ++round)
            for (std::size_t i = 0; i < operands.size(); ++i) {
                const std::size_t k = t == 0 ? i : operands.size() - 1 - i;  // the other order
                if (matmul(operands[k].first, operands[k].second).to_vector() != alone[k]) ++mismatches;
            }
    });
    CHECK(mismatches.load() == 0);
}

TEST_CASE("threads: each thread's draws after manual_seed are its own and reproducible") {
    auto draws = [] {
        std::vector<double> v;
        for (int i = 0; i < 100000; ++i) v.push_back(global_generator().normal());
        return v;
    };
    std::vector<std::vector<double>> alone;
    for (int t = 0; t < 2; ++t) {
        manual_seed(100 + t);
        alone.push_back(draws());
    }
    std::vector<std::vector<double>> together(2);
    in_threads(2, [&](int t) {
        manual_seed(100 + t);
        together[t] = draws();
    });
    CHECK(together[0] == alone[0]);
    CHECK(together[1] == alone[1]);

    // after manual_seed in this thread, a single worker's first draws are the same on every run
    auto worker_draws = [&] {
        std::vector<double> v;
        std::thread([&] { v = draws(); }).join();
        return v;
    };
    manual_seed(7);
    const std::vector<double> first = worker_draws(), second = worker_draws();
    manual_seed(7);
    CHECK(worker_draws() == first);
    CHECK(worker_draws() == second);
    CHECK(first != second);  // later threads get streams of their own
}

TEST_CASE("threads: a thread freeing blocks another thread allocates does not hoard them") {
    constexpr std::size_t kBlock = 64 << 10;
    constexpr int kBlocks = 2000;  // 128 MB through the queue, at most 8 blocks in it
    std::mutex m;
    std::condition_variable cv;
    std::deque<void*> queue;
    std::size_t consumer_cache = 0, consumer_peak = 0;
    std::thread producer([&] {
        for (int i = 0; i < kBlocks; ++i) {
            void* p = memory::allocate(kBlock);
            std::unique_lock lock(m);
            cv.wait(lock, [&] { return queue.size() < 8; });
            queue.push_back(p);
            cv.notify_all();
        }
    });
    std::thread consumer([&] {
        for (int i = 0; i < kBlocks; ++i) {
            void* p;
            {
                std::unique_lock lock(m);
                cv.wait(lock, [&] { return !queue.empty(); });
                p = queue.front();
                queue.pop_front();
                cv.notify_all();
            }
            memory::deallocate(p, kBlock);
            consumer_peak = std::max(consumer_peak, memory::cached_bytes());
        }
        consumer_cache = memory::cached_bytes();
        memory::release_cached();
    });
    producer.join();
    consumer.join();
    CHECK(consumer_cache == 0);
    CHECK(consumer_peak == 0);

    // a thread still caches the blocks it made itself, and reuses them
    std::thread([&] {
        void* p = memory::allocate(kBlock);
        memory::deallocate(p, kBlock);
        CHECK(memory::cached_bytes() >= kBlock);
        CHECK(memory::allocate(kBlock) == p);
        memory::deallocate(p, kBlock);
        memory::release_cached();
    }).join();
}

TEST_CASE("threads: two models trained in two threads match the same training done alone") {
    auto train = [](std::uint64_t seed) {
        manual_seed(seed);
        auto net = nn::mlp({8, 64, 1}, {"tanh"});
        optim::SGD opt(net->parameters(), 0.05);
        Generator data(seed + 1);
        const Tensor x = uniform({256, 8}, -1, 1, {}, &data);
        const Tensor y = uniform({256, 1}, -1, 1, {}, &data);
        std::vector<double> losses;
        for (int step = 0; step < 30; ++step) {
            opt.zero_grad();
            Tensor loss = nn::mse_loss((*net)(x), y);
            loss.backward();
            opt.step();
            losses.push_back(loss.item());
        }
        std::vector<double> weights;
        for (const Tensor& p : net->parameters())
            for (double v : p.to_vector()) weights.push_back(v);
        return std::pair{losses, weights};
    };
    const auto alone0 = train(11), alone1 = train(12);
    std::vector<std::pair<std::vector<double>, std::vector<double>>> together(2);
    in_threads(2, [&](int t) { together[t] = train(11 + t); });
    CHECK(together[0] == alone0);
    CHECK(together[1] == alone1);
    CHECK(alone0.second != alone1.second);
}

TEST_CASE("threads: tensors made in one thread, differentiated and freed in another") {
    const Tensor w = matrix(32, 16, 3).requires_grad_();
    Tensor x, y;
    std::thread([&] {
        x = matrix(64, 32, 4);
        y = tanh(matmul(x, w));  // recorded in this thread, its nodes freed elsewhere
    }).join();
    std::thread([&] { sum(y).backward(); }).join();
    const Tensor expected = matmul(transpose(x), 1.0 - square(tanh(matmul(x, w)).detach()));
    REQUIRE(w.grad().defined());
    const std::vector<double> g = w.grad().to_vector(), e = expected.to_vector();
    for (std::size_t i = 0; i < g.size(); ++i) CHECK(g[i] == doctest::Approx(e[i]).epsilon(1e-5));
    x = Tensor();
    y = Tensor();
}

TEST_CASE("threads: four threads infer with one shared model under NoGradGuard") {
    const ThreadCount two(2);
    manual_seed(3);
    auto net = nn::mlp({256, 256, 10}, {"relu"});
    const Tensor x = matrix(512, 256, 9);  // the first layer's product is split over two threads
    const std::vector<double> expected = [&] {
        NoGradGuard no_grad;
        return (*net)(x).to_vector();
    }();
    std::atomic<int> mismatches{0}, recorded{0};
    in_threads(4, [&](int) {
        const NoGradGuard no_grad;
        for (int i = 0; i < 10; ++i) {
            const Tensor out = (*net)(x);
            if (out.requires_grad()) ++recorded;
            if (out.to_vector() != expected) ++mismatches;
        }
    });
    CHECK(mismatches.load() == 0);
    CHECK(recorded.load() == 0);
    CHECK((*net)(x).requires_grad());  // grad mode is per thread: this one still records
}

TEST_CASE("threads: large elementwise ops and sums give the same bits on 1, 2 and 3 threads; small ones stay on the caller") {
    const int before = num_threads();
    using tg::test::rnd;
    const Tensor a = rnd({1200, 500}, -2, 2, 1), b = rnd({1200, 500}, -2, 2, 2), row = rnd({500}, -1, 1, 3);  // 600,000: sums split too
    auto compute = [&] {
        Tensor x = a.to(DType::f32), y = b.to(DType::f32);
        std::vector<std::vector<double>> out;
        for (const Tensor& t : {exp(x), add(x, y), mul(x, 3.0), rsub(2.0, y), add(x, row.to(DType::f32)), tanh(y),
                                softmax(x, 1), log_softmax(y, 0)})
            out.push_back(t.to_vector());
        out.push_back({sum(a).item(), sum(mul(x, y)).item(), sum(rnd({100}, 0, 1, 4)).item()});
        return out;
    };
    set_num_threads(1);
    const auto one = compute();
    for (int threads : {2, 3}) {
        set_num_threads(threads);
        CHECK(compute() == one);
    }
    // the chunked sum is a sum: within rounding of a plain loop
    double plain = 0;
    for (double v : a.to_vector()) plain += v;
    CHECK(one.back()[0] == doctest::Approx(plain).epsilon(1e-12));
    // an exception thrown in a task reaches the caller, after every task has ended
    set_num_threads(4);
    std::atomic<int> ran{0};
    CHECK_THROWS_WITH(parallel::run(4,
                                    [&](std::size_t i) {
                                        ++ran;
                                        if (i == 2) throw std::runtime_error("task 2 failed");
                                    }),
                      "task 2 failed");
    CHECK(ran == 4);
    set_num_threads(before);
}

namespace {

/// Runs two pool tasks that each wait (at most 10 s) for the other to start:
/// true only when the two ran at once, i.e. a worker took the second task.
bool two_tasks_meet() {
    std::atomic<int> started{0};
    std::atomic<bool> met{true};
    parallel::run(2, [&](std::size_t) {
        ++started;
        const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (started.load() < 2)
            if (std::chrono::steady_clock::now() > limit) {
                met = false;
                return;
            }
    });
    return met;
}

}  // namespace

TEST_CASE("threads: pool workers take new work while polling and after they have gone to sleep") {
    // Note [waking the pool]: a worker polls for work for a while, then sleeps on
    // a condition variable. Work given in either state must reach it.
    const int before = num_threads();
    set_num_threads(2);
    CHECK(two_tasks_meet());  // starts the worker
    CHECK(two_tasks_meet());  // right after: the worker is still polling
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // far past the polling time
    CHECK(two_tasks_meet());  // the worker sleeps and must be woken
    // Many short jobs, some with a pause in between: no task is lost or run twice
    // at the edge between polling and sleeping.
    std::vector<std::atomic<int>> runs(4);
    for (int round = 0; round < 400; ++round) {
        parallel::run(runs.size(), [&](std::size_t i) { ++runs[i]; });
        if (round % 50 == 0) std::this_thread::sleep_for(std::chrono::microseconds(100 + 10 * round));
    }
    for (const auto& r : runs) CHECK(r.load() == 400);
    set_num_threads(before);
}

TEST_CASE("threads: permute of a large tensor moves each element where the axes say, on 1, 2 and 3 threads") {
    const int before = num_threads();
    const Shape in{6, 40, 70, 9};  // 151,200 elements: shared among threads
    const Tensor x = tg::test::rnd(in, -1, 1, 7);
    const std::vector<double> xv = x.to_vector();
    for (const std::vector<int>& perm : {std::vector<int>{0, 2, 1, 3}, {3, 1, 0, 2}, {2, 0, 3, 1}, {-1, 0, 1, 2}}) {
        std::vector<std::size_t> p(4), out(4);
        for (std::size_t k = 0; k < 4; ++k) p[k] = static_cast<std::size_t>(perm[k] < 0 ? perm[k] + 4 : perm[k]);
        for (std::size_t k = 0; k < 4; ++k) out[k] = in[p[k]];
        std::vector<double> expected;  // out[i] = x[j] with j's axis p[k] equal to i's axis k
        std::size_t i_[4];
        for (i_[0] = 0; i_[0] < out[0]; ++i_[0])
            for (i_[1] = 0; i_[1] < out[1]; ++i_[1])
                for (i_[2] = 0; i_[2] < out[2]; ++i_[2])
                    for (i_[3] = 0; i_[3] < out[3]; ++i_[3]) {
                        std::size_t j[4];
                        for (std::size_t k = 0; k < 4; ++k) j[p[k]] = i_[k];
                        expected.push_back(xv[((j[0] * in[1] + j[1]) * in[2] + j[2]) * in[3] + j[3]]);
                    }
        for (int threads : {1, 2, 3}) {
            set_num_threads(threads);
            const Tensor y = permute(x, perm);
            CHECK(y.shape() == Shape(out.begin(), out.end()));
            CHECK(y.to_vector() == expected);
        }
    }
    set_num_threads(before);
}

TEST_CASE("threads: convolution and pooling outputs and gradients are the same bits on 1, 2 and 3 threads") {
    using tg::test::rnd;
    const int before = num_threads();
    auto compute = [] {
        const Tensor x = rnd({18, 3, 40, 40}, -1, 1, 5).to(DType::f32).requires_grad_(true);  // y: 230,400 elements, above the grain
        const Tensor w = rnd({8, 3, 3, 3}, -1, 1, 6).to(DType::f32).requires_grad_(true);
        const Tensor b = rnd({8}, -1, 1, 7).to(DType::f32).requires_grad_(true);
        const Tensor y = conv2d(x, w, b, {1, 1}, {1, 1});
        const Tensor p = add(max_pool2d(y, {2, 2}, {2, 2}), avg_pool2d(y, {2, 2}, {2, 2}));
        const Tensor q = max_pool2d(y, {3, 3}, {2, 2}, {1, 1});  // the general (not tiled) path
        add(sum(mul(p, p)), sum(q)).backward();
        return std::vector<std::vector<double>>{y.to_vector(), p.to_vector(), q.to_vector(), x.grad().to_vector(),
                                                w.grad().to_vector(), b.grad().to_vector()};
    };
    set_num_threads(1);
    const auto one = compute();
    for (int threads : {2, 3}) {
        set_num_threads(threads);
        CHECK(compute() == one);
    }
    set_num_threads(before);
}

TEST_CASE("threads: optimiser updates of a large parameter are the same bits on 1, 2 and 3 threads") {
    const int before = num_threads();
    using tg::test::rnd;
    // 1,200,000 elements: above 2 * parallel::min_share, so the update is split;
    // the small bias stays on the caller. Three steps, so that the slots are used.
    auto train = [&](const std::function<std::unique_ptr<optim::Optimizer>(std::vector<Tensor>)>& make) {
        Tensor w = rnd({1200, 1000}, -1, 1, 5).to(DType::f32).requires_grad_(), b = rnd({10}, -1, 1, 6).to(DType::f32).requires_grad_();
        auto opt = make({w, b});
        for (int step = 0; step < 3; ++step) {
            opt->zero_grad();
            (sum(mul(w, w)) + sum(exp(b))).backward();
            opt->step();
        }
        return std::vector<std::vector<double>>{w.to_vector(), b.to_vector()};
    };
    const std::vector<std::function<std::unique_ptr<optim::Optimizer>(std::vector<Tensor>)>> optimisers{
        [](std::vector<Tensor> p) { return std::make_unique<optim::SGD>(p, optim::SGDOptions{.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01, .nesterov = true}); },
        [](std::vector<Tensor> p) { return std::make_unique<optim::Adam>(p, optim::AdamOptions{.lr = 0.01, .amsgrad = true}); },
        [](std::vector<Tensor> p) { return std::make_unique<optim::RMSprop>(p, optim::RMSpropOptions{.lr = 0.01, .momentum = 0.5, .centered = true}); },
        [](std::vector<Tensor> p) { return std::make_unique<optim::Adagrad>(p, optim::AdagradOptions{.lr = 0.1}); }};
    for (std::size_t k = 0; k < optimisers.size(); ++k) {
        CAPTURE(k);
        set_num_threads(1);
        const auto one = train(optimisers[k]);
        for (int threads : {2, 3}) {
            set_num_threads(threads);
            CHECK(train(optimisers[k]) == one);
        }
    }
    set_num_threads(before);
}
