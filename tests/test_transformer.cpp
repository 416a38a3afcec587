// MultiheadAttention, TransformerEncoderLayer and TransformerEncoder against PyTorch
// 1.13 (tests/fixtures/attention.safetensors, made by make_attention_fixtures.py):
// state dicts loaded strictly, outputs, attention weights and gradients compared;
// PyTorch's parameter names; gradients in double; errors. Positional encodings
// against their formula.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <map>

#include <tapegrad/nn/nn.hpp>

#include "helpers.hpp"

using namespace tg;
using namespace tg::nn;
using namespace tg::test;

namespace {

/// The fixture's entries in file order (PyTorch's state-dict order within each case).
const NamedTensors& fixture_entries() {
    static const NamedTensors entries = load_safetensors("tests/fixtures/attention.safetensors").tensors;
    return entries;
}

/// The fixture's entries by name.
const std::map<std::string, Tensor>& fixture() {
    static const std::map<std::string, Tensor> entries = [] {
        std::map<std::string, Tensor> m;
        for (const auto& [name, t] : fixture_entries()) m[name] = t;
        return m;
    }();
    return entries;
}

Tensor entry(const std::string& name) {
    const auto it = fixture().find(name);
    REQUIRE_MESSAGE(it != fixture().end(), "no fixture entry " << name);
    return it->second;
}

/// The entries "<case>.state.*" with the prefix removed: the PyTorch module's state dict.
NamedTensors state_of(const std::string& which) {
    NamedTensors state;
    const std::string prefix = which + ".state.";
    for (const auto& [name, t] : fixture_entries())
        if (name.rfind(prefix, 0) == 0) state.emplace_back(name.substr(prefix.size()), t);
    return state;
}

std::vector<std::string> names_of(const NamedTensors& tensors) {
    std::vector<std::string> out;
    for (const auto& [name, t] : tensors) out.push_back(name);
    return out;
}

/// Largest |a - b| (shapes must agree); reported, and checked against tol.
double check_near(const std::string& what, const Tensor& a, const Tensor& b, double tol = 1e-5) {
    REQUIRE(a.shape() == b.shape());
    const auto x = a.to_vector(), y = b.to_vector();
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(x[i] - y[i]));
    MESSAGE(what << ": max abs difference " << worst);
    CHECK(worst <= tol);
    return worst;
}

Tensor leaf(const Tensor& t) { return t.detach().requires_grad_(); }

/// The additive causal mask: -inf above the diagonal.
Tensor causal_mask(std::size_t n, DType dtype = DType::f32) {
    std::vector<double> m(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) m[i * n + j] = -std::numeric_limits<double>::infinity();
    return from_vector(m, {n, n}, {dtype});
}

}  // namespace

TEST_CASE("MultiheadAttention: PyTorch's parameter names and shapes, initial values") {
    MultiheadAttention mha(8, 2);
    CHECK(names_of(mha.state_dict()) ==
          std::vector<std::string>{"in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"});
    CHECK(mha.in_proj_weight.shape() == Shape{24, 8});
    CHECK(mha.in_proj_bias.shape() == Shape{24});
    CHECK(mha.out_proj->weight.shape() == Shape{8, 8});
    // xavier-uniform bound sqrt(6 / (8 + 24)); zero biases
    const double bound = std::sqrt(6.0 / 32.0);
    for (double w : mha.in_proj_weight.to_vector()) CHECK(std::abs(w) <= bound);
    for (double b : mha.in_proj_bias.to_vector()) CHECK(b == 0);
    for (double b : mha.out_proj->bias.to_vector()) CHECK(b == 0);
    MultiheadAttention no_bias(8, 2, {.bias = false});
    CHECK(names_of(no_bias.state_dict()) == std::vector<std::string>{"in_proj_weight", "out_proj.weight"});
    // without biases: the same as the biased layer with its biases at zero (both the packed and the separate projections)
    {
        NoGradGuard no_grad;
        mha.in_proj_weight.copy_(no_bias.in_proj_weight);
        mha.out_proj->weight.copy_(no_bias.out_proj->weight);
    }
    const Tensor x = normal({5, 2, 8}), y = normal({3, 2, 8});
    check_near("bias = false, self-attention", no_bias(x), mha(x), 1e-6);
    check_near("bias = false, cross-attention", no_bias.forward(x, y, y).output, mha.forward(x, y, y).output, 1e-6);
    CHECK_THROWS_WITH_AS(MultiheadAttention(8, 3), doctest::Contains("embed_dim 8 must be a positive multiple of num_heads 3"),
                         std::invalid_argument);
}

