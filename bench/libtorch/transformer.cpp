// transformer with libtorch: one torch::nn::TransformerEncoderLayer (post-norm,
// 4 heads, feed-forward 512, ReLU, dropout 0), sequence 64, width 128, batch 32
// ([sequence, batch, width]); the mean over the sequence -> linear 10,
// cross-entropy, SGD lr 0.01.
#include "torch_common.hpp"

namespace {

constexpr long kSeq = 64, kBatch = 32, kWidth = 128, kHeads = 4, kFeedForward = 512, kBatches = 2;

}  // namespace

int main(int argc, char** argv) {
    const bench::Args args = bench::parse_args(argc, argv);
    bench::set_torch_threads(args.threads);
    torch::manual_seed(0);
    torch::nn::TransformerEncoderLayer layer(
        torch::nn::TransformerEncoderLayerOptions(kWidth, kHeads).dim_feedforward(kFeedForward).dropout(0.0));
    torch::nn::Linear head(kWidth, 10);
    std::vector<torch::Tensor> params = layer->parameters();
    for (const auto& p : head->parameters()) params.push_back(p);
    torch::optim::SGD opt(params, torch::optim::SGDOptions(0.01));
    std::vector<torch::Tensor> xs, ys;
    for (long b = 0; b < kBatches; ++b) {
        xs.push_back(bench::to_torch(bench::uniform_floats(kSeq * kBatch * kWidth, 4000 + b), {kSeq, kBatch, kWidth}));
        ys.push_back(bench::to_torch(bench::labels(kBatch, 10, 200 + b), {kBatch}));
    }
    auto loss = [&](const torch::Tensor& x, const torch::Tensor& y) {
        return torch::nn::functional::cross_entropy(head(layer(x).mean(0)), y);
    };
    return bench::run({"transformer", kBatch, bench::transformer_flops(kSeq, kBatch, kWidth, kFeedForward), 30}, args,
                      bench::training_step(opt, xs, ys, loss));
}
