// The fused LSTM cell ops (ops/lstm_cell.hpp): values against the same step
// written with separate ops, gradients (fast rule) and second derivatives (the
// create_graph rule) against central differences in double, float32 against
// float64, and shape errors.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.hpp>

#include "helpers.hpp"

using namespace tg;
using namespace tg::test;

namespace {

/// The step with separate ops: (c', h).
std::pair<Tensor, Tensor> step_by_ops(const Tensor& a, const Tensor& c) {
    const std::vector<Tensor> g = chunk(a, 4, 0);
    const Tensor c_new = add(mul(sigmoid(g[1]), c), mul(sigmoid(g[0]), tanh(g[2])));
    return {c_new, mul(sigmoid(g[3]), tanh(c_new))};
}

}  // namespace

TEST_CASE("lstm cell ops: values equal the step written with separate ops") {
    const Tensor a = rnd({12, 4}, -3, 3, 21), c = rnd({3, 4}, -2, 2, 22);
    const auto [c_ref, h_ref] = step_by_ops(a, c);
    const Tensor c_new = lstm_cell_state(a, c);
    check_values(c_new, {3, 4}, c_ref.to_vector(), 1e-15);
    check_values(lstm_cell_output(a, c_new), {3, 4}, h_ref.to_vector(), 1e-15);
    // float32: the fast kernels agree with the float32 separate ops to rounding
    const auto [c32, h32] = step_by_ops(a.to(DType::f32), c.to(DType::f32));
    CHECK(max(abs(sub(lstm_cell_state(a.to(DType::f32), c.to(DType::f32)), c32))).item() < 1e-6);
    CHECK(max(abs(sub(lstm_cell_output(a.to(DType::f32), c32), h32))).item() < 1e-6);
}

TEST_CASE("lstm cell ops: gradients and second derivatives in double") {
    const Tensor a = rnd({8, 3}, -2, 2, 23), c = rnd({2, 3}, -1, 1, 24);
    auto state = [](const std::vector<Tensor>& in) { return lstm_cell_state(in[0], in[1]); };
    auto output = [](const std::vector<Tensor>& in) { return lstm_cell_output(in[0], in[1]); };
    // both ops chained, as in a layer: h(a, c'(a, c))
    auto both = [](const std::vector<Tensor>& in) { return lstm_cell_output(in[0], lstm_cell_state(in[0], in[1])); };
    for (const auto& [name, f] : {std::pair<const char*, std::function<Tensor(const std::vector<Tensor>&)>>{"state", state},
                                  {"output", output}, {"both", both}}) {
        INFO(name);
        check_grad(f, {a, c}, name);
        check_gradgrad(f, {a, c}, name);
        check_f32(name, f, {a, c});
    }
    // the fast rule and the create_graph rule give the same first derivatives
    const Tensor al = a.detach().requires_grad_(), cl = c.detach().requires_grad_();
    const Tensor y = sum(mul(both({al, cl}), rnd({2, 3}, -1, 1, 25)));
    const std::vector<Tensor> fast = grad({y}, {al, cl}, {}, {.retain_graph = true});
    const std::vector<Tensor> recorded = grad({y}, {al, cl}, {}, {.create_graph = true});
    for (std::size_t k = 0; k < 2; ++k) CHECK(max(abs(sub(fast[k], recorded[k]))).item() < 1e-15);
}

TEST_CASE("lstm cell ops: shape errors name the op and the shapes") {
    CHECK(shape_error_of([] { lstm_cell_state(zeros({8, 3}), zeros({3, 3})); }).find("lstm_cell_state") !=
          std::string::npos);
    CHECK(shape_error_of([] { lstm_cell_output(zeros({8, 3}), zeros({2, 4})); })
              .find("expected gates [4H, N] and state [H, N]") != std::string::npos);
    CHECK_THROWS_AS(lstm_cell_state(zeros({8, 3}), zeros({2, 3}, {DType::f64})), DTypeError);
}