TEST_CASE("MultiheadAttention: cross-attention with padding and an additive mask, as PyTorch") {
    MultiheadAttention mha(8, 2);
    mha.load_state_dict(state_of("mha"));  // strict
    mha.eval();
    const Tensor query = leaf(entry("mha.in.query")), key = leaf(entry("mha.in.key")), value = leaf(entry("mha.in.value"));
    AttentionMasks masks;
    masks.key_padding_mask = entry("mha.in.key_padding_mask");
    masks.attn_mask = entry("mha.in.attn_mask");
    const MultiheadAttentionOutput r = mha.forward(query, key, value, masks);
    check_near("PyTorch vs mha output", r.output, entry("mha.out.output"));
    check_near("PyTorch vs mha weights (mean of the heads)", r.weights, entry("mha.out.weights"));
    masks.average_attn_weights = false;
    check_near("PyTorch vs mha weights per head", mha.forward(query, key, value, masks).weights, entry("mha.out.weights_per_head"));
    sum(r.output * entry("mha.in.r")).backward();
    check_near("PyTorch vs mha d query", query.grad(), entry("mha.out.grad_query"));
    check_near("PyTorch vs mha d key", key.grad(), entry("mha.out.grad_key"));
    check_near("PyTorch vs mha d value", value.grad(), entry("mha.out.grad_value"));
    check_near("PyTorch vs mha d in_proj_weight", mha.in_proj_weight.grad(), entry("mha.out.grad_in_proj_weight"));
}

TEST_CASE("MultiheadAttention: causal self-attention, batch first, as PyTorch") {
    MultiheadAttention mha(8, 2, {.batch_first = true});
    mha.load_state_dict(state_of("mha_causal"));
    mha.eval();
    const Tensor x = leaf(entry("mha_causal.in.x"));
    AttentionMasks causal;
    causal.is_causal = true;
    const MultiheadAttentionOutput r = mha.forward(x, x, x, causal);
    check_near("PyTorch vs causal mha output", r.output, entry("mha_causal.out.output"));
    check_near("PyTorch vs causal mha weights", r.weights, entry("mha_causal.out.weights"));
    sum(r.output * entry("mha_causal.in.r")).backward();
    check_near("PyTorch vs causal mha d x", x.grad(), entry("mha_causal.out.grad_x"));
    // the same with PyTorch's way of saying it: an additive -inf mask
    AttentionMasks additive;
    additive.attn_mask = causal_mask(5);
    check_near("PyTorch vs causal mha output (additive mask)", mha.forward(x, x, x, additive).output, entry("mha_causal.out.output"));
    // the one-tensor forward is self-attention without a mask
    AttentionMasks none;
    check_near("self-attention forward(x)", mha(x), mha.forward(x, x, x, none).output, 0);
}

TEST_CASE("TransformerEncoderLayer: post-norm relu and pre-norm gelu with padding and causal masks, as PyTorch") {
    struct Case {
        const char* name;
        TransformerEncoderLayerOptions options;
        bool causal;
    };
    const Case cases[] = {
        {"enc_post_relu", {.dim_feedforward = 16, .activation = "relu", .batch_first = true, .norm_first = false}, false},
        {"enc_pre_gelu", {.dim_feedforward = 16, .activation = "gelu", .batch_first = false, .norm_first = true}, true},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        TransformerEncoderLayer layer(8, 2, c.options);
        CHECK(names_of(layer.state_dict()) == names_of(state_of(c.name)));
        layer.load_state_dict(state_of(c.name));
        layer.eval();
        const std::string p = c.name;
        const Tensor src = leaf(entry(p + ".in.src"));
        const Tensor padding = entry(p + ".in.src_key_padding_mask");
        const Tensor out = layer.forward(src, Tensor(), padding, c.causal);
        check_near("PyTorch vs " + p + " output", out, entry(p + ".out.output"));
        sum(out * entry(p + ".in.r")).backward();
        check_near("PyTorch vs " + p + " d src", src.grad(), entry(p + ".out.grad_src"));
        check_near("PyTorch vs " + p + " d linear1.weight", layer.linear1->weight.grad(), entry(p + ".out.grad_linear1_weight"));
        if (c.causal) {
            NoGradGuard no_grad;
            check_near("PyTorch vs " + p + " output (src_mask)", layer.forward(src, causal_mask(5), padding),
                       entry(p + ".out.output"));
        }
    }
}

