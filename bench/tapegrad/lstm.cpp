// lstm: the rnn workload with an LSTM layer: input 32, hidden 128, 50 time
// steps, batch 32 (x as [batch, time, input]); linear head 128 -> 10 on the last
// hidden state. Cross-entropy, SGD lr 0.01, full backpropagation through time.
#include "tg_common.hpp"

namespace {

constexpr long kBatch = 32, kBatches = 2, kSteps = 50, kInput = 32, kHidden = 128;

}  // namespace

int main(int argc, char** argv) {
    const bench::Args args = bench::parse_args(argc, argv);
    bench::set_threads(args.threads);
    tg::manual_seed(0);
    tg::nn::LSTM lstm(kInput, kHidden);
    tg::nn::Linear head(kHidden, 10);
    std::vector<tg::Tensor> params = lstm.parameters();
    for (const tg::Tensor& p : head.parameters()) params.push_back(p);
    tg::optim::SGD opt(params, 0.01);
    std::vector<tg::Tensor> xs, ys;
    for (long b = 0; b < kBatches; ++b) {
        xs.push_back(bench::to_tg(bench::uniform_floats(kBatch * kSteps * kInput, 3000 + b), {kBatch, kSteps, kInput}));
        ys.push_back(bench::labels_tg(kBatch, 10, 200 + b));
    }
    auto loss = [&](const tg::Tensor& x, const tg::Tensor& y) {
        const tg::Tensor h_last = tg::squeeze(lstm.run(x).h_n, 0);  // [1, batch, hidden] -> [batch, hidden]
        return tg::nn::cross_entropy(head(h_last), y);
    };
    return bench::run({"lstm", kBatch, bench::lstm_flops(kBatch, kSteps, kInput, kHidden, 10), 40}, args,
                      bench::training_step(opt, xs, ys, loss));
}
