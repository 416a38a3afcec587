// fraud-mlp: 30-64-32-1 with ReLU, batch 256, BCE with logits, Adam lr 1e-3.
#include "fraud_net.hpp"

int main(int argc, char** argv) {
    const bench::Args args = bench::parse_args(argc, argv);
    bench::set_threads(args.threads);
    constexpr long kBatch = 256, kBatches = 4;
    bench::FraudNet net;
    tg::optim::Adam opt(net.parameters(), {.lr = 1e-3});
    std::vector<tg::Tensor> xs, ys;
    for (long b = 0; b < kBatches; ++b) {
        xs.push_back(bench::to_tg(bench::uniform_floats(kBatch * 30, 100 + b), {kBatch, 30}));
        std::vector<float> lab;
        for (auto c : bench::labels(kBatch, 2, 200 + b)) lab.push_back(float(c));
        ys.push_back(bench::to_tg(lab, {kBatch, 1}));
    }
    // forward, weight gradients, input gradients of the two upper layers
    const double flops = bench::gemm_flops(kBatch, 64, 30) * 2 + bench::gemm_flops(kBatch, 32, 64) * 3 +
                         bench::gemm_flops(kBatch, 1, 32) * 3;
    auto step = bench::training_step(opt, xs, ys, [&](const tg::Tensor& x, const tg::Tensor& y) {
        return tg::nn::binary_cross_entropy_with_logits(net(x), y);
    });
    return bench::run({"fraud-mlp", kBatch, flops, 3000}, args, step);
}
