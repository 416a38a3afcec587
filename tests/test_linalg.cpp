// Matrix products: matmul (2-D, 1-D, batched, broadcast batch), gemm with every
// transpose flag combination, and linear; forward values, gradchecks and
// second derivatives.
#include <string>

#include "helpers.hpp"

using namespace tg;
using namespace tg::test;

namespace {

struct ProductCase {
    Shape a, b, out;
};

const std::vector<ProductCase> matmul_cases = {
    {{3, 4}, {4, 2}, {3, 2}},             // 2-D
    {{4}, {4, 2}, {2}},                   // vector @ matrix
    {{3, 4}, {4}, {3}},                   // matrix @ vector
    {{4}, {4}, {}},                       // dot product
    {{1, 4}, {4, 1}, {1, 1}},             // size-1 axes
    {{2, 3, 4}, {2, 4, 5}, {2, 3, 5}},    // batched
    {{2, 3, 4}, {4, 5}, {2, 3, 5}},       // broadcast batch (B,M,K) @ (K,N)
    {{3, 4}, {2, 4, 5}, {2, 3, 5}},       // broadcast batch (M,K) @ (B,K,N)
    {{2, 1, 3, 4}, {3, 4, 2}, {2, 3, 3, 2}},  // batch axes broadcast against each other
    {{1, 3, 4}, {2, 4, 5}, {2, 3, 5}},    // size-1 batch
    {{4}, {2, 4, 5}, {2, 5}},             // vector @ batch
    {{2, 3, 4}, {4}, {2, 3}},             // batch @ vector
    {{0, 4}, {4, 2}, {0, 2}},             // empty rows
    {{3, 0}, {0, 2}, {3, 2}},             // empty inner dimension: zeros
    {{3, 4}, {4, 0}, {3, 0}},             // empty columns
    {{0, 3, 4}, {4, 2}, {0, 3, 2}},       // empty batch
    {{1, 3, 4}, {0, 4, 5}, {0, 3, 5}},    // empty batch broadcast against a size-1 batch
};

}  // namespace

// ---- forward values ------------------------------------------------------------

TEST_CASE("linalg: matmul values for 2-D, 1-D and batched operands") {
    const Tensor a = tensor({{1, 2}, {3, 4}}, f64);
    const Tensor b = tensor({{5, 6}, {7, 8}}, f64);
    check_values(matmul(a, b), {2, 2}, {19, 22, 43, 50});
    check_values(matmul(tensor({1, 2}, f64), b), {2}, {19, 22});
    check_values(matmul(a, tensor({5, 6}, f64)), {2}, {17, 39});
    check_values(matmul(tensor({1, 2, 3}, f64), tensor({4, 5, 6}, f64)), {}, {32});
    const Tensor batch = stack({a, mul(a, 2.0)});  // (2, 2, 2)
    check_values(matmul(batch, b), {2, 2, 2}, {19, 22, 43, 50, 38, 44, 86, 100});
    check_values(matmul(b, batch), {2, 2, 2}, {23, 34, 31, 46, 46, 68, 62, 92});
    check_values(matmul(batch, stack({b, eye(2, f64)})), {2, 2, 2}, {19, 22, 43, 50, 2, 4, 6, 8});
    check_values(matmul(batch, tensor({1, -1}, f64)), {2, 2}, {-1, -1, -2, -2});
    // rectangular: (2, 3) @ (3, 1)
    check_values(matmul(tensor({{1, 2, 3}, {4, 5, 6}}, f64), reshape(tensor({1, 0, -1}, f64), {3, 1})), {2, 1},
                 {-2, -2});
    // an empty inner dimension gives zeros
    check_values(matmul(zeros({2, 0}, f64), zeros({0, 3}, f64)), {2, 3}, {0, 0, 0, 0, 0, 0});
    // float32 goes through sgemm
    const Tensor af = tensor({{1, 2}, {3, 4}}), bf = tensor({{5, 6}, {7, 8}});
    const Tensor cf = matmul(af, bf);
    CHECK(cf.dtype() == DType::f32);
    check_values(cf, {2, 2}, {19, 22, 43, 50});
    check_values(matmul(stack({af, af}), bf), {2, 2, 2}, {19, 22, 43, 50, 19, 22, 43, 50});
}

