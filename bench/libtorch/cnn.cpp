// cnn with libtorch: conv3x3 1->16 pad 1, ReLU, maxpool 2; conv3x3 16->32 pad 1,
// ReLU, maxpool 2; flatten 1568 -> linear 10. Batch 64 of 1x28x28, cross-entropy, SGD lr 0.01.
#include "torch_common.hpp"

namespace {

constexpr long kBatch = 64, kBatches = 4;

struct Net : torch::nn::Module {
    torch::nn::Sequential layers{nullptr};
    Net() {
        namespace nn = torch::nn;
        layers = register_module(
            "layers", nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 16, 3).padding(1)), nn::ReLU(),
                                     nn::MaxPool2d(nn::MaxPool2dOptions(2)),
                                     nn::Conv2d(nn::Conv2dOptions(16, 32, 3).padding(1)), nn::ReLU(),
                                     nn::MaxPool2d(nn::MaxPool2dOptions(2)), nn::Flatten(), nn::Linear(1568, 10)));
    }
    torch::Tensor forward(const torch::Tensor& x) { return layers->forward(x); }
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
