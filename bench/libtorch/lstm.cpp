// lstm with libtorch: the rnn workload with an LSTM layer (torch::nn::LSTM,
// batch_first): input 32, hidden 128, 50 time steps, batch 32; linear head
// 128 -> 10 on the last hidden state. Cross-entropy, SGD lr 0.01, full BPTT.
#include "torch_common.hpp"

namespace {

constexpr long kBatch = 32, kBatches = 2, kSteps = 50, kInput = 32, kHidden = 128;

}  // namespace

int main(int argc, char** argv) {
    const bench::Args args = bench::parse_args(argc, argv);
    bench::set_torch_threads(args.threads);
    torch::manual_seed(0);
    torch::nn::LSTM lstm(torch::nn::LSTMOptions(kInput, kHidden).batch_first(true));
    torch::nn::Linear head(kHidden, 10);
    std::vector<torch::Tensor> params = lstm->parameters();
    for (const auto& p : head->parameters()) params.push_back(p);
    torch::optim::SGD opt(params, torch::optim::SGDOptions(0.01));
    std::vector<torch::Tensor> xs, ys;
    for (long b = 0; b < kBatches; ++b) {
        xs.push_back(bench::to_torch(bench::uniform_floats(kBatch * kSteps * kInput, 3000 + b), {kBatch, kSteps, kInput}));
        ys.push_back(bench::to_torch(bench::labels(kBatch, 10, 200 + b), {kBatch}));
    }
    auto loss = [&](const torch::Tensor& x, const torch::Tensor& y) {
        const auto h_n = std::get<0>(std::get<1>(lstm->forward(x)));  // [1, batch, hidden]
        return torch::nn::functional::cross_entropy(head(h_n[0]), y);
    };
    return bench::run({"lstm", kBatch, bench::lstm_flops(kBatch, kSteps, kInput, kHidden, 10), 40}, args,
                      bench::training_step(opt, xs, ys, loss));
}
