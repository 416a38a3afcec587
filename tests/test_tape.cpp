// Graph semantics of the tape and the backward engine.
#include <functional>
#include <utility>

#include "helpers.hpp"

using namespace tg;

namespace {
const TensorOptions f64_leaf{DType::f64, true};
}

TEST_CASE("tape: reuse of one tensor sums its gradients (x * x)") {
    Tensor x = tensor({3.0}, f64_leaf);
    sum(x * x).backward();
    CHECK(x.grad().item() == doctest::Approx(6.0));
}

TEST_CASE("tape: a + a and a shared subexpression used twice") {
    Tensor a = tensor({1.5, -2.0}, f64_leaf);
    Tensor s = a + a;       // 2a
    Tensor t = s * s;       // 4a^2
    sum(t + s).backward();  // d/da = 8a + 2
    CHECK(a.grad().at({0}) == doctest::Approx(8 * 1.5 + 2));
    CHECK(a.grad().at({1}) == doctest::Approx(8 * -2.0 + 2));
}

TEST_CASE("tape: diamond graph gives the summed gradient") {
    Tensor x = tensor({0.7}, f64_leaf);
    Tensor h = exp(x);                // feeds both branches
    Tensor y = sum(h * 2.0 + square(h));  // dy/dx = (2 + 2h) h
    y.backward();
    const double hv = std::exp(0.7);
    CHECK(x.grad().item() == doctest::Approx((2 + 2 * hv) * hv));
}

TEST_CASE("tape: broadcast inputs receive gradients of their own shape") {
    Tensor a = test::rnd({3, 1}).requires_grad_();
    Tensor b = test::rnd({1, 4}).requires_grad_();
    sum(a * b).backward();
    CHECK(a.grad().shape() == Shape{3, 1});
    CHECK(b.grad().shape() == Shape{1, 4});
    double bsum = 0;
    for (double v : b.to_vector()) bsum += v;
    CHECK(a.grad().at({1, 0}) == doctest::Approx(bsum));
}

TEST_CASE("tape: backward twice without retain_graph is a clear error") {
    Tensor x = tensor({2.0}, f64_leaf);
    Tensor y = sum(exp(x));
    y.backward();
    CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("retain_graph"), GraphError);
}

TEST_CASE("tape: retain_graph keeps the graph and gradients accumulate across calls") {
    Tensor x = tensor({2.0}, f64_leaf);
    Tensor y = sum(square(x));
    y.backward({}, {.retain_graph = true});
    CHECK(x.grad().item() == doctest::Approx(4.0));
    y.backward();
    CHECK(x.grad().item() == doctest::Approx(8.0));
    x.zero_grad();
    CHECK_FALSE(x.grad().defined());
}

TEST_CASE("tape: gradients accumulate over two separate backward passes") {
    Tensor w = tensor({1.0, 2.0}, f64_leaf);
    sum(w * 3.0).backward();
    sum(square(w)).backward();
    CHECK(w.grad().at({0}) == doctest::Approx(3 + 2));
    CHECK(w.grad().at({1}) == doctest::Approx(3 + 4));
}

TEST_CASE("tape: a leaf's accumulated gradient never shares storage with another") {
    Tensor a = tensor({1.0}, f64_leaf);
    Tensor b = tensor({2.0}, f64_leaf);
    sum(a + b).backward();
    Tensor ga = a.grad();
    {
        NoGradGuard no_grad;
        ga.mul_(10.0);
    }
    CHECK(b.grad().item() == doctest::Approx(1.0));
}

TEST_CASE("tape: NoGradGuard records nothing") {
    Tensor x = tensor({1.0}, f64_leaf);
    Tensor y;
    {
        NoGradGuard no_grad;
        y = exp(x);
        CHECK_FALSE(GradMode::enabled());
    }
    CHECK(GradMode::enabled());
    CHECK_FALSE(y.requires_grad());
    CHECK(y.is_leaf());
    CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("does not require grad"), GraphError);
}