TEST_CASE("linalg: gemm values for all four transpose flag combinations") {
    const Tensor a = tensor({{1, 2}, {3, 4}}, f64);
    const Tensor b = tensor({{5, 6}, {7, 8}}, f64);
    check_values(gemm(a, b, false, false), {2, 2}, {19, 22, 43, 50});
    check_values(gemm(a, b, true, false), {2, 2}, {26, 30, 38, 44});
    check_values(gemm(a, b, false, true), {2, 2}, {17, 23, 39, 53});
    check_values(gemm(a, b, true, true), {2, 2}, {23, 31, 34, 46});
    // rectangular, batched and broadcast: compare with explicit transposes
    for (bool ta : {false, true})
        for (bool tb : {false, true})
            for (bool batched_a : {false, true})
                for (bool batched_b : {false, true}) {
                    INFO("ta " << ta << " tb " << tb << " batched a " << batched_a << " batched b " << batched_b);
                    Shape sa = ta ? Shape{4, 3} : Shape{3, 4};
                    Shape sb = tb ? Shape{2, 4} : Shape{4, 2};
                    if (batched_a) sa.insert(sa.begin(), 2);
                    if (batched_b) sb.insert(sb.begin(), 2);
                    const Tensor x = rnd(sa, -1, 1, 1), y = rnd(sb, -1, 1, 2);
                    const Tensor expected = matmul(ta ? transpose(x) : x, tb ? transpose(y) : y);
                    const Shape out = batched_a || batched_b ? Shape{2, 3, 2} : Shape{3, 2};
                    check_values(gemm(x, y, ta, tb), out, expected.to_vector(), 1e-14);
                    check_values(gemm(x.to(DType::f32), y.to(DType::f32), ta, tb), out, expected.to_vector(), 1e-5);
                }
}

TEST_CASE("linalg: linear values with and without bias, 1-D, 2-D and 3-D input") {
    const Tensor w = tensor({{1, 0}, {0, 1}, {1, 1}}, f64);  // [out 3, in 2]
    const Tensor b = tensor({0.5, 0, -1}, f64);
    check_values(linear(tensor({{1, 2}}, f64), w, b), {1, 3}, {1.5, 2, 2});
    check_values(linear(tensor({{1, 2}, {-1, 4}}, f64), w), {2, 3}, {1, 2, 3, -1, 4, 3});
    check_values(linear(tensor({1, 2}, f64), w, b), {3}, {1.5, 2, 2});
    check_values(linear(tensor({{{1, 2}}, {{3, 4}}}, f64), w, b), {2, 1, 3}, {1.5, 2, 2, 3.5, 4, 6});
    check_values(linear(zeros({0, 2}, f64), w, b), {0, 3}, {});
    // no input features: the bias alone, or zeros
    check_values(linear(zeros({2, 0}, f64), zeros({3, 0}, f64), b), {2, 3}, {0.5, 0, -1, 0.5, 0, -1});
    check_values(linear(zeros({2, 0}, f64), zeros({3, 0}, f64)), {2, 3}, {0, 0, 0, 0, 0, 0});
    check_values(linear(zeros({2, 2, 0}, f64), zeros({3, 0}, f64), b), {2, 2, 3},
                 {0.5, 0, -1, 0.5, 0, -1, 0.5, 0, -1, 0.5, 0, -1});
    // float32
    check_values(linear(tensor({{1, 2}}), tensor({{1, 0}, {0, 1}, {1, 1}}), tensor({0.5, 0, -1})), {1, 3},
                 {1.5, 2, 2});
}

// ---- gradchecks ------------------------------------------------------------------

TEST_CASE("linalg: gradcheck of matmul on 2-D, 1-D, batched, broadcast and empty shapes") {
    for (const ProductCase& c : matmul_cases) {
        INFO(shape_str(c.a) << " @ " << shape_str(c.b));
        const Tensor a = rnd(c.a, -1, 1, 1), b = rnd(c.b, -1, 1, 2);
        const auto f = [](const std::vector<Tensor>& v) { return matmul(v[0], v[1]); };
        check_grad(f, {a, b}, "matmul");
        check_backward_shapes(f, {a, b}, c.out);
    }
    // hand-computed: d sum(A B) / dA = 1 B^T, / dB = A^T 1
    Tensor a = tensor({{1, 2}, {3, 4}}, f64_leaf), b = tensor({{5, 6}, {7, 8}}, f64_leaf);
    sum(matmul(a, b)).backward();
    check_values(a.grad(), {2, 2}, {11, 15, 11, 15});
    check_values(b.grad(), {2, 2}, {4, 4, 6, 6});
}

TEST_CASE("linalg: gradcheck of gemm with all four transpose flag combinations, 2-D and batched") {
    for (bool ta : {false, true})
        for (bool tb : {false, true})
            for (int batching = 0; batching < 4; ++batching) {
                // 0: 2-D; 1: both batched; 2: only a batched; 3: only b batched
                INFO("ta " << ta << " tb " << tb << " batching " << batching);
                Shape sa = ta ? Shape{4, 3} : Shape{3, 4};
                Shape sb = tb ? Shape{2, 4} : Shape{4, 2};
                if (batching == 1 || batching == 2) sa.insert(sa.begin(), 2);
                if (batching == 1 || batching == 3) sb.insert(sb.begin(), 2);
                const Tensor a = rnd(sa, -1, 1, 3), b = rnd(sb, -1, 1, 4);
                check_grad([ta, tb](const std::vector<Tensor>& v) { return gemm(v[0], v[1], ta, tb); }, {a, b},
                           "gemm");
            }
}

