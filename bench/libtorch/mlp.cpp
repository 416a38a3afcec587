// mlp with libtorch: 784-256-256-10, ReLU, batch 128, cross-entropy, SGD lr 0.01.
#include "torch_common.hpp"

namespace {

constexpr long kBatch = 128, kBatches = 4;

struct Net : torch::nn::Module {
    torch::nn::Sequential layers{nullptr};
    Net() {
        torch::nn::Linear fc1(784, 256), fc2(256, 256), fc3(256, 10);
        bench::init_linear(fc1, 784, 256, 0);
        bench::init_linear(fc2, 256, 256, 1);
        bench::init_linear(fc3, 256, 10, 2);
        layers = register_module("layers", torch::nn::Sequential(fc1, torch::nn::ReLU(), fc2, torch::nn::ReLU(), fc3));
    }
    torch::Tensor forward(const torch::Tensor& x) { return layers->forward(x); }
};

}  // namespace

int main(int argc, char** argv) {
    const bench::Args args = bench::parse_args(argc, argv);
    bench::set_torch_threads(args.threads);
    auto net = std::make_shared<Net>();
    torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.01));
    std::vector<torch::Tensor> xs, ys;
    for (long b = 0; b < kBatches; ++b) {
        xs.push_back(bench::to_torch(bench::uniform_floats(kBatch * 784, 100 + b, 0, 1), {kBatch, 784}));
        ys.push_back(bench::to_torch(bench::labels(kBatch, 10, 200 + b), {kBatch}));
    }
    double flops = 0;
    const long sizes[] = {784, 256, 256, 10};
    for (int l = 0; l < 3; ++l) flops += bench::gemm_flops(kBatch, sizes[l + 1], sizes[l]) * (l == 0 ? 2 : 3);
    auto step = bench::training_step(opt, xs, ys, [&](const torch::Tensor& x, const torch::Tensor& y) {
        return torch::nn::functional::cross_entropy(net->forward(x), y);
    });
    return bench::run({"mlp", kBatch, flops, 300}, args, step);
}