TEST_CASE("TransformerEncoderLayer and MultiheadAttention: gradients in double, dropout only in training") {
    TransformerEncoderLayer layer(4, 2, {.dim_feedforward = 6, .dropout = 0.5, .activation = "gelu"});
    layer.to(DType::f64);
    layer.eval();
    const Tensor padding = from_vector(std::vector<double>{0, 0, 1, 0, 0, 0}, {2, 3}, f64);
    const auto f = [&](const std::vector<Tensor>& in) { return layer.forward(in[0], Tensor(), padding, true); };
    check_grad(f, {rnd({3, 2, 4}, -1, 1, 51)}, "TransformerEncoderLayer");
    MultiheadAttention mha(4, 2);
    mha.to(DType::f64);
    const auto g = [&](const std::vector<Tensor>& in) {
        AttentionMasks masks;
        masks.key_padding_mask = padding;
        return mha.forward(in[0], in[1], in[2], masks).output;
    };
    check_grad(g, {rnd({2, 2, 4}, -1, 1, 52), rnd({3, 2, 4}, -1, 1, 53), rnd({3, 2, 4}, -1, 1, 54)},
               "MultiheadAttention");
    // eval is deterministic; training draws dropout masks
    const Tensor x = rnd({3, 2, 4}, -1, 1, 55);
    check_near("eval twice", layer(x), layer(x), 0);
    layer.train();
    const auto a = layer(x).to_vector(), b = layer(x).to_vector();
    CHECK(a != b);
}

TEST_CASE("TransformerEncoder: layers.N names, copies of one layer, the layers applied in turn") {
    TransformerEncoder enc(8, 2, 2, {.dim_feedforward = 16, .batch_first = true}, true);
    const auto names = names_of(enc.state_dict());
    CHECK(names.front() == "layers.0.self_attn.in_proj_weight");
    CHECK(std::find(names.begin(), names.end(), "layers.1.norm2.bias") != names.end());
    CHECK(names.back() == "norm.bias");
    CHECK(enc.layer(0)->linear1->weight.to_vector() == enc.layer(1)->linear1->weight.to_vector());
    enc.eval();
    const Tensor x = normal({2, 5, 8});
    const Tensor padding = from_vector(std::vector<double>{0, 0, 0, 1, 1, 0, 0, 0, 0, 0}, {2, 5}, {DType::f32});
    const Tensor expected =
        (*enc.norm)(enc.layer(1)->forward(enc.layer(0)->forward(x, Tensor(), padding), Tensor(), padding));
    check_near("encoder", enc.forward(x, Tensor(), padding), expected, 0);
}

TEST_CASE("TransformerEncoder: PyTorch's two-layer stack with a final norm, loaded strictly") {
    TransformerEncoder enc(8, 2, 2, {.dim_feedforward = 16, .batch_first = true}, true);
    CHECK(names_of(enc.state_dict()) == names_of(state_of("encoder")));
    enc.load_state_dict(state_of("encoder"));
    enc.eval();
    const Tensor src = leaf(entry("encoder.in.src"));
    const Tensor out = enc.forward(src, Tensor(), entry("encoder.in.src_key_padding_mask"));
    check_near("PyTorch vs encoder output", out, entry("encoder.out.output"));
    sum(out * entry("encoder.in.r")).backward();
    check_near("PyTorch vs encoder d src", src.grad(), entry("encoder.out.grad_src"));
}

