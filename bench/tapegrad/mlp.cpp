// mlp: 784-256-256-10 with ReLU, batch 128, softmax cross-entropy, SGD lr 0.01.
#include "models.hpp"

namespace {
constexpr long kBatch = 128, kBatches = 4;
}  // namespace

int main(int argc, char** argv) {
    const bench::Args args = bench::parse_args(argc, argv);
    bench::set_threads(args.threads);
    bench::MlpNet net;
    tg::optim::SGD opt(net.parameters(), 0.01);
    std::vector<tg::Tensor> xs, ys;
    for (long b = 0; b < kBatches; ++b) {
        xs.push_back(bench::to_tg(bench::uniform_floats(kBatch * 784, 100 + b, 0, 1), {kBatch, 784}));
        ys.push_back(bench::labels_tg(kBatch, 10, 200 + b));
    }
    auto step = bench::training_step(opt, xs, ys, [&](const tg::Tensor& x, const tg::Tensor& y) {
        return tg::nn::cross_entropy(net(x), y);
    });
    return bench::run({"mlp", kBatch, bench::mlp_flops(kBatch), 300}, args, step);
}
