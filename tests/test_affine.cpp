// The fused affine op (ops/affine.hpp): values against the separate ops it
// replaces, gradients and second derivatives against central differences in
// double for every epilogue, transpose flag and bias shape, float32 against
// float64, edge shapes, and its errors.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.hpp>

#include "helpers.hpp"

using namespace tg;
using namespace tg::test;

namespace {

const std::vector<Epilogue> all_epilogues{Epilogue::none, Epilogue::relu, Epilogue::tanh, Epilogue::sigmoid};

Tensor activate(Epilogue e, const Tensor& x) {
    switch (e) {
        case Epilogue::relu: return relu(x);
        case Epilogue::tanh: return tanh(x);
        case Epilogue::sigmoid: return sigmoid(x);
        default: return x;
    }
}

/// Largest |a - b| over the elements.
double max_difference(const Tensor& a, const Tensor& b) { return max(abs(sub(a.to(DType::f64), b.to(DType::f64)))).item(); }

}  // namespace

TEST_CASE("affine: one product with a row bias is linear followed by the activation, bit for bit") {
    const Tensor x = randn({7, 5}), w = randn({3, 5}), b = randn({3});
    for (Epilogue e : all_epilogues) {
        INFO(epilogue_name(e));
        const Tensor fused = linear(x, w, b, e);
        const Tensor separate = activate(e, linear(x, w, b));
        CHECK(fused.shape() == Shape{7, 3});
        CHECK(max_difference(fused, separate) == 0.0);
    }
    // leading batch axes as linear's
    const Tensor x3 = randn({2, 4, 5});
    CHECK(max_difference(linear(x3, w, b, Epilogue::relu), relu(linear(x3, w, b))) == 0.0);
    CHECK(linear(x3, w, b, Epilogue::relu).shape() == Shape{2, 4, 3});
}

TEST_CASE("affine: a sum of products with transposes and a column bias") {
    // the recurrent layers' layout: W x^T + U h + b[:, None]
    const Tensor w = rnd({6, 4}), x = rnd({3, 4}, -1, 1, 8), u = rnd({6, 6}, -1, 1, 9), h = rnd({6, 3}, -1, 1, 10);
    const Tensor b = rnd({6, 1}, -1, 1, 11);
    const Tensor fused = affine({{w, x, false, true}, {u, h}}, b, Epilogue::tanh);
    const Tensor separate = tanh(add(add(gemm(w, x, false, true), gemm(u, h, false, false)), b));
    CHECK(fused.shape() == Shape{6, 3});
    CHECK(max_difference(fused, separate) < 1e-15);
}

TEST_CASE("affine: gradients and second derivatives in double, every epilogue, flag and bias shape") {
    struct Case {
        const char* name;
        Shape a, b;
        bool ta, tb;
        Shape bias;  // empty: no bias
    };
    const std::vector<Case> cases{
        {"x w^T + b", {4, 3}, {2, 3}, false, true, {2}},
        {"a^T b + b[:, None]", {3, 4}, {3, 2}, true, false, {4, 1}},
        {"a^T b^T, no bias", {3, 4}, {2, 3}, true, true, {}},
        {"a b + scalar-like bias [1, 1]", {4, 3}, {3, 2}, false, false, {1, 1}},
        {"one row", {1, 3}, {2, 3}, false, true, {2}},
    };
    for (Epilogue e : all_epilogues) {
        for (const Case& c : cases) {
            INFO(epilogue_name(e) << ": " << c.name);
            std::vector<Tensor> inputs{rnd(c.a, -1, 1, 3), rnd(c.b, -1, 1, 4)};
            if (!c.bias.empty()) inputs.push_back(rnd(c.bias, -1, 1, 5));
            // a second product of the same shape, to check the sum: op(a) op(b) + a2 b2
            const Shape out{c.ta ? c.a[1] : c.a[0], c.tb ? c.b[0] : c.b[1]};
            inputs.push_back(rnd({out[0], 2}, -1, 1, 6));
            inputs.push_back(rnd({2, out[1]}, -1, 1, 7));
            const bool has_bias = !c.bias.empty();
            auto f = [&](const std::vector<Tensor>& in) {
                const std::size_t k = has_bias ? 3 : 2;
                return affine({{in[0], in[1], c.ta, c.tb}, {in[k], in[k + 1]}}, has_bias ? in[2] : Tensor(), e);
            };
            check_grad(f, inputs, "affine");
            check_gradgrad(f, inputs, "affine");
            check_f32(std::string("affine ") + epilogue_name(e), f, inputs);
        }
    }
}

TEST_CASE("affine: linear on 1-D, 3-D and 4-D input runs on the data in place, as the 2-D op would, every epilogue") {
    // Note [linear on N-D input]: no reshaping copies; the values must equal the
    // 2-D op on the rows bit for bit, and gradients and second derivatives hold.
    struct Case {
        Shape x;
        bool bias;
    };
    const std::vector<Case> cases{{{3}, true}, {{2, 3, 3}, true}, {{2, 3, 3}, false}, {{2, 1, 2, 3}, true}, {{0, 2, 3}, true}};
    for (Epilogue e : all_epilogues) {
        for (const Case& c : cases) {
            INFO(epilogue_name(e) << ": x " << shape_str(c.x) << (c.bias ? " with bias" : " without bias"));
            std::vector<Tensor> inputs{rnd(c.x, -1, 1, 3), rnd({2, 3}, -1, 1, 4)};
            if (c.bias) inputs.push_back(rnd({2}, -1, 1, 5));
            auto f = [&](const std::vector<Tensor>& in) { return linear(in[0], in[1], c.bias ? in[2] : Tensor(), e); };
            std::size_t rows = 1;
            for (std::size_t k = 0; k + 1 < c.x.size(); ++k) rows *= c.x[k];
            Shape out_shape = c.x;
            out_shape.back() = 2;
            const Tensor by_rows = reshape(linear(reshape(inputs[0], {std::int64_t(rows), 3}), inputs[1],
                                                  c.bias ? inputs[2] : Tensor(), e),
                                           out_shape);
            const Tensor y = f(inputs);
            CHECK(y.shape() == out_shape);
            CHECK(y.to_vector() == by_rows.to_vector());
            if (rows == 0) continue;
            check_grad(f, inputs, "linear");
            check_gradgrad(f, inputs, "linear");
            // and the plain op (no epilogue argument) takes the same path
            if (e == Epilogue::none)
                CHECK(linear(inputs[0], inputs[1], c.bias ? inputs[2] : Tensor()).to_vector() == by_rows.to_vector());
        }
    }
}

