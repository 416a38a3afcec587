// cnn: conv3x3 1->16 pad 1, ReLU, maxpool 2; conv3x3 16->32 pad 1, ReLU, maxpool 2;
// flatten 1568 -> linear 10. Batch 64 of 1x28x28, cross-entropy, SGD lr 0.01.
#include "models.hpp"

namespace {
constexpr long kBatch = 64, kBatches = 4;
}  // namespace

int main(int argc, char** argv) {
    const bench::Args args = bench::parse_args(argc, argv);
    bench::set_threads(args.threads);
    tg::manual_seed(0);
    bench::CnnNet net;
    tg::optim::SGD opt(net.parameters(), 0.01);
    std::vector<tg::Tensor> xs, ys;
    for (long b = 0; b < kBatches; ++b) {
        xs.push_back(bench::to_tg(bench::uniform_floats(kBatch * 784, 100 + b, 0, 1), {kBatch, 1, 28, 28}));
        ys.push_back(bench::labels_tg(kBatch, 10, 200 + b));
    }
    auto step = bench::training_step(opt, xs, ys, [&](const tg::Tensor& x, const tg::Tensor& y) {
        return tg::nn::cross_entropy(net(x), y);
    });
    return bench::run({"cnn", kBatch, bench::cnn_flops(kBatch), 60}, args, step);
}
