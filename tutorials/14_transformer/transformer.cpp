#include "transformer.hpp"

#include <algorithm>
#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace tut::transformer {

namespace nn = tg::nn;

namespace {

constexpr std::size_t kLength = 6, kDigits = 10;

std::int64_t i64(std::size_t n) { return static_cast<std::int64_t>(n); }

/// Cross-entropy of every position's 10 scores against its digit.
tg::Tensor sort_loss(const tg::Tensor& scores, const tg::Tensor& target) {
    return nn::cross_entropy(tg::reshape(scores, {-1, i64(kDigits)}), tg::reshape(target, {-1}));
}

std::string digits_of(const std::vector<double>& v) {
    std::string s;
    for (double d : v) s += fmt::format("{} ", static_cast<int>(d));
    if (!s.empty()) s.pop_back();
    return s;
}

/// A [length, length] table of weights, queries down, keys across.
void print_weights(std::ostream& out, const std::vector<double>& w, const std::vector<double>& digits) {
    fmt::print(out, "  {:>13}", "query \\ key");
    for (double d : digits) fmt::print(out, " {:>5}", static_cast<int>(d));
    fmt::print(out, "\n");
    for (std::size_t i = 0; i < kLength; ++i) {
        fmt::print(out, "  {:>13}", fmt::format("{} (pos {})", static_cast<int>(digits[i]), i));
        for (std::size_t j = 0; j < kLength; ++j) fmt::print(out, " {:>5.2f}", w[i * kLength + j]);
        fmt::print(out, "\n");
    }
}

}  // namespace

nn::Dataset sort_task(std::size_t n, std::size_t length, std::uint64_t seed) {
    tg::Generator gen(seed);
    std::vector<float> xs, ys;
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<float> seq(length);
        for (float& d : seq) d = static_cast<float>(gen.below(kDigits));
        xs.insert(xs.end(), seq.begin(), seq.end());
        std::sort(seq.begin(), seq.end());
        ys.insert(ys.end(), seq.begin(), seq.end());
    }
    return nn::Dataset(tg::from_vector(xs, {n, length}), tg::from_vector(ys, {n, length}));
}

SortTransformer::SortTransformer(std::size_t d_model, std::size_t heads, std::size_t layers, bool positional) {
    embed = register_module("embed", std::make_shared<nn::Embedding>(kDigits, d_model));
    if (positional) position = register_module("position", std::make_shared<nn::SinusoidalPositionalEncoding>(d_model, 64));
    encoder = register_module("encoder", std::make_shared<nn::TransformerEncoder>(
                                             d_model, heads, layers,
                                             nn::TransformerEncoderLayerOptions{.dim_feedforward = 2 * d_model,
                                                                                .dropout = 0,
                                                                                .batch_first = true}));
    head = register_module("head", std::make_shared<nn::Linear>(d_model, kDigits));
}

tg::Tensor SortTransformer::embedded(const tg::Tensor& x) {
    const tg::Tensor e = (*embed)(x);
    return position ? (*position)(e) : e;
}

tg::Tensor SortTransformer::forward(const tg::Tensor& x) { return (*head)((*encoder)(embedded(x))); }

SortGRU::SortGRU(std::size_t embed_dim, std::size_t hidden, std::size_t len) : length(len) {
    embed = register_module("embed", std::make_shared<nn::Embedding>(kDigits, embed_dim));
    gru = register_module("gru", std::make_shared<nn::GRU>(embed_dim, hidden));
    head = register_module("head", std::make_shared<nn::Linear>(hidden, len * kDigits));
}

tg::Tensor SortGRU::forward(const tg::Tensor& x) {
    const nn::RecurrentOutput out = gru->run((*embed)(x));
    const auto batch = i64(x.size(0));
    return tg::reshape((*head)(tg::reshape(out.h_n, {batch, -1})), {batch, i64(length), i64(kDigits)});
}

Accuracy sort_accuracy(nn::Module& model, const nn::Dataset& data) {
    const tg::Tensor guess = tg::argmax(nn::predict(model, data.x), -1);
    const auto g = guess.to_vector(), y = data.y.to_vector();
    const std::size_t rows = data.size(), len = y.size() / rows;
    std::size_t right = 0, whole = 0;
    for (std::size_t r = 0; r < rows; ++r) {
        std::size_t here = 0;
        for (std::size_t t = 0; t < len; ++t) here += g[r * len + t] == y[r * len + t];
        right += here;
        whole += here == len;
    }
    return {static_cast<double>(right) / static_cast<double>(rows * len),
            static_cast<double>(whole) / static_cast<double>(rows)};
}