TEST_CASE("affine: edge shapes") {
    // k = 0: the product adds nothing, the result is the activated bias
    const Tensor empty_k = affine({{zeros({3, 0}, {DType::f64}), zeros({0, 2}, {DType::f64})}},
                                  from_vector(std::vector<double>{-1, 2}, {2}, f64), Epilogue::relu);
    check_values(empty_k, {3, 2}, {0, 2, 0, 2, 0, 2});
    // and without a bias it is zero, not uninitialised memory
    check_values(affine({{zeros({2, 0}, {DType::f64}), zeros({0, 2}, {DType::f64})}}), {2, 2}, {0, 0, 0, 0});
    // no rows
    CHECK(affine({{zeros({0, 3}), zeros({2, 3}), false, true}}, zeros({2}), Epilogue::tanh).shape() == Shape{0, 2});
    // NaN in, NaN out through every epilogue
    const Tensor nan_x = from_vector(std::vector<float>{std::nanf(""), 1}, {1, 2});
    for (Epilogue e : all_epilogues) {
        INFO(epilogue_name(e));
        CHECK(std::isnan(linear(nan_x, ones({1, 2}), ones({1}), e).item()));
    }
}

TEST_CASE("affine: errors name the op, the shapes and what was expected") {
    const Tensor a = zeros({4, 3}), b = zeros({3, 2});
    CHECK(shape_error_of([&] { affine({{a, zeros({4, 2})}}); }).find("inner dimensions 3 and 4 differ") !=
          std::string::npos);
    CHECK(shape_error_of([&] { affine({{a, b}, {zeros({2, 3}), b}}); }).find("every product must have the same shape") !=
          std::string::npos);
    CHECK(shape_error_of([&] { affine({{a, b}}, zeros({3})); }).find("bias (3) does not broadcast to") !=
          std::string::npos);
    CHECK(shape_error_of([&] { affine({{zeros({4}), b}}); }).find("operands must be 2-D") != std::string::npos);
    CHECK_THROWS_AS(affine({{a, b.to(DType::f64)}}), DTypeError);
    CHECK_THROWS_AS(affine({}), std::invalid_argument);
    // linear with an epilogue reports linear's own errors
    CHECK(shape_error_of([&] { linear(zeros({2, 5}), zeros({3, 4}), {}, Epilogue::relu); }).find("linear") !=
          std::string::npos);
}

TEST_CASE("affine: Sequential fuses Linear and Conv2d with a following activation, values and gradients unchanged") {
    manual_seed(3);
    auto net = std::make_shared<nn::Sequential>(nn::Conv2d(1, 2, 3, 1, 1), nn::ReLU(), nn::Flatten(),
                                                nn::Linear(2 * 4 * 4, 3), nn::Tanh(), nn::Linear(3, 2), nn::Sigmoid());
    const Tensor x = randn({2, 1, 4, 4});
    // the same children called one by one, unfused
    auto unfused = [&](const Tensor& in) {
        Tensor y = in;
        for (std::size_t i = 0; i < net->size(); ++i) y = (*(*net)[i]).forward(y);
        return y;
    };
    const Tensor fused_out = (*net)(x);
    sum(fused_out).backward();
    std::vector<Tensor> fused_grads;
    for (const Tensor& p : net->parameters()) fused_grads.push_back(p.grad().detach());
    for (Tensor p : net->parameters()) p.zero_grad();
    const Tensor plain_out = unfused(x);
    sum(plain_out).backward();
    CHECK(max_difference(fused_out, plain_out) == 0.0);
    const std::vector<Tensor> params = net->parameters();
    for (std::size_t k = 0; k < params.size(); ++k) {
        INFO("parameter " << k);
        CHECK(max_difference(fused_grads[k], params[k].grad()) < 1e-6);
    }
    // a fused pass records fewer nodes: the conv's and linears' activations are part of their ops
    CHECK(std::string(fused_out.op_name()) == "affine");
}

TEST_CASE("affine: conv2d with a fused activation, gradients and second derivatives in double") {
    const Tensor x = rnd({2, 2, 4, 4}, -1, 1, 31), w = rnd({3, 2, 3, 3}, -1, 1, 32), b = rnd({3}, -1, 1, 33);
    for (Epilogue e : {Epilogue::relu, Epilogue::tanh, Epilogue::sigmoid}) {
        INFO(epilogue_name(e));
        auto f = [e](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], in[2], 1, 1, 1, e); };
        CHECK(max_difference(f({x, w, b}), activate(e, conv2d(x, w, b, 1, 1, 1))) == 0.0);
        check_grad(f, {x, w, b}, "conv2d fused");
        check_gradgrad(f, {x, w, b}, "conv2d fused");
    }
}