TEST_CASE("tape: detach cuts the graph") {
    Tensor x = tensor({3.0}, f64_leaf);
    Tensor y = sum(x.detach() * x);  // only the second factor is differentiated
    y.backward();
    CHECK(x.grad().item() == doctest::Approx(3.0));
    CHECK_FALSE(x.detach().requires_grad());
}

TEST_CASE("tape: backward of a non-scalar needs a seed") {
    Tensor x = tensor({1.0, 2.0}, f64_leaf);
    Tensor y = x * 2.0;
    CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("pass a seed"), GraphError);
    y.backward(tensor({1.0, 10.0}, {DType::f64}));
    CHECK(x.grad().at({1}) == doctest::Approx(20.0));
    Tensor z = x * 2.0;
    CHECK_THROWS_WITH_AS(z.backward(tensor({1.0}, {DType::f64})), doctest::Contains("seed gradient has shape (1)"),
                         ShapeError);
    CHECK_THROWS_AS(z.backward(tensor({1.0, 1.0})), DTypeError);
}

TEST_CASE("tape: requires_grad_ only on leaves; in-place updates refused while recording") {
    Tensor x = tensor({1.0}, f64_leaf);
    Tensor y = x * 2.0;
    CHECK_THROWS_WITH_AS(y.requires_grad_(), doctest::Contains("only leaves"), GraphError);
    CHECK_THROWS_WITH_AS(x.fill_(0), doctest::Contains("NoGradGuard"), GraphError);
    NoGradGuard no_grad;
    x.fill_(5);
    CHECK(x.item() == 5.0);
}

TEST_CASE("grad: functional gradients leave .grad untouched") {
    Tensor x = tensor({1.0, 2.0}, f64_leaf);
    Tensor w = tensor({3.0, 4.0}, f64_leaf);
    Tensor h = x * w;  // a non-leaf can be asked for too
    Tensor y = sum(square(h));
    auto g = grad({y}, {x, h}, {}, {.retain_graph = true});
    CHECK(g[0].at({1}) == doctest::Approx(2 * 8.0 * 4.0));
    CHECK(g[1].at({0}) == doctest::Approx(2 * 3.0));
    CHECK_FALSE(x.grad().defined());
    CHECK_FALSE(w.grad().defined());
    Tensor unused = tensor({1.0}, f64_leaf);
    CHECK_THROWS_WITH_AS(grad({y}, {unused}, {}, {.retain_graph = true}), doctest::Contains("allow_unused"),
                         GraphError);
    auto g2 = grad({y}, {unused}, {}, {.allow_unused = true});
    CHECK_FALSE(g2[0].defined());
}

TEST_CASE("grad: second derivative of x^3 is 6x (create_graph)") {
    Tensor x = tensor({0.5, -2.0}, f64_leaf);
    Tensor y = sum(pow(x, 3.0));
    auto g = grad({y}, {x}, {}, {.create_graph = true});
    CHECK(g[0].requires_grad());
    CHECK(g[0].at({1}) == doctest::Approx(3 * 4.0));
    auto h = grad({sum(g[0])}, {x});
    CHECK(h[0].at({0}) == doctest::Approx(6 * 0.5));
    CHECK(h[0].at({1}) == doctest::Approx(6 * -2.0));
}

TEST_CASE("grad: Hessian-vector product matches finite differences of gradients") {
    // f(x) = sum(sigmoid(A x) * c): its Hessian is dense
    const Tensor a = test::rnd({3, 3}, -1, 1, 11);
    const Tensor c = test::rnd({3}, -1, 1, 12);
    const Tensor v = test::rnd({3}, -1, 1, 13);
    auto gradient = [&](const Tensor& x, bool create) {
        Tensor f = sum(sigmoid(matmul(a, x)) * c);
        return grad({f}, {x}, {}, {.create_graph = create})[0];
    };
    Tensor x = test::rnd({3}, -1, 1, 14).requires_grad_();
    Tensor g = gradient(x, true);
    Tensor hv = grad({sum(g * v)}, {x})[0];
    const double eps = 1e-6;
    for (std::size_t i = 0; i < 3; ++i) {
        Tensor xp = (x.detach() + v * eps).requires_grad_();
        Tensor xm = (x.detach() - v * eps).requires_grad_();
        const double numeric = (gradient(xp, false).at({i}) - gradient(xm, false).at({i})) / (2 * eps);
        CHECK(hv.at({i}) == doctest::Approx(numeric).epsilon(1e-6));
    }
}

