// mlp: 784-256-256-10 with ReLU, batch 128, softmax cross-entropy, SGD lr 0.01.
#include "tg_common.hpp"

namespace {

constexpr long kBatch = 128, kBatches = 4;

struct Net : tg::nn::Module {
    std::shared_ptr<tg::nn::Linear> fc1, fc2, fc3;
    Net() {
        fc1 = register_module("fc1", bench::make_linear(784, 256, 0));
        fc2 = register_module("fc2", bench::make_linear(256, 256, 1));
        fc3 = register_module("fc3", bench::make_linear(256, 10, 2));
    }
    tg::Tensor forward(const tg::Tensor& x) override { return (*fc3)(tg::relu((*fc2)(tg::relu((*fc1)(x))))); }
};

}  // namespace

int main(int argc, char** argv) {
    const bench::Args args = bench::parse_args(argc, argv);
    bench::set_blas_threads(args.threads);
    Net net;
    tg::optim::SGD opt(net.parameters(), 0.01);
    std::vector<tg::Tensor> xs, ys;
    for (long b = 0; b < kBatches; ++b) {
        xs.push_back(bench::to_tg(bench::uniform_floats(kBatch * 784, 100 + b, 0, 1), {kBatch, 784}));
        ys.push_back(bench::labels_tg(kBatch, 10, 200 + b));
    }
    // forward, weight gradients, and input gradients except for the first layer
    double flops = 0;
    const long sizes[] = {784, 256, 256, 10};
    for (int l = 0; l < 3; ++l) flops += bench::gemm_flops(kBatch, sizes[l + 1], sizes[l]) * (l == 0 ? 2 : 3);
    auto step = bench::training_step(opt, xs, ys, [&](const tg::Tensor& x, const tg::Tensor& y) {
        return tg::nn::cross_entropy(net(x), y);
    });
    return bench::run({"mlp", kBatch, flops, 300}, args, step);
}
