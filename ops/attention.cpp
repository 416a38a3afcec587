// Scaled dot-product attention: one node whose backward rule is written in
// tapegrad ops, so that its own gradient (second derivatives) comes from the tape.
#include "attention.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "../graph/grad_mode.hpp"
#include "../graph/node.hpp"
#include "../graph/numel.hpp"
#include "../graph/random.hpp"
#include "activation.hpp"
#include "elementwise.hpp"
#include "linalg.hpp"
#include "reduce.hpp"

namespace tg {

namespace {

constexpr const char* kOp = "scaled_dot_product_attention";

Shape batch_of(const Tensor& t) {
    const Shape s = t.shape();
    return Shape(s.begin(), s.end() - 2);
}

/// The scores' shape [batch..., L, S], after checking the operands.
Shape scores_shape(const Tensor& q, const Tensor& k, const Tensor& v) {
    for (const Tensor* t : {&q, &k, &v}) check_float(kOp, *t);
    check_same_dtype(kOp, q, k);
    check_same_dtype(kOp, q, v);
    const auto shapes = [&] {
        return fmt::format("q {}, k {}, v {}", shape_str(q.shape()), shape_str(k.shape()), shape_str(v.shape()));
    };
    if (q.dim() < 2 || k.dim() < 2 || v.dim() < 2)
        throw ShapeError(fmt::format("{}: {}: each needs at least 2 axes ([..., L, E], [..., S, E], [..., S, Ev])",
                                     kOp, shapes()));
    if (q.size(-1) != k.size(-1))
        throw ShapeError(fmt::format("{}: {}: q and k must share their last axis E ({} and {})", kOp, shapes(),
                                     q.size(-1), k.size(-1)));
    if (k.size(-2) != v.size(-2))
        throw ShapeError(fmt::format("{}: {}: k and v must have as many positions S ({} and {})", kOp, shapes(),
                                     k.size(-2), v.size(-2)));
    Shape batch;
    try {
        batch = broadcast_shapes(broadcast_shapes(batch_of(q), batch_of(k), kOp), batch_of(v), kOp);
    } catch (const ShapeError&) {
        throw ShapeError(fmt::format("{}: {}: the batch axes do not broadcast", kOp, shapes()));
    }
    batch.push_back(q.size(-2));
    batch.push_back(k.size(-2));
    return batch;
}

void check_mask(const char* what, const Tensor& mask, const Tensor& q, const Shape& scores) {
    check_same_dtype(kOp, q, mask);
    bool fits = mask.dim() <= scores.size();
    if (fits) {
        try {
            fits = broadcast_shapes(mask.shape(), scores, kOp) == scores;
        } catch (const ShapeError&) {
            fits = false;
        }
    }
    if (!fits)
        throw ShapeError(fmt::format("{}: {} of shape {} does not broadcast to the scores' shape {} ([..., L, S])",
                                     kOp, what, shape_str(mask.shape()), shape_str(scores)));
}

/// One additive tensor for every mask: attn_mask, -inf where masked_out is 1,
/// -inf above the diagonal when causal. Undefined when there is no mask.
Tensor combined_bias(const AttentionOptions& o, const Tensor& q, const Shape& scores) {
    NoGradGuard no_grad;
    const double inf = std::numeric_limits<double>::infinity();
    Tensor bias;
    if (o.attn_mask.defined()) {
        check_mask("attn_mask", o.attn_mask, q, scores);
        bias = o.attn_mask.detach();
    }
    if (o.masked_out.defined()) {
        check_mask("masked_out", o.masked_out, q, scores);
        for (double m : o.masked_out.to_vector())
            if (m != 0 && m != 1)
                throw std::invalid_argument(fmt::format(
                    "{}: masked_out holds {}: it must be 1 (masked out) or 0 (kept); an additive mask goes in attn_mask",
                    kOp, m));
        const Tensor minus_inf = where(o.masked_out, full({}, -inf, {q.dtype()}), zeros({}, {q.dtype()}));
        bias = bias.defined() ? add(bias, minus_inf) : minus_inf;
    }
    if (o.is_causal) {
        const std::size_t rows = scores[scores.size() - 2], cols = scores.back();
        std::vector<double> tri(rows * cols, 0.0);
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = i + 1; j < cols; ++j) tri[i * cols + j] = -inf;
        const Tensor causal = from_vector(tri, {rows, cols}, {q.dtype()});
        bias = bias.defined() ? add(bias, causal) : causal;
    }
    return bias;
}

/// softmax(scale q k^T + bias) along the last axis, in recorded ops.
Tensor weights_of(const Tensor& q, const Tensor& k, const Tensor& bias, double scale) {
    Tensor s = mul(gemm(q, k, false, true), scale);
    if (bias.defined()) s = add(s, bias);
    return softmax(s, -1);
}

/// Inverted-dropout factors (0 or 1 / (1 - p)) of the given shape.
Tensor dropout_factors(const Shape& shape, double p, DType dtype, Generator* gen) {
    Generator& g = gen ? *gen : global_generator();
    std::vector<double> f(checked_numel(shape, kOp));
    const double keep = 1.0 / (1.0 - p);
    for (double& x : f) x = g.uniform() >= p ? keep : 0.0;
    return from_vector(f, shape, {dtype});
}

}  // namespace

AttentionOutput attention(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& options) {
    const Shape scores = scores_shape(q, k, v);
    if (!(options.dropout_p >= 0 && options.dropout_p < 1))
        throw std::invalid_argument(fmt::format("{}: dropout_p = {} must be in [0, 1)", kOp, options.dropout_p));
    const double scale = options.scale.value_or(1.0 / std::sqrt(static_cast<double>(q.size(-1))));
    const Tensor bias = combined_bias(options, q, scores);
    Tensor weights, dropped, drop, out;
    {
        NoGradGuard no_grad;
        weights = weights_of(q, k, bias, scale);
        if (options.dropout_p > 0) drop = dropout_factors(scores, options.dropout_p, q.dtype(), options.generator);
        dropped = drop.defined() ? mul(weights, drop) : weights;
        out = gemm(dropped, v, false, false);
    }
    // Without create_graph the rule reuses the forward's weights; with it, it
    // computes them again from q and k in recorded ops, so they carry a gradient.
    out = record(kOp, {q, k, v}, out, [bias, scale, drop, saved = weights](BackwardContext& ctx) {
        const Tensor& g = ctx.grad_out();
        const Tensor p = GradMode::enabled() ? weights_of(ctx.input(0), ctx.input(1), bias, scale) : saved;
        if (ctx.needs(2)) ctx.add(2, gemm(drop.defined() ? mul(p, drop) : p, g, true, false));  // P^T g
        if (!ctx.needs(0) && !ctx.needs(1)) return;
        Tensor dp = gemm(g, ctx.input(2), false, true);  // g v^T
        if (drop.defined()) dp = mul(dp, drop);
        // softmax's backward, then the scale of the scores
        const Tensor ds = mul(mul(p, sub(dp, sum(mul(dp, p), {-1}, true))), scale);
        if (ctx.needs(0)) ctx.add(0, gemm(ds, ctx.input(1), false, false));  // dS k
        if (ctx.needs(1)) ctx.add(1, gemm(ds, ctx.input(0), true, false));   // dS^T q
    });
    AttentionOutput result{out, {}};
    if (options.need_weights) result.weights = dropped;
    return result;
}

Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& attn_mask,
                                    bool is_causal, std::optional<double> scale) {
    AttentionOptions o;
    o.attn_mask = attn_mask;
    o.is_causal = is_causal;
    o.scale = scale;
    return attention(q, k, v, o).output;
}

}  // namespace tg