TEST_CASE("tape: memory is stable over 10,000 training steps") {
    Generator gen(3);
    Tensor w = uniform({4, 3}, -0.5, 0.5, {DType::f32, true}, &gen);
    Tensor b = zeros({4}, {DType::f32, true});
    const Tensor x = uniform({8, 3}, -1, 1, {}, &gen);
    const Tensor t = uniform({8, 4}, 0, 1, {}, &gen);
    const std::size_t before = live_node_count();
    double first = 0, last = 0;
    for (int step = 0; step < 10000; ++step) {
        Tensor loss = mean(square(sigmoid(linear(x, w, b)) - t));
        if (step == 0) first = loss.item();
        last = loss.item();
        w.zero_grad();
        b.zero_grad();
        loss.backward();
        NoGradGuard no_grad;
        w.add_(w.grad(), -0.5);
        b.add_(b.grad(), -0.5);
    }
    CHECK(live_node_count() == before);
    CHECK(last < first);
    // evaluation without NoGradGuard and without backward frees its graph too
    for (int step = 0; step < 1000; ++step) (void)mean(sigmoid(linear(x, w, b))).item();
    CHECK(live_node_count() == before);
}

TEST_CASE("tape: a 200,000-op chain runs backward and is freed without recursion") {
    Tensor x = tensor({1.0}, f64_leaf);
    const std::size_t before = live_node_count();
    {
        Tensor y = x;
        for (int i = 0; i < 200000; ++i) y = y * 1.0;
        CHECK(live_node_count() == before + 200000);
        sum(y).backward({}, {.retain_graph = true});
        CHECK(x.grad().item() == doctest::Approx(1.0));
    }
    CHECK(live_node_count() == before);
}

TEST_CASE("anomaly: NaN in a forward or backward names the op") {
    Tensor x = tensor({-1.0, 0.0}, f64_leaf);
    {
        AnomalyGuard on;
        CHECK_THROWS_WITH_AS((void)log(x), doctest::Contains("'log'"), AnomalyError);
        Tensor y = sum(sqrt(square(x)));  // sqrt(0) has an infinite derivative
        CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("'sqrt'"), AnomalyError);
    }
    CHECK_NOTHROW((void)log(x));  // off by default: NaN passes silently, as in PyTorch
}

TEST_CASE("tensor: creation, access and printing") {
    Tensor a = tensor({{1, 2}, {3, 4}});
    CHECK(a.dtype() == DType::f32);
    CHECK(a.shape() == Shape{2, 2});
    CHECK(a.dim() == 2);
    CHECK(a.size() == 4);
    CHECK(a.at({1, 0}) == 3.0);
    CHECK(fmt::format("{}", a) == "tensor(shape=(2, 2), dtype=float32, [[1, 2],\n [3, 4]])");
    CHECK(fmt::format("{}", arange(0, 5000)).find("...") != std::string::npos);
    CHECK(arange(0, 1, 0.25).to_vector() == std::vector<double>{0, 0.25, 0.5, 0.75});
    CHECK(linspace(0, 1, 5).to_vector() == std::vector<double>{0, 0.25, 0.5, 0.75, 1});
    CHECK(eye(3).at({1, 1}) == 1.0);
    CHECK(eye(3).at({1, 2}) == 0.0);
    CHECK(full({2}, 7, {DType::f64}).to_vector() == std::vector<double>{7, 7});
    CHECK(scalar(2.5).dim() == 0);
    CHECK(tensor({{2}, {4}}).shape() == Shape{2, 1});
    CHECK(tensor({{{1, 2}}, {{3, 4}}}).shape() == Shape{2, 1, 2});
    CHECK(tensor(3.0).dim() == 0);
    CHECK(tensor({}).shape() == Shape{0});
    CHECK_THROWS_WITH_AS(tensor({1, {2}}), doctest::Contains("ragged"), ShapeError);
    CHECK_THROWS_WITH_AS(tensor({{1, 2}, {3}}), doctest::Contains("ragged"), ShapeError);
    CHECK_THROWS_WITH_AS(a.at({2, 0}), doctest::Contains("out of range"), ShapeError);
    CHECK_THROWS_WITH_AS(a.data<double>(), doctest::Contains("float32"), DTypeError);
    CHECK_THROWS_AS(from_vector(std::vector<double>{1, 2, 3}, {2, 2}), ShapeError);
}

