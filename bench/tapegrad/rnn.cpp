// rnn: Elman RNN (tanh), input 32, hidden 128, a loop over 50 time steps of
// tensor ops (RNNCell); linear head 128 -> 10 on the last state. Batch 32,
// cross-entropy, SGD lr 0.01, full backpropagation through time.
#include "tg_common.hpp"

namespace {

constexpr long kBatch = 32, kBatches = 2, kSteps = 50, kInput = 32, kHidden = 128;

}  // namespace

int main(int argc, char** argv) {
    const bench::Args args = bench::parse_args(argc, argv);
    bench::set_threads(args.threads);
    tg::manual_seed(0);
    tg::nn::RNNCell cell(kInput, kHidden);
    tg::nn::Linear head(kHidden, 10);
    std::vector<tg::Tensor> params = cell.parameters();
    for (const tg::Tensor& p : head.parameters()) params.push_back(p);
    tg::optim::SGD opt(params, 0.01);
    // the sequence as one [batch, input] tensor per time step
    std::vector<std::vector<tg::Tensor>> xs(kBatches);
    std::vector<tg::Tensor> ys;
    for (long b = 0; b < kBatches; ++b) {
        for (long t = 0; t < kSteps; ++t)
            xs[b].push_back(bench::to_tg(bench::uniform_floats(kBatch * kInput, 1000 * b + t), {kBatch, kInput}));
        ys.push_back(bench::labels_tg(kBatch, 10, 200 + b));
    }
    long i = 0;
    auto step = [&] {
        const auto& x = xs[i % kBatches];
        const tg::Tensor& y = ys[i % kBatches];
        ++i;
        opt.zero_grad();
        tg::Tensor h;
        for (long t = 0; t < kSteps; ++t) h = cell.forward(x[t], h);
        const tg::Tensor loss = tg::nn::cross_entropy(head(h), y);
        loss.backward();
        opt.step();
    };
    return bench::run({"rnn", kBatch, bench::rnn_flops(kBatch, kSteps, kInput, kHidden, 10), 60}, args, step);
}
