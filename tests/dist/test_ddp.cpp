// DistributedDataParallel on 2 ranks equals one process on the whole batch.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <memory>

#include <tapegrad/dist/dist.hpp>
#include <tapegrad/tapegrad.hpp>

using namespace tg;
using namespace tg::nn;

namespace {

/// A two-layer net with a third layer that forward never uses.
struct NetWithUnused : Module {
    std::shared_ptr<Linear> fc1, fc2, unused;
    NetWithUnused() {
        fc1 = register_module("fc1", std::make_shared<Linear>(5, 7));
        unused = register_module("unused", std::make_shared<Linear>(7, 3));
        fc2 = register_module("fc2", std::make_shared<Linear>(7, 2));
    }
    Tensor forward(const Tensor& x) override { return (*fc2)(tanh((*fc1)(x))); }
};

std::shared_ptr<NetWithUnused> make_net() {
    manual_seed(42);
    auto net = std::make_shared<NetWithUnused>();
    net->to(DType::f64);
    return net;
}

using MakeOptimizer = std::function<std::unique_ptr<optim::Optimizer>(std::vector<Tensor>)>;

Tensor rows_of(const Tensor& t, std::size_t start, std::size_t stop) {
    return slice(t, 0, static_cast<std::int64_t>(start), static_cast<std::int64_t>(stop));
}

/// 20 steps on batches of 64: the reference on one process, or this rank's 64/W rows under DDP.
std::vector<double> train(bool distributed, const MakeOptimizer& make_opt, std::size_t bucket_bytes) {
    Generator data_gen(7);
    std::vector<double> xs(20 * 64 * 5), ys(20 * 64 * 2);
    for (double& v : xs) v = data_gen.normal();
    for (double& v : ys) v = data_gen.normal();
    const Tensor x = from_vector(xs, {20 * 64, 5}, {.dtype = DType::f64});
    const Tensor y = from_vector(ys, {20 * 64, 2}, {.dtype = DType::f64});
    auto net = make_net();
    std::shared_ptr<Module> model = net;
    if (distributed) model = std::make_shared<dist::DistributedDataParallel>(net, dist::DDPOptions{.bucket_bytes = bucket_bytes});
    auto opt = make_opt(net->parameters());
    const std::size_t world = distributed ? static_cast<std::size_t>(dist::world_size()) : 1;
    const std::size_t rank = distributed ? static_cast<std::size_t>(dist::rank()) : 0;
    const std::size_t share = 64 / world;
    for (std::size_t step = 0; step < 20; ++step) {
        const std::size_t start = step * 64 + rank * share;
        opt->zero_grad();
        mse_loss((*model)(rows_of(x, start, start + share)), rows_of(y, start, start + share)).backward();
        opt->step();
    }
    std::vector<double> weights;
    for (const Tensor& p : net->parameters())
        for (double v : p.to_vector()) weights.push_back(v);
    return weights;
}

void check_close(const std::vector<double>& a, const std::vector<double>& b) {
    REQUIRE(a.size() == b.size());
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::abs(a[i] - b[i]) / std::max(1e-12, std::abs(b[i])));
    CHECK(worst <= 1e-10);
}

}  // namespace

TEST_CASE("ddp: 2 ranks x 32 rows equal 1 process x 64 rows after 20 steps (SGD momentum, Adam; buckets; unused)") {
    REQUIRE(dist::world_size() == 2);
    const MakeOptimizer sgd = [](std::vector<Tensor> p) {
        return std::make_unique<optim::SGD>(p, optim::SGDOptions{.lr = 0.05, .momentum = 0.9});
    };
    const MakeOptimizer adam = [](std::vector<Tensor> p) { return std::make_unique<optim::Adam>(p, 1e-2); };
    for (const auto& make : {sgd, adam}) {
        const std::vector<double> reference = train(false, make, 0);
        check_close(train(true, make, 25u << 20), reference);  // one bucket
        check_close(train(true, make, 64), reference);         // a bucket per parameter (and more)
        // the unused layer moved identically on both ranks (it stays put but for weight decay: here not at all)
    }
}

TEST_CASE("ddp: parameters start from rank 0's values; several buckets when asked") {
    manual_seed(static_cast<std::uint64_t>(100 + dist::rank()));  // different weights on each rank
    auto net = std::make_shared<Linear>(4, 3);
    dist::DistributedDataParallel ddp(net, {.bucket_bytes = 16});
    CHECK(ddp.bucket_count() == 2);
    // By default one bucket of 25 MB, but the first (the last layers) holds at most
    // 1 MB: 2 x 16 KiB layers share it, a 1.2 MB layer takes the next.
    auto wide = std::make_shared<Sequential>(std::make_shared<Linear>(600, 500), std::make_shared<Linear>(500, 8),
                                             std::make_shared<Linear>(8, 500));
    CHECK(dist::DistributedDataParallel(wide).bucket_count() == 2);
    CHECK(dist::DistributedDataParallel(wide, {.first_bucket_bytes = 25u << 20}).bucket_count() == 1);
    Tensor w = net->weight.detach().clone();
    Tensor w0 = w.clone();
    dist::broadcast(w0, 0);
    CHECK(w.to_vector() == w0.to_vector());
}

TEST_CASE("ddp: no_sync accumulates locally; the next synchronised backward averages the sums") {
    auto net = make_net();
    dist::DistributedDataParallel ddp(net);
    const double r = dist::rank();
    const Tensor x1 = full({2, 5}, 1.0 + r, {.dtype = DType::f64});
    const Tensor x2 = full({2, 5}, 3.0 - r, {.dtype = DType::f64});
    {
        auto guard = ddp.no_sync();
        sum(ddp(x1)).backward();
    }
    const std::vector<double> local = net->fc1->weight.grad().to_vector();
    sum(ddp(x2)).backward();
    // expected: mean over ranks of (grad(x1) + grad(x2)) computed locally without DDP
    auto plain = make_net();
    sum((*plain)(x1)).backward();
    sum((*plain)(x2)).backward();
    Tensor expected = plain->fc1->weight.grad().clone();
    dist::all_reduce(expected, dist::ReduceOp::mean);
    const std::vector<double> got = net->fc1->weight.grad().to_vector(), want = expected.to_vector();
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-12));
    // during no_sync nothing was averaged: rank 0 and 1 had different local gradients
    Tensor l = from_vector(local, {local.size()}, {.dtype = DType::f64});
    Tensor l0 = l.clone();
    dist::broadcast(l0, 0);
    if (dist::rank() == 1) CHECK(l.to_vector() != l0.to_vector());
    // the parameter forward never used has a zero gradient on every rank
    CHECK(net->unused->weight.grad().defined());
    for (double v : net->unused->weight.grad().to_vector()) CHECK(v == 0.0);
}

TEST_CASE("collectives: all_reduce of tensors and numbers, broadcast, barrier") {
    const double r = dist::rank();
    Tensor t = full({3}, r + 1);
    dist::all_reduce(t);
    CHECK(t.to_vector() == std::vector<double>{3, 3, 3});
    Tensor m = full({2}, r + 1, {.dtype = DType::f64});
    dist::all_reduce(m, dist::ReduceOp::mean);
    CHECK(m.to_vector() == std::vector<double>{1.5, 1.5});
    CHECK(dist::all_reduce(r, dist::ReduceOp::max) == 1.0);
    Tensor b = full({2}, r);
    dist::broadcast(b, 1);
    CHECK(b.to_vector() == std::vector<double>{1, 1});
    dist::barrier();
}
