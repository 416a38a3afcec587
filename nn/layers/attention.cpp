#include "attention.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "../../ops/ops.hpp"
#include "../init.hpp"

namespace tg::nn {

MultiheadAttention::MultiheadAttention(std::size_t embed_dim, std::size_t num_heads, MultiheadAttentionOptions options)
    : embed_(embed_dim), heads_(num_heads), options_(options), gen_(global_generator().next_u64()) {
    if (num_heads == 0 || embed_dim == 0 || embed_dim % num_heads != 0)
        throw std::invalid_argument(fmt::format(
            "MultiheadAttention: embed_dim {} must be a positive multiple of num_heads {}", embed_dim, num_heads));
    if (!(options.dropout >= 0 && options.dropout < 1))
        throw std::invalid_argument(fmt::format("MultiheadAttention: dropout = {} must be in [0, 1)", options.dropout));
    // PyTorch's _reset_parameters: xavier-uniform packed projection, zero biases,
    // out_proj's weight as a Linear's.
    in_proj_weight = zeros({3 * embed_dim, embed_dim});
    init::xavier_uniform_(in_proj_weight);
    in_proj_weight = register_parameter("in_proj_weight", in_proj_weight);
    if (options.bias) in_proj_bias = register_parameter("in_proj_bias", zeros({3 * embed_dim}));
    out_proj = register_module("out_proj", std::make_shared<Linear>(embed_dim, embed_dim, options.bias));
    if (options.bias) init::zeros_(out_proj->bias);
}

std::string MultiheadAttention::extra_repr() const {
    return fmt::format("embed_dim={}, num_heads={}, dropout={}, bias={}, batch_first={}", embed_, heads_,
                       options_.dropout, options_.bias, options_.batch_first);
}

Tensor MultiheadAttention::forward(const Tensor& x) {
    AttentionMasks masks;
    masks.need_weights = false;
    return forward(x, x, x, masks).output;
}

namespace {

/// [batch, len, E] -> [batch, heads, len, E / heads]
Tensor split_heads(const Tensor& x, std::size_t heads) {
    const auto n = static_cast<std::int64_t>(x.size(0)), len = static_cast<std::int64_t>(x.size(1));
    const auto h = static_cast<std::int64_t>(heads);
    return permute(reshape(x, {n, len, h, static_cast<std::int64_t>(x.size(2)) / h}), {0, 2, 1, 3});
}

}  // namespace

MultiheadAttentionOutput MultiheadAttention::forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                                     const AttentionMasks& masks) {
    const std::string layer = fmt::format("MultiheadAttention({})", extra_repr());
    const char* layout = options_.batch_first ? "[batch, seq, embed]" : "[seq, batch, embed]";
    for (const Tensor* t : {&query, &key, &value}) {
        check_defined("MultiheadAttention", *t);
        if (t->dim() != 3 || t->size(2) != embed_)
            throw ShapeError(fmt::format("{}: {} has shape {}, expected 3-D {} with embed {}", layer,
                                         t == &query ? "query" : t == &key ? "key" : "value", shape_str(t->shape()),
                                         layout, embed_) + where({}));
    }
    const int batch_axis = options_.batch_first ? 0 : 1;
    if (key.shape() != value.shape() || key.size(batch_axis) != query.size(batch_axis))
        throw ShapeError(fmt::format("{}: query {}, key {} and value {} must share the batch, and key and value "
                                     "their shape ({})",
                                     layer, shape_str(query.shape()), shape_str(key.shape()), shape_str(value.shape()),
                                     layout) + where({}));
    const bool self = query.impl() == key.impl() && key.impl() == value.impl();
    const auto batch_major = [&](const Tensor& t) { return options_.batch_first ? t : transpose(t, 0, 1); };
    const Tensor qb = batch_major(query);
    const std::size_t n = qb.size(0), len = qb.size(1), src = key.size(options_.batch_first ? 1 : 0);
    const auto e = static_cast<std::int64_t>(embed_);
    Tensor q, k, v;
    if (self) {
        // one product with the packed weight, then the three column blocks
        const auto qkv = chunk(linear(qb, in_proj_weight, in_proj_bias), 3, -1);
        q = qkv[0], k = qkv[1], v = qkv[2];
    } else {
        const auto w = chunk(in_proj_weight, 3, 0);
        std::vector<Tensor> b(3);
        if (in_proj_bias.defined()) b = chunk(in_proj_bias, 3, 0);
        q = linear(qb, w[0], b[0]);
        k = linear(batch_major(key), w[1], b[1]);
        v = linear(batch_major(value), w[2], b[2]);
    }
    AttentionOptions o;
    if (masks.key_padding_mask.defined()) {
        if (masks.key_padding_mask.shape() != Shape{n, src})
            throw ShapeError(fmt::format("{}: key_padding_mask has shape {}, expected [batch, S] = ({}, {})", layer,
                                         shape_str(masks.key_padding_mask.shape()), n, src) + where({}));
        o.masked_out = reshape(masks.key_padding_mask, {static_cast<std::int64_t>(n), 1, 1, static_cast<std::int64_t>(src)});
    }
    if (masks.attn_mask.defined()) {
        const Shape ms = masks.attn_mask.shape();
        if (ms == Shape{len, src}) o.attn_mask = masks.attn_mask;
        else if (ms == Shape{n * heads_, len, src})
            o.attn_mask = reshape(masks.attn_mask, {static_cast<std::int64_t>(n), static_cast<std::int64_t>(heads_),
                                                    static_cast<std::int64_t>(len), static_cast<std::int64_t>(src)});
        else
            throw ShapeError(fmt::format("{}: attn_mask has shape {}, expected [L, S] = ({}, {}) or "
                                         "[batch * num_heads, L, S] = ({}, {}, {})",
                                         layer, shape_str(ms), len, src, n * heads_, len, src) + where({}));
    }
    o.is_causal = masks.is_causal;
    o.need_weights = masks.need_weights;
    if (is_training() && options_.dropout > 0) {
        o.dropout_p = options_.dropout;
        o.generator = &gen_;
    }
    const AttentionOutput a = attention(split_heads(q, heads_), split_heads(k, heads_), split_heads(v, heads_), o);
    // [batch, heads, L, D] -> [batch, L, E]
    const Tensor merged = reshape(permute(a.output, {0, 2, 1, 3}), {static_cast<std::int64_t>(n),
                                                                     static_cast<std::int64_t>(len), e});
    MultiheadAttentionOutput out;
    out.output = (*out_proj)(merged);
    if (!options_.batch_first) out.output = transpose(out.output, 0, 1);
    if (masks.need_weights) out.weights = masks.average_attn_weights ? mean(a.weights, {1}) : a.weights;
    return out;
}

}  // namespace tg::nn