TEST_CASE("tensor: seeded random numbers are reproducible") {
    manual_seed(5);
    const auto first = randn({100}).to_vector();
    manual_seed(5);
    CHECK(randn({100}).to_vector() == first);
    Generator gen(9);
    const Tensor u = uniform({20000}, -2, 2, {DType::f64}, &gen);
    CHECK(mean(u).item() == doctest::Approx(0).epsilon(0.05));
    CHECK(max(u).item() < 2.0);
    CHECK(min(u).item() >= -2.0);
    const Tensor n = normal({20000}, 1, 3, {DType::f64}, &gen);
    CHECK(mean(n).item() == doctest::Approx(1).epsilon(0.1));
    CHECK(std::sqrt(mean(square(n - 1.0)).item()) == doctest::Approx(3).epsilon(0.05));
}

TEST_CASE("tensor: float and double never mix silently") {
    Tensor f = ones({2});
    Tensor d = ones({2}, {DType::f64});
    CHECK_THROWS_WITH_AS(f + d, doctest::Contains("different dtypes"), DTypeError);
    Tensor g = f.to(DType::f64).requires_grad_();
    CHECK((g + d).dtype() == DType::f64);
    Tensor x = ones({2}, {DType::f32, true});
    sum(x.to(DType::f64) * d).backward();
    CHECK(x.grad().dtype() == DType::f32);
}

TEST_CASE("grad: a tensor listed twice among the inputs gets its gradient in both places") {
    Tensor x = tensor({3.0}, f64_leaf);
    Tensor h = x * 2.0;  // a non-leaf input too
    Tensor y = sum(x * h);  // 2 x^2: dy/dx = 4x = 12 (through both paths), dy/dh = x = 3
    const std::vector<Tensor> g = grad({y}, {x, h, x, h}, {}, {.retain_graph = true});
    REQUIRE(g.size() == 4);
    REQUIRE(g[2].defined());
    REQUIRE(g[3].defined());
    CHECK(g[0].item() == doctest::Approx(12.0));
    CHECK(g[2].item() == doctest::Approx(12.0));
    CHECK(g[1].item() == doctest::Approx(3.0));
    CHECK(g[3].item() == doctest::Approx(3.0));
}

TEST_CASE("tape: an in-place update of a saved tensor between forward and backward is an error") {
    using doctest::Contains;
    // x * x reads x at backward: after x *= 5 it would give 10 instead of 2
    auto forward_then = [](const std::function<void(Tensor&)>& update, bool should_throw) {
        Tensor x = tensor({1.0}, f64_leaf);
        Tensor y = sum(x * x);
        {
            NoGradGuard no_grad;
            update(x);
        }
        if (should_throw) {
            CHECK_THROWS_WITH_AS(y.backward(), Contains("a tensor saved by 'mul' for backward (its input 1, shape (1)) "
                                                        "was modified in place (version 1, expected 0)"),
                                 GraphError);
        } else {
            y.backward();
            CHECK(x.grad().item() == doctest::Approx(2.0));
        }
    };
    forward_then([](Tensor& x) { x.mul_(5); }, true);
    forward_then([](Tensor& x) { x.add_(ones_like(x)); }, true);
    forward_then([](Tensor& x) { x.copy_(ones_like(x)); }, true);
    forward_then([](Tensor& x) { x.fill_(1); }, true);
    forward_then([](Tensor& x) { x.set({0}, 1); }, true);
    forward_then([](Tensor& x) { x.data<double>()[0] -= 0.1; }, true);  // an optimiser's raw update
    forward_then([](Tensor& x) { (void)std::as_const(x).data<double>(); }, false);  // reading is no write
    forward_then([](Tensor&) {}, false);

    // the output saved by exp (its rule reads out = e^x)
    Tensor x = tensor({0.5}, f64_leaf);
    Tensor e = exp(x);
    Tensor loss = sum(e);
    {
        NoGradGuard no_grad;
        e.mul_(2);
    }
    CHECK_THROWS_WITH_AS(loss.backward(), Contains("saved by 'exp' for backward (its output"), GraphError);

    // an input whose values no rule reads may change (add and sum only pass g on)
    Tensor a = tensor({2.0}, f64_leaf);
    Tensor s = sum(sum(a + 1.0) + a);
    {
        NoGradGuard no_grad;
        a.mul_(3);
    }
    s.backward();
    CHECK(a.grad().item() == doctest::Approx(2.0));
}

