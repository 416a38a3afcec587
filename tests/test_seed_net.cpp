// The lesson's worked backpropagation example (shared lesson NOTES.md), by the engine alone.
#include "helpers.hpp"

using namespace tg;

TEST_CASE("seed-net: the lesson's 2-2-2 example, forward, loss and one SGD step") {
    const TensorOptions leaf{DType::f64, true};
    // W1[j][i] is the weight from input i to hidden j (PyTorch's [out, in] layout)
    Tensor w1 = tensor({{0.15, 0.20}, {0.25, 0.30}}, leaf);
    Tensor w2 = tensor({{0.40, 0.45}, {0.50, 0.55}}, leaf);
    const Tensor b1 = tensor({0.35, 0.35}, {DType::f64});
    const Tensor b2 = tensor({0.60, 0.60}, {DType::f64});
    const Tensor x = tensor({{0.05, 0.10}}, {DType::f64});
    const Tensor target = tensor({{0.01, 0.99}}, {DType::f64});

    const Tensor net_h = linear(x, w1, b1);
    const Tensor out_h = sigmoid(net_h);
    const Tensor net_o = linear(out_h, w2, b2);
    const Tensor out_o = sigmoid(net_o);
    const Tensor e = mul(sum(square(sub(target, out_o))), 0.5);

    CHECK(net_h.at({0, 0}) == doctest::Approx(0.3775).epsilon(1e-12));
    CHECK(out_h.at({0, 0}) == doctest::Approx(0.593269992).epsilon(1e-9));
    CHECK(out_h.at({0, 1}) == doctest::Approx(0.596884378).epsilon(1e-9));
    CHECK(net_o.at({0, 0}) == doctest::Approx(1.105905967).epsilon(1e-9));
    CHECK(out_o.at({0, 0}) == doctest::Approx(0.751365070).epsilon(1e-9));
    CHECK(out_o.at({0, 1}) == doctest::Approx(0.772928465).epsilon(1e-9));
    CHECK(e.item() == doctest::Approx(0.298371109).epsilon(1e-9));

    e.backward();
    CHECK(w2.grad().at({0, 0}) == doctest::Approx(0.082167041).epsilon(1e-8));
    CHECK(w1.grad().at({0, 0}) == doctest::Approx(0.000438568).epsilon(1e-6));

    {
        NoGradGuard no_grad;
        w1.add_(w1.grad(), -0.5);
        w2.add_(w2.grad(), -0.5);
    }
    const double w5_8[] = {0.35891648, 0.40866619, 0.51130127, 0.56137012};
    const double w1_4[] = {0.14978072, 0.19956143, 0.24975114, 0.29950229};
    for (std::size_t k = 0; k < 4; ++k) {
        CHECK(w2.at({k / 2, k % 2}) == doctest::Approx(w5_8[k]).epsilon(1e-8));
        CHECK(w1.at({k / 2, k % 2}) == doctest::Approx(w1_4[k]).epsilon(1e-8));
    }
}

TEST_CASE("explain: a chain-rule trace of the seed network") {
    const TensorOptions leaf{DType::f64, true};
    Tensor w1 = tensor({{0.15, 0.20}, {0.25, 0.30}}, leaf);
    Tensor w2 = tensor({{0.40, 0.45}, {0.50, 0.55}}, leaf);
    const Tensor x = tensor({{0.05, 0.10}}, {DType::f64});
    const Tensor out_h = sigmoid(linear(x, w1, tensor({0.35, 0.35}, {DType::f64})));
    const Tensor out_o = sigmoid(linear(out_h, w2, tensor({0.60, 0.60}, {DType::f64})));
    const Tensor e = mul(sum(square(sub(tensor({{0.01, 0.99}}, {DType::f64}), out_o))), 0.5);
    const Trace trace = explain(e, {{"w2", w2}, {"out_o", out_o}, {"E", e}});
    const auto find = [&](const std::string& label) {
        for (const auto& entry : trace.entries)
            if (entry.label == label) return entry;
        FAIL("no entry " << label);
        return TraceEntry{};
    };
    CHECK(find("w2").grad.at({0, 0}) == doctest::Approx(0.082167041).epsilon(1e-8));
    CHECK(find("out_o").grad.at({0, 0}) == doctest::Approx(0.741365070).epsilon(1e-8));  // dE/dout_o1
    CHECK(find("out_o").op == "sigmoid");
    CHECK(trace.entries.back().label == "E");
    CHECK(trace.str().find("w2 (leaf)") != std::string::npos);
    CHECK(trace.dot().find("digraph") == 0);
    CHECK(trace.dot().find("->") != std::string::npos);
    // the graph is retained: backward still works
    e.backward();
    CHECK(w2.grad().at({0, 0}) == doctest::Approx(0.082167041).epsilon(1e-8));
}
