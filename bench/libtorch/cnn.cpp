// cnn with libtorch: conv3x3 1->16 pad 1, ReLU, maxpool 2; conv3x3 16->32 pad 1,
// ReLU, maxpool 2; flatten 1568 -> linear 10. Batch 64 of 1x28x28, cross-entropy, SGD lr 0.01.
#include "torch_common.hpp"

namespace {

constexpr long kBatch = 64, kBatches = 4;

struct Net : torch::nn::Module {
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
    torch::nn::MaxPool2d pool{nullptr};
    torch::nn::Linear fc{nullptr};
    Net() {
        conv1 = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 16, 3).padding(1)));
        conv2 = register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(16, 32, 3).padding(1)));
        pool = register_module("pool", torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
        fc = register_module("fc", torch::nn::Linear(1568, 10));
    }
    torch::Tensor forward(const torch::Tensor& x) {
        auto h = pool(torch::relu(conv1(x)));
        h = pool(torch::relu(conv2(h)));
        return fc(h.flatten(1));
    }
};

}  // namespace

int main(int argc, char** argv) {
    const bench::Args args = bench::parse_args(argc, argv);
    bench::set_torch_threads(args.threads);
    torch::manual_seed(0);
    auto net = std::make_shared<Net>();
    torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.01));
    std::vector<torch::Tensor> xs, ys;
    for (long b = 0; b < kBatches; ++b) {
        xs.push_back(bench::to_torch(bench::uniform_floats(kBatch * 784, 100 + b, 0, 1), {kBatch, 1, 28, 28}));
        ys.push_back(bench::to_torch(bench::labels(kBatch, 10, 200 + b), {kBatch}));
    }
    auto step = bench::training_step(opt, xs, ys, [&](const torch::Tensor& x, const torch::Tensor& y) {
        return torch::nn::functional::cross_entropy(net->forward(x), y);
    });
    return bench::run({"cnn", kBatch, bench::cnn_flops(kBatch), 60}, args, step);
}