TEST_CASE("Transformer layers: errors name the layer and the shapes") {
    MultiheadAttention mha(8, 2);
    const Tensor x = normal({5, 2, 8});
    CHECK_THROWS_WITH_AS(mha.forward(normal({5, 2, 6}), x, x),
                         doctest::Contains("MultiheadAttention(embed_dim=8, num_heads=2, dropout=0, bias=true, "
                                           "batch_first=false): query has shape (5, 2, 6), expected 3-D [seq, batch, "
                                           "embed] with embed 8"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(mha.forward(x, normal({4, 3, 8}), normal({4, 3, 8})), doctest::Contains("must share the batch"),
                         ShapeError);
    AttentionMasks masks;
    masks.key_padding_mask = zeros({2, 4});
    CHECK_THROWS_WITH_AS(mha.forward(x, x, x, masks),
                         doctest::Contains("key_padding_mask has shape (2, 4), expected [batch, S] = (2, 5)"), ShapeError);
    masks = {};
    masks.attn_mask = zeros({5, 4});
    CHECK_THROWS_WITH_AS(mha.forward(x, x, x, masks), doctest::Contains("attn_mask has shape (5, 4)"), ShapeError);
    CHECK_THROWS_WITH_AS(TransformerEncoderLayer(8, 2, {.activation = "tanh"}), doctest::Contains("\"tanh\""),
                         std::invalid_argument);
}

TEST_CASE("SinusoidalPositionalEncoding: the formula of Attention Is All You Need, added to the input") {
    SinusoidalPositionalEncoding pos(6, 50);
    CHECK(pos.parameters().empty());
    CHECK(names_of(pos.state_dict()) == std::vector<std::string>{"pe"});
    pos.to(DType::f64);
    const auto pe = pos.pe.to_vector();
    for (std::size_t p : {0, 1, 7, 49})
        for (std::size_t i = 0; i < 3; ++i) {
            const double angle = double(p) / std::pow(10000.0, 2.0 * double(i) / 6.0);
            CHECK(pe[p * 6 + 2 * i] == doctest::Approx(std::sin(angle)).epsilon(1e-6));
            CHECK(pe[p * 6 + 2 * i + 1] == doctest::Approx(std::cos(angle)).epsilon(1e-6));
        }
    const Tensor x = rnd({2, 4, 6});
    const auto y = pos(x).to_vector(), xv = x.to_vector();
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t t = 0; t < 4; ++t)
            for (std::size_t j = 0; j < 6; ++j) {
                const std::size_t i = (b * 4 + t) * 6 + j;
                CHECK(y[i] == doctest::Approx(xv[i] + pe[t * 6 + j]).epsilon(1e-12));
            }
    SinusoidalPositionalEncoding seq_first(6, 50, false);
    seq_first.to(DType::f64);
    const Tensor xs = rnd({4, 2, 6});
    check_near("sequence first", seq_first(xs), transpose(pos(transpose(xs, 0, 1)), 0, 1), 0);
    CHECK_THROWS_WITH_AS(pos(rnd({1, 51, 6})), doctest::Contains("51 positions, more than max_len 50"), ShapeError);
    CHECK_THROWS_WITH_AS(pos(rnd({1, 5, 4})), doctest::Contains("with 6 features"), ShapeError);
    SinusoidalPositionalEncoding odd(5, 3);  // an odd width: the last column is a sine
    CHECK(odd.pe.to_vector()[5 + 4] == doctest::Approx(std::sin(1 / std::pow(10000.0, 4.0 / 5))).epsilon(1e-6));
}

TEST_CASE("LearnedPositionalEmbedding: a trained vector per position") {
    LearnedPositionalEmbedding pos(10, 4);
    CHECK(names_of(pos.state_dict()) == std::vector<std::string>{"weight"});
    CHECK(pos.weight.shape() == Shape{10, 4});
    const Tensor x = normal({2, 3, 4});
    const Tensor y = pos(x);
    const auto w = pos.weight.to_vector(), xv = x.to_vector(), yv = y.to_vector();
    for (std::size_t i = 0; i < yv.size(); ++i) CHECK(yv[i] == doctest::Approx(xv[i] + w[i % 12]).epsilon(1e-6));
    sum(y).backward();
    const auto g = pos.weight.grad().to_vector();
    for (std::size_t i = 0; i < g.size(); ++i) CHECK(g[i] == (i < 12 ? 2.0 : 0.0));  // two samples, three positions
}
