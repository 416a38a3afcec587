// Scaled dot-product attention (ops/attention): values against the composite
// softmax(q k^T scale + mask) v, gradients and second derivatives in double with
// each kind of mask, broadcast batch axes and L != S, the fully masked row, errors.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "helpers.hpp"

using namespace tg;
using namespace tg::test;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// The same attention from separate recorded ops: the reference.
Tensor composite(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& bias, double scale) {
    Tensor s = matmul(q, transpose(k)) * scale;
    if (bias.defined()) s = s + bias;
    return matmul(softmax(s, -1), v);
}

/// 0/1 mask of the given shape: 1 where (i * 7 + 3) % 5 == 0, never a whole row of the last axis.
Tensor some_masked(const Shape& shape) {
    std::size_t n = 1;
    for (std::size_t d : shape) n *= d;
    std::vector<double> m(n);
    for (std::size_t i = 0; i < m.size(); ++i) m[i] = (i * 7 + 3) % 5 == 0 && i % shape.back() != 0 ? 1 : 0;
    return from_vector(m, shape, f64);
}

void check_close(const Tensor& a, const Tensor& b, double tol) {
    REQUIRE(a.shape() == b.shape());
    const auto x = a.to_vector(), y = b.to_vector();
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(x[i] - y[i]));
    INFO("max abs difference " << worst);
    CHECK(worst <= tol);
}

}  // namespace

TEST_CASE("attention: values against matmul + softmax, every kind of mask") {
    const Tensor q = rnd({2, 3, 4}, -1, 1, 1), k = rnd({2, 5, 4}, -1, 1, 2), v = rnd({2, 5, 3}, -1, 1, 3);
    const double scale = 0.5;  // 1 / sqrt(4)
    check_close(scaled_dot_product_attention(q, k, v), composite(q, k, v, {}, scale), 1e-14);
    const Tensor additive = rnd({3, 5}, -2, 2, 4);
    check_close(scaled_dot_product_attention(q, k, v, additive), composite(q, k, v, additive, scale), 1e-14);
    // masked_out: -inf at the masked places
    const Tensor masked = some_masked({2, 3, 5});
    AttentionOptions o;
    o.masked_out = masked;
    o.need_weights = true;
    const AttentionOutput r = attention(q, k, v, o);
    check_close(r.output, composite(q, k, v, masked * -1e300, scale), 1e-14);
    // the weights: zero where masked, rows summing to 1
    const auto w = r.weights.to_vector(), m = masked.to_vector();
    for (std::size_t i = 0; i < w.size(); ++i)
        if (m[i] == 1) CHECK(w[i] == 0);
    check_close(sum(r.weights, {-1}), ones({2, 3}, f64), 1e-14);
    // causal (top-left aligned, L != S): query i sees keys 0..i
    std::vector<double> tri(15, 0.0);
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = i + 1; j < 5; ++j) tri[i * 5 + j] = -kInf;
    check_close(scaled_dot_product_attention(q, k, v, {}, true), composite(q, k, v, from_vector(tri, {3, 5}, f64), scale),
                1e-14);
    // all together, with an explicit scale
    o.attn_mask = additive;
    o.is_causal = true;
    o.scale = 0.3;
    check_close(attention(q, k, v, o).output,
                composite(q, k, v, additive + masked * -1e300 + from_vector(tri, {3, 5}, f64), 0.3), 1e-14);
}

TEST_CASE("attention: gradients and second derivatives in double") {
    const auto plain = [](const std::vector<Tensor>& in) { return scaled_dot_product_attention(in[0], in[1], in[2]); };
    const std::vector<Tensor> qkv{rnd({2, 3, 4}, -1, 1, 11), rnd({2, 5, 4}, -1, 1, 12), rnd({2, 5, 2}, -1, 1, 13)};
    check_grad(plain, qkv, "sdpa");
    check_gradgrad(plain, qkv, "sdpa");
    check_backward_shapes(plain, qkv, {2, 3, 2});

    const Tensor additive = rnd({3, 5}, -2, 2, 14);
    const auto with_additive = [&](const std::vector<Tensor>& in) {
        return scaled_dot_product_attention(in[0], in[1], in[2], additive);
    };
    check_grad(with_additive, qkv, "sdpa additive mask");
    check_gradgrad(with_additive, qkv, "sdpa additive mask");

    const Tensor masked = some_masked({2, 1, 5});  // broadcast over the queries
    const auto with_masked = [&](const std::vector<Tensor>& in) {
        AttentionOptions o;
        o.masked_out = masked;
        return attention(in[0], in[1], in[2], o).output;
    };
    check_grad(with_masked, qkv, "sdpa masked_out");
    check_gradgrad(with_masked, qkv, "sdpa masked_out");

    const auto causal = [](const std::vector<Tensor>& in) {
        return scaled_dot_product_attention(in[0], in[1], in[2], {}, true);
    };
    check_grad(causal, qkv, "sdpa causal");
    check_gradgrad(causal, qkv, "sdpa causal");

    // batch axes that broadcast: q [2, 1, 3, 4] with k [3, 5, 4] and v [5, 2] -> [2, 3, 3, 2]
    const std::vector<Tensor> broadcast{rnd({2, 1, 3, 4}, -1, 1, 15), rnd({3, 5, 4}, -1, 1, 16),
                                        rnd({5, 2}, -1, 1, 17)};
    check_grad(plain, broadcast, "sdpa broadcast batch");
    check_gradgrad(plain, broadcast, "sdpa broadcast batch");
    check_backward_shapes(plain, broadcast, {2, 3, 3, 2});
    check_close(plain(broadcast), composite(broadcast[0], broadcast[1], broadcast[2], {}, 0.5), 1e-14);

    // dropout: the same factors on every call from a freshly seeded generator
    const auto dropped = [](const std::vector<Tensor>& in) {
        Generator gen(99);
        AttentionOptions o;
        o.dropout_p = 0.3;
        o.generator = &gen;
        return attention(in[0], in[1], in[2], o).output;
    };
    check_grad(dropped, qkv, "sdpa dropout");
    check_gradgrad(dropped, qkv, "sdpa dropout");

    check_f32("sdpa", causal, qkv);
}

