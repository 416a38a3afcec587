// Gradient-ready hooks and end-of-backward callbacks (graph/hooks.hpp).
#include <algorithm>
#include <string>
#include <vector>

#include "helpers.hpp"

using namespace tg;

TEST_CASE("hooks: a leaf's hook runs once, after its last use delivered, with the final gradient") {
    Tensor w = from_vector(std::vector<double>{2.0}, {1}, {.dtype = DType::f64, .requires_grad = true});
    Tensor b = from_vector(std::vector<double>{3.0}, {1}, {.dtype = DType::f64, .requires_grad = true});
    std::vector<std::string> events;
    std::vector<double> seen_grad;
    HookHandle hw = register_grad_ready_hook(w, [&](const Tensor& t) {
        events.push_back("w");
        seen_grad.push_back(t.grad().item());
    });
    HookHandle hb = register_grad_ready_hook(b, [&](const Tensor&) { events.push_back("b"); });
    queue_backward_callback([&] { events.push_back("end"); });
    // w is used three times: y = w*w*b + w
    const Tensor y = sum(w * w * b + w);
    y.backward();
    REQUIRE(events.size() == 3);
    CHECK(events.back() == "end");
    CHECK(std::count(events.begin(), events.end(), std::string("w")) == 1);
    CHECK(seen_grad == std::vector<double>{2 * 2.0 * 3.0 + 1});  // the full gradient, not a part of it
    CHECK(w.grad().item() == 13.0);
}

TEST_CASE("hooks: a removed hook does not run; a leaf without a gradient fires nothing; tg::grad fires nothing") {
    Tensor w = from_vector(std::vector<double>{2.0}, {1}, {.dtype = DType::f64, .requires_grad = true});
    Tensor unused = from_vector(std::vector<double>{1.0}, {1}, {.dtype = DType::f64, .requires_grad = true});
    int calls = 0, unused_calls = 0;
    {
        HookHandle h = register_grad_ready_hook(w, [&](const Tensor&) { ++calls; });
        HookHandle u = register_grad_ready_hook(unused, [&](const Tensor&) { ++unused_calls; });
        sum(w * w).backward();
        CHECK(calls == 1);
        (void)tg::grad({sum(w * w)}, {w});
        CHECK(calls == 1);
    }
    sum(w * w).backward();  // handles gone: hooks removed
    CHECK(calls == 1);
    CHECK(unused_calls == 0);
}

TEST_CASE("hooks: only leaves that require grad take hooks") {
    Tensor w = from_vector(std::vector<double>{2.0}, {1}, {.dtype = DType::f64, .requires_grad = true});
    const Tensor y = w * w;
    CHECK_THROWS_AS((void)register_grad_ready_hook(y, [](const Tensor&) {}), std::invalid_argument);
    CHECK_THROWS_AS((void)register_grad_ready_hook(from_vector(std::vector<double>{1.0}, {1}), [](const Tensor&) {}),
                    std::invalid_argument);
}

TEST_CASE("hooks: hooks fire in reverse order of use, while the pass goes on") {
    // a chain x -> l1(w1) -> l2(w2) -> l3(w3): backward reaches w3 first
    Tensor x = from_vector(std::vector<double>{1.0, 2.0}, {1, 2}, {.dtype = DType::f64});
    std::vector<Tensor> ws;
    for (int i = 0; i < 3; ++i) ws.push_back(from_vector(std::vector<double>{0.5, 0.25, 0.125, 1.0}, {2, 2}, {.dtype = DType::f64, .requires_grad = true}));
    std::vector<int> order;
    std::vector<HookHandle> handles;
    for (int i = 0; i < 3; ++i) handles.push_back(register_grad_ready_hook(ws[i], [&order, i](const Tensor&) { order.push_back(i); }));
    Tensor h = x;
    for (const Tensor& w : ws) h = tanh(matmul(h, w));
    sum(h).backward();
    CHECK(order == std::vector<int>{2, 1, 0});
}