TEST_CASE("linalg: gradcheck of linear with and without bias, 1-D, 2-D, 3-D and empty input") {
    using V = const std::vector<Tensor>&;
    const Tensor w = rnd({4, 3}, -1, 1, 5), b = rnd({4}, -1, 1, 6);
    for (const Shape& xs : std::vector<Shape>{{5, 3}, {3}, {2, 5, 3}, {1, 3}, {0, 3}, {2, 0, 3}}) {
        INFO("x " << shape_str(xs));
        const Tensor x = rnd(xs, -1, 1, 7);
        check_grad([](V v) { return linear(v[0], v[1], v[2]); }, {x, w, b}, "linear");
        check_grad([](V v) { return linear(v[0], v[1]); }, {x, w}, "linear without bias");
        Shape out = xs;
        out.back() = 4;
        CHECK(linear(x, w, b).shape() == out);
        CHECK(linear(x, w).shape() == out);
        // linear is x @ w^T + b
        check_values(linear(x, w, b), out, add(matmul(x, transpose(w)), b).to_vector(), 1e-14);
    }
    // zero input features
    check_grad([](V v) { return linear(v[0], v[1], v[2]); }, {rnd({2, 0}), rnd({4, 0}), b}, "linear in=0");
    // hand-computed
    Tensor x = tensor({{1, 2}}, f64_leaf), ww = tensor({{1, 0}, {0, 1}, {1, 1}}, f64_leaf),
           bb = tensor({0.5, 0, -1}, f64_leaf);
    sum(mul(linear(x, ww, bb), tensor({{1, 2, 3}}, f64))).backward();
    check_values(x.grad(), {1, 2}, {4, 5});
    check_values(ww.grad(), {3, 2}, {1, 2, 2, 4, 3, 6});
    check_values(bb.grad(), {3}, {1, 2, 3});
}

// ---- second derivatives ----------------------------------------------------------------

TEST_CASE("linalg: gradgradcheck of matmul, gemm and linear") {
    using V = const std::vector<Tensor>&;
    const Tensor a = rnd({3, 4}, -1, 1, 8), b = rnd({4, 2}, -1, 1, 9);
    check_gradgrad([](V v) { return matmul(v[0], v[1]); }, {a, b}, "matmul");
    check_gradgrad([](V v) { return matmul(v[0], v[0]); }, {rnd({3, 3}, -1, 1, 10)}, "matmul x x");
    check_gradgrad([](V v) { return matmul(v[0], v[1]); }, {rnd({2, 3, 4}, -1, 1, 11), b}, "matmul batched");
    check_gradgrad([](V v) { return matmul(v[0], v[1]); }, {rnd({4}, -1, 1, 12), b}, "matmul vector");
    check_gradgrad([](V v) { return tanh(matmul(v[0], v[1])); }, {a, b}, "tanh(matmul)");
    for (bool ta : {false, true})
        for (bool tb : {false, true}) {
            INFO("ta " << ta << " tb " << tb);
            const Tensor x = rnd(ta ? Shape{4, 3} : Shape{3, 4}, -1, 1, 13);
            const Tensor y = rnd(tb ? Shape{2, 4} : Shape{4, 2}, -1, 1, 14);
            check_gradgrad([ta, tb](V v) { return square(gemm(v[0], v[1], ta, tb)); }, {x, y}, "gemm^2");
        }
    check_gradgrad([](V v) { return sigmoid(linear(v[0], v[1], v[2])); },
                   {rnd({2, 3}, -1, 1, 15), rnd({4, 3}, -1, 1, 16), rnd({4}, -1, 1, 17)}, "sigmoid(linear)");
    check_gradgrad([](V v) { return square(linear(v[0], v[1])); }, {rnd({2, 2, 3}, -1, 1, 18), rnd({4, 3}, -1, 1, 19)},
                   "linear 3-D ^2");
}

TEST_CASE("linalg: every product runs in float32 and agrees with float64, gradients included") {
    using V = const std::vector<Tensor>&;
    const Tensor a = rnd({2, 3, 4}, -1, 1, 1), b = rnd({4, 5}, -1, 1, 2), w = rnd({5, 4}, -1, 1, 3),
                 bias = rnd({5}, -1, 1, 4);
    check_f32("matmul", [](V v) { return matmul(v[0], v[1]); }, {a, b});
    check_f32("matmul 1-D", [](V v) { return matmul(v[0], v[1]); }, {rnd({4}), rnd({4, 5}, -1, 1, 9)});
    check_f32("gemm tt", [](V v) { return gemm(v[0], v[1], true, true); }, {rnd({4, 3}), rnd({5, 4}, -1, 1, 8)});
    check_f32("linear", [](V v) { return linear(v[0], v[1], v[2]); }, {a, w, bias});
}