TEST_CASE("attention: dropout zeroes weights and scales the rest by 1 / (1 - p)") {
    const Tensor q = rnd({4, 6, 3}, -1, 1, 21), k = rnd({4, 6, 3}, -1, 1, 22), v = rnd({4, 6, 3}, -1, 1, 23);
    AttentionOptions o;
    o.need_weights = true;
    const Tensor full_w = attention(q, k, v, o).weights;
    Generator gen(5);
    o.dropout_p = 0.5;
    o.generator = &gen;
    const AttentionOutput r = attention(q, k, v, o);
    const auto w = r.weights.to_vector(), f = full_w.to_vector();
    std::size_t zeros_seen = 0;
    for (std::size_t i = 0; i < w.size(); ++i) {
        if (w[i] == 0) ++zeros_seen;
        else CHECK(w[i] == doctest::Approx(2 * f[i]).epsilon(1e-14));
    }
    CHECK(zeros_seen > 20);
    CHECK(zeros_seen < 124);
    check_close(r.output, matmul(r.weights, v), 1e-14);
}

TEST_CASE("attention: a fully masked row gives NaN, and only that row") {
    const Tensor q = rnd({3, 4}, -1, 1, 31), k = rnd({5, 4}, -1, 1, 32), v = rnd({5, 2}, -1, 1, 33);
    std::vector<double> m(15, 0.0);
    for (std::size_t j = 0; j < 5; ++j) m[5 + j] = 1;  // query 1 may look nowhere
    AttentionOptions o;
    o.masked_out = from_vector(m, {3, 5}, f64);
    const Tensor ql = q.detach().requires_grad_(), kl = k.detach().requires_grad_();
    const Tensor out = attention(ql, kl, v, o).output;
    const auto y = out.to_vector();
    for (std::size_t i = 0; i < 6; ++i) {
        INFO("element " << i);
        CHECK(std::isnan(y[i]) == (i / 2 == 1));
    }
    sum(out).backward();
    const auto gq = ql.grad().to_vector();
    for (std::size_t i = 0; i < 12; ++i) CHECK(std::isnan(gq[i]) == (i / 4 == 1));
    // the same with an additive mask of -inf
    o.masked_out = Tensor();
    o.attn_mask = from_vector(m, {3, 5}, f64) * -kInf;
    CHECK(std::isnan(attention(q, k, v, o).output.to_vector()[2]));
}

TEST_CASE("attention: errors name the op and the shapes") {
    const Tensor q = rnd({2, 3, 4}), k = rnd({2, 5, 4}), v = rnd({2, 5, 3});
    CHECK_THROWS_WITH_AS(scaled_dot_product_attention(q, rnd({2, 5, 3}), v),
                         doctest::Contains("scaled_dot_product_attention: q (2, 3, 4), k (2, 5, 3), v (2, 5, 3): q and k "
                                           "must share their last axis E (4 and 3)"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(scaled_dot_product_attention(q, k, rnd({2, 4, 3})), doctest::Contains("as many positions S"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(scaled_dot_product_attention(q, rnd({3, 5, 4}), v), doctest::Contains("batch axes do not broadcast"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(scaled_dot_product_attention(rnd({4}), k, v), doctest::Contains("at least 2 axes"), ShapeError);
    CHECK_THROWS_WITH_AS(scaled_dot_product_attention(q, k, v, rnd({3, 4})),
                         doctest::Contains("attn_mask of shape (3, 4) does not broadcast to the scores' shape (2, 3, 5)"),
                         ShapeError);
    CHECK_THROWS_AS(scaled_dot_product_attention(q, k, v, rnd({2, 2, 3, 5})), ShapeError);
    CHECK_THROWS_AS(scaled_dot_product_attention(q.to(DType::f32), k, v), DTypeError);
    AttentionOptions o;
    o.masked_out = full({3, 5}, 0.5, f64);
    CHECK_THROWS_WITH_AS(attention(q, k, v, o), doctest::Contains("masked_out holds 0.5"), std::invalid_argument);
    o.masked_out = Tensor();
    o.dropout_p = 1;
    CHECK_THROWS_WITH_AS(attention(q, k, v, o), doctest::Contains("dropout_p = 1 must be in [0, 1)"),
                         std::invalid_argument);
}
