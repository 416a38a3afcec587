// transformer: one encoder layer (PyTorch's post-norm TransformerEncoderLayer:
// self-attention with 4 heads, feed-forward 128 -> 512 -> 128 with ReLU,
// dropout 0), sequence 64, model width 128, batch 32 (sequence first, as
// libtorch's C++ layer takes it); the mean over the sequence -> linear 10,
// cross-entropy, SGD lr 0.01.
#include "tg_common.hpp"

namespace {

constexpr long kSeq = 64, kBatch = 32, kWidth = 128, kHeads = 4, kFeedForward = 512, kBatches = 2;

}  // namespace

int main(int argc, char** argv) {
    const bench::Args args = bench::parse_args(argc, argv);
    bench::set_threads(args.threads);
    tg::manual_seed(0);
    tg::nn::TransformerEncoderLayer layer(kWidth, kHeads, {.dim_feedforward = kFeedForward, .dropout = 0.0});
    tg::nn::Linear head(kWidth, 10);
    std::vector<tg::Tensor> params = layer.parameters();
    for (const tg::Tensor& p : head.parameters()) params.push_back(p);
    tg::optim::SGD opt(params, 0.01);
    std::vector<tg::Tensor> xs, ys;
    for (long b = 0; b < kBatches; ++b) {
        xs.push_back(bench::to_tg(bench::uniform_floats(kSeq * kBatch * kWidth, 4000 + b), {kSeq, kBatch, kWidth}));
        ys.push_back(bench::labels_tg(kBatch, 10, 200 + b));
    }
    auto loss = [&](const tg::Tensor& x, const tg::Tensor& y) {
        return tg::nn::cross_entropy(head(tg::mean(layer(x), {0})), y);
    };
    return bench::run({"transformer", kBatch, bench::transformer_flops(kSeq, kBatch, kWidth, kFeedForward), 30}, args,
                      bench::training_step(opt, xs, ys, loss));
}
