// cnn: conv3x3 1->16 pad 1, ReLU, maxpool 2; conv3x3 16->32 pad 1, ReLU, maxpool 2;
// flatten 1568 -> linear 10. Batch 64 of 1x28x28, cross-entropy, SGD lr 0.01.
#include "tg_common.hpp"

namespace {

constexpr long kBatch = 64, kBatches = 4;

struct Net : tg::nn::Module {
    std::shared_ptr<tg::nn::Conv2d> conv1, conv2;
    std::shared_ptr<tg::nn::MaxPool2d> pool;
    std::shared_ptr<tg::nn::Linear> fc;
    Net() {
        conv1 = register_module("conv1", std::make_shared<tg::nn::Conv2d>(1, 16, 3, 1, 1));
        conv2 = register_module("conv2", std::make_shared<tg::nn::Conv2d>(16, 32, 3, 1, 1));
        pool = register_module("pool", std::make_shared<tg::nn::MaxPool2d>(2));
        fc = register_module("fc", std::make_shared<tg::nn::Linear>(1568, 10));
    }
    tg::Tensor forward(const tg::Tensor& x) override {
        tg::Tensor h = (*pool)(tg::relu((*conv1)(x)));
        h = (*pool)(tg::relu((*conv2)(h)));
        return (*fc)(tg::flatten(h, 1));
    }
};

}  // namespace

int main(int argc, char** argv) {
    const bench::Args args = bench::parse_args(argc, argv);
    bench::set_blas_threads(args.threads);
    tg::manual_seed(0);
    Net net;
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