TEST_CASE("tensor: version() counts in-place writes") {
    Tensor t = zeros({2});
    CHECK(t.version() == 0);
    t.fill_(1).mul_(2).add_(ones({2}));
    t.copy_(ones({2}));
    t.set({1}, 3);
    CHECK(t.version() == 5);
    (void)std::as_const(t).data<float>();
    CHECK(t.version() == 5);
    (void)t.data<float>();
    CHECK(t.version() == 6);
    Tensor d = t.detach();
    d.fill_(7);
    CHECK(t.version() == 6);
    CHECK(t.at({1}) == 3);  // detach copies (tensor.hpp says why)
}

TEST_CASE("tensor: set_data replaces the values and dtype behind every handle") {
    Tensor p = tensor({1.0, 2.0}, {DType::f32, true});
    Tensor alias = p;
    sum(p * p).backward();
    REQUIRE(p.grad().defined());
    CHECK_THROWS_AS(p.set_data(p.to(DType::f64)), GraphError);  // grad mode on, p requires grad
    {
        NoGradGuard no_grad;
        p.set_data(tensor({3.0, 4.0}, {DType::f64}));
        CHECK_THROWS_AS(p.set_data(zeros({3})), ShapeError);
    }
    CHECK(alias.dtype() == DType::f64);
    CHECK(alias.to_vector() == std::vector<double>{3, 4});
    CHECK_FALSE(alias.grad().defined());
    CHECK(alias.version() == 1);
}

TEST_CASE("tensor: element counts that overflow or exceed memory are refused before allocating") {
    using doctest::Contains;
    const std::size_t big = std::size_t(1) << 32;
    CHECK_THROWS_WITH_AS(zeros({big, big}), Contains("zeros: shape (4294967296, 4294967296) has over 2^64 elements"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(eye(big), Contains("eye: shape (4294967296, 4294967296)"), ShapeError);
    CHECK_THROWS_WITH_AS(from_vector(std::vector<double>{}, {big, big}), Contains("from_vector: shape"), ShapeError);
    CHECK_THROWS_WITH_AS(ones({std::size_t(1) << 47}), Contains("more than a tensor can hold"), ShapeError);
    CHECK_THROWS_WITH_AS(full({std::size_t(-1)}, 1.0), Contains("negative number"), ShapeError);
    CHECK_THROWS_AS(uniform({big, big}), ShapeError);
    CHECK_THROWS_AS(normal({big, big}), ShapeError);
    CHECK_THROWS_AS(arange(0, 1e300), ShapeError);
    // 4 elements reshaped to (2^62 + 1) x 4, whose product wraps to 4
    CHECK_THROWS_WITH_AS(reshape(zeros({4}), {(std::int64_t(1) << 62) + 1, 4}), Contains("reshape: shape"), ShapeError);
    // two small tensors whose broadcast would need 2^46 elements
    CHECK_THROWS_WITH_AS(add(zeros({std::size_t(1) << 23, 1}), zeros({1, std::size_t(1) << 23})),
                         Contains("more than a tensor can hold"), ShapeError);
    CHECK(zeros({big, 0, big}).size() == 0);  // a zero size makes any product 0
}

TEST_CASE("random: below(0) is an error, not a division by zero") {
    Generator gen(1);
    CHECK_THROWS_AS(gen.below(0), std::invalid_argument);
    CHECK(gen.below(1) == 0);
}