Result run(Report& report) {
    std::ostream& out = report.out;
    Result res;
    fmt::print(out, "Tutorial 14: self-attention and the Transformer encoder. Every position looks at every other.\n");

    const nn::Dataset train = sort_task(3000, kLength, 1), test = sort_task(1000, kLength, 2);
    report.section("The task: sort six digits");
    fmt::print(out, "  Input: {} digits 0-9 at random. Output, for each of the {} positions: the digit that\n"
                    "  belongs there once the sequence is sorted. Position 0 must find the smallest digit\n"
                    "  wherever it is, so every answer depends on the whole input.\n"
                    "  {} sequences to train on, {} new ones to test. For example:\n",
               kLength, kLength, train.size(), test.size());
    for (std::size_t i = 0; i < 3; ++i)
        fmt::print(out, "    {}  ->  {}\n", digits_of(tg::slice(train.x, 0, i64(i), i64(i + 1)).to_vector()),
                   digits_of(tg::slice(train.y, 0, i64(i), i64(i + 1)).to_vector()));

    const nn::LossFn loss = sort_loss;
    const nn::FitOptions fit{.epochs = 8, .batch_size = 50, .seed = 4, .clip_grad_norm = 1.0, .verbose = 0};
    const std::size_t d_model = 32, heads = 4, layers = 2;
    tg::manual_seed(3);
    auto model = std::make_shared<SortTransformer>(d_model, heads, layers, true);
    {
        tg::optim::Adam adam(model->parameters(), 0.003);
        nn::fit(*model, loss, adam, train, fit);
    }
    res.transformer = sort_accuracy(*model, test);
    res.transformer_parameters = model->parameter_count();
    tg::manual_seed(3);
    auto no_position = std::make_shared<SortTransformer>(d_model, heads, layers, false);
    {
        tg::optim::Adam adam(no_position->parameters(), 0.003);
        nn::fit(*no_position, loss, adam, train, fit);
    }
    res.no_position = sort_accuracy(*no_position, test);
    tg::manual_seed(3);
    auto gru = std::make_shared<SortGRU>(d_model, 64, kLength);
    {
        tg::optim::Adam adam(gru->parameters(), 0.003);
        nn::fit(*gru, loss, adam, train, fit);
    }
    res.gru = sort_accuracy(*gru, test);
    res.gru_parameters = gru->parameter_count();

    report.section("A Transformer encoder against a GRU");
    fmt::print(out, "  Transformer: Embedding(10, {}) + sinusoidal positions + {} encoder layers ({} heads,\n"
                    "  feed-forward {}) + Linear({}, 10) at each position: {} parameters.\n",
               d_model, layers, heads, 2 * d_model, d_model, res.transformer_parameters);
    fmt::print(out, "  GRU: Embedding(10, {}) + GRU(hidden 64) reading the digits in order + Linear(64, {})\n"
                    "  from its last state: {} parameters.\n",
               d_model, kLength * kDigits, res.gru_parameters);
    fmt::print(out, "  Each trained by Adam (lr 0.003), {} epochs of batches of {}. On the {} test sequences:\n",
               fit.epochs, fit.batch_size, test.size());
    fmt::print(out, "  {:<34}{:>16}{:>18}\n", "", "digits in place", "sequences sorted");
    const auto line = [&](const char* name, const Accuracy& a) {
        fmt::print(out, "  {:<34}{:>15.1f}%{:>17.1f}%\n", name, 100 * a.digits, 100 * a.sequences);
    };
    line("Transformer", res.transformer);
    line("Transformer without positions", res.no_position);
    line("GRU", res.gru);
    fmt::print(out, "  Without positional encoding every position sees the same bag of digits and the\n"
                    "  same query, so all six give one answer: the encoder cannot tell position 0 from 5.\n");

    report.section("What the last layer looks at");
    const tg::Tensor example = tg::slice(test.x, 0, 0, 1);
    const std::vector<double> digits = example.to_vector();
    {
        tg::NoGradGuard no_grad;
        model->eval();
        const auto sorted = tg::argmax((*model)(example), -1).to_vector();
        fmt::print(out, "  Test sequence {} -> the model answers {}\n", digits_of(digits), digits_of(sorted));
        // the last layer's input: the first layer's output
        const tg::Tensor x = model->encoder->layer(0)->forward(model->embedded(example));
        auto& attn = *model->encoder->layer(layers - 1)->self_attn;
        nn::AttentionMasks masks;  // need_weights, averaged over the heads
        fmt::print(out, "  Attention weights of layer {} (mean of the {} heads); each row sums to 1:\n", layers - 1, heads);
        print_weights(out, attn.forward(x, x, x, masks).weights.to_vector(), digits);

        report.section("Masks");
        masks.is_causal = true;
        res.causal_weights = attn.forward(x, x, x, masks).weights.to_vector();
        fmt::print(out, "  is_causal: position i may look at positions 0..i only (a -inf score above the\n"
                        "  diagonal, so a zero weight), as a model that writes text one token at a time must:\n");
        print_weights(out, res.causal_weights, digits);
        masks.is_causal = false;
        masks.key_padding_mask = tg::from_vector(std::vector<float>{0, 0, 0, 0, 1, 1}, {1, kLength});
        res.padding_weights = attn.forward(x, x, x, masks).weights.to_vector();
        fmt::print(out, "  key_padding_mask 0 0 0 0 1 1: the last two positions are padding (a batch of\n"
                        "  shorter sequences filled up to one length); no one attends to them:\n");
        print_weights(out, res.padding_weights, digits);
    }

    report.section("Positional encoding");
    {
        const std::vector<double> pe = model->position->pe.to_vector();
        fmt::print(out, "  pe[pos, 2i] = sin(pos / 10000^(2i/{})), pe[pos, 2i+1] = cos(same angle); the first columns:\n",
                   d_model);
        fmt::print(out, "  {:>4}", "pos");
        for (std::size_t j = 0; j < 6; ++j) fmt::print(out, " {:>7}", fmt::format("{}{}", j % 2 ? "cos" : "sin", j / 2));
        fmt::print(out, "\n");
        for (std::size_t p = 0; p < kLength; ++p) {
            fmt::print(out, "  {:>4}", p);
            for (std::size_t j = 0; j < 6; ++j) fmt::print(out, " {:>7.3f}", pe[p * d_model + j]);
            fmt::print(out, "\n");
        }
    }
    report.files_summary();
    return res;
}

}  // namespace tut::transformer
