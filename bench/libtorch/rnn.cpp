// rnn with libtorch: Elman RNN (tanh) as a loop of RNNCell over 50 time steps,
// input 32, hidden 128, linear head 128 -> 10 on the last state. Batch 32,
// cross-entropy, SGD lr 0.01, full backpropagation through time.
#include "torch_common.hpp"

namespace {

constexpr long kBatch = 32, kBatches = 2, kSteps = 50, kInput = 32, kHidden = 128;

}  // namespace

int main(int argc, char** argv) {
    const bench::Args args = bench::parse_args(argc, argv);
    bench::set_torch_threads(args.threads);
    torch::manual_seed(0);
    torch::nn::RNNCell cell(torch::nn::RNNCellOptions(kInput, kHidden).nonlinearity(torch::kTanh));
    torch::nn::Linear head(kHidden, 10);
    std::vector<torch::Tensor> params = cell->parameters();
    for (const auto& p : head->parameters()) params.push_back(p);
    torch::optim::SGD opt(params, torch::optim::SGDOptions(0.01));
    std::vector<std::vector<torch::Tensor>> xs(kBatches);
    std::vector<torch::Tensor> ys;
    for (long b = 0; b < kBatches; ++b) {
        for (long t = 0; t < kSteps; ++t)
            xs[b].push_back(bench::to_torch(bench::uniform_floats(kBatch * kInput, 1000 * b + t), {kBatch, kInput}));
        ys.push_back(bench::to_torch(bench::labels(kBatch, 10, 200 + b), {kBatch}));
    }
    long i = 0;
    auto step = [&] {
        const auto& x = xs[i % kBatches];
        const auto& y = ys[i % kBatches];
        ++i;
        opt.zero_grad();
        torch::Tensor h = cell(x[0]);
        for (long t = 1; t < kSteps; ++t) h = cell(x[t], h);
        const auto loss = torch::nn::functional::cross_entropy(head(h), y);
        loss.backward();
        opt.step();
    };
    return bench::run({"rnn", kBatch, bench::rnn_flops(kBatch, kSteps, kInput, kHidden, 10), 60}, args, step);
}
