// Ops, layers and losses against PyTorch 1.13 in float64 (fixtures from
// tests/fixtures/make_op_fixtures.py): for every case, tapegrad's output on the
// fixture's inputs and its gradients of sum(out * w) with respect to each
// differentiable input, compared with PyTorch's autograd. A case the table
// expects but the file lacks fails, and so does a case in the file the table
// does not know: the two cannot drift apart silently.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "helpers.hpp"

using namespace tg;
using namespace tg::nn;

namespace {

const std::map<std::string, Tensor>& fixture() {
    static const std::map<std::string, Tensor> m = [] {
        std::map<std::string, Tensor> r;
        for (const auto& [name, t] : load_safetensors(std::string(TAPEGRAD_TEST_FIXTURES) + "/ops.safetensors").tensors)
            r[name] = t;
        return r;
    }();
    return m;
}

const Tensor& entry(const std::string& name) {
    const auto it = fixture().find(name);
    REQUIRE_MESSAGE(it != fixture().end(), "ops.safetensors has no entry " << name);
    return it->second;
}

/// The largest difference of actual from expected, absolute, or relative where
/// |expected| > 1. NaN must match NaN position by position (infinity otherwise).
double difference(const Tensor& actual, const Tensor& expected) {
    REQUIRE(actual.dtype() == expected.dtype());
    REQUIRE(actual.shape() == expected.shape());
    const std::vector<double> a = actual.to_vector(), e = expected.to_vector();
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::isnan(a[i]) || std::isnan(e[i])) {
            if (std::isnan(a[i]) != std::isnan(e[i])) return std::numeric_limits<double>::infinity();
            continue;
        }
        worst = std::max(worst, std::abs(a[i] - e[i]) / std::max(1.0, std::abs(e[i])));
    }
    return worst;
}

/// One fixture case: f runs tapegrad on the inputs in0, in1, ... (the
/// differentiable ones as fresh leaves). f may replace an input by the tensor that
/// receives its gradient (a layer's own parameter, loaded from the input).
struct Case {
    std::string name;
    std::size_t inputs;
    std::vector<std::size_t> differentiable;
    std::function<Tensor(std::vector<Tensor>&)> f;
    double tolerance = 1e-12;
};

/// tapegrad's results on the fixture's inputs, checked; returns the largest difference.
double run(const Case& c) {
    INFO("case " << c.name);
    std::vector<Tensor> in;
    for (std::size_t k = 0; k < c.inputs; ++k) {
        Tensor t = entry(c.name + ".in" + std::to_string(k)).detach();
        if (std::count(c.differentiable.begin(), c.differentiable.end(), k)) t.requires_grad_();
        in.push_back(t);
    }
    const Tensor out = c.f(in);
    const Tensor& expected = entry(c.name + ".out");
    double worst = 0;
    if (expected.dtype() == DType::i64) {  // argmax / argmin
        REQUIRE(out.dtype() == DType::i64);
        CHECK(out.shape() == expected.shape());
        CHECK(out.to_vector<std::int64_t>() == expected.to_vector<std::int64_t>());
    } else {
        const double d = difference(out, expected);
        INFO("output: " << d);
        CHECK(d <= c.tolerance);
        worst = d;
    }
    if (c.differentiable.empty()) return worst;
    sum(out * entry(c.name + ".w")).backward();
    for (std::size_t k : c.differentiable) {
        INFO("gradient of in" << k);
        REQUIRE(in[k].grad().defined());
        const double d = difference(in[k].grad(), entry(c.name + ".grad" + std::to_string(k)));
        INFO("difference " << d);
        CHECK(d <= c.tolerance);
        worst = std::max(worst, d);
    }
    return worst;
}

/// sort/topk: the indices (int64, exactly PyTorch's) then the values as a case.
std::function<Tensor(std::vector<Tensor>&)> sorted(const std::string& name,
                                                   std::function<SortResult(const Tensor&)> f) {
    return [name, f](std::vector<Tensor>& in) {
        const SortResult r = f(in[0]);
        const Tensor& expected = entry(name + ".outi");
        CHECK(r.indices.dtype() == DType::i64);
        CHECK(r.indices.to_vector<std::int64_t>() == expected.to_vector<std::int64_t>());
        return r.values;
    };
}

using Fn = std::function<Tensor(std::vector<Tensor>&)>;
Fn unary(Tensor (*op)(const Tensor&)) {
    return [op](std::vector<Tensor>& in) { return op(in[0]); };
}

std::vector<Case> elementwise_cases() {
    return {
        {"sin", 1, {0}, unary(tg::sin)},
        {"sin_rank0", 1, {0}, unary(tg::sin)},
        {"cos", 1, {0}, unary(tg::cos)},
        {"erf", 1, {0}, unary(tg::erf)},
        {"log1p", 1, {0}, unary(tg::log1p)},
        {"expm1", 1, {0}, unary(tg::expm1)},
        {"gelu", 1, {0}, [](auto& in) { return gelu(in[0]); }},
        {"gelu_tanh", 1, {0}, [](auto& in) { return gelu(in[0], GeluApproximation::tanh); }},
        {"silu", 1, {0}, unary(tg::silu)},
        {"softplus", 1, {0}, [](auto& in) { return softplus(in[0]); }},
        {"softplus_beta", 1, {0}, [](auto& in) { return softplus(in[0], 2.0, 3.0); }},
        {"clamp_min", 1, {0}, [](auto& in) { return clamp_min(in[0], -0.3); }},
        {"clamp_max", 1, {0}, [](auto& in) { return clamp_max(in[0], 0.4); }},
        {"maximum", 2, {0, 1}, [](auto& in) { return maximum(in[0], in[1]); }},
        {"minimum", 2, {0, 1}, [](auto& in) { return minimum(in[0], in[1]); }},
        {"maximum_outer", 2, {0, 1}, [](auto& in) { return maximum(in[0], in[1]); }},
        {"maximum_nan", 2, {}, [](auto& in) { return maximum(in[0], in[1]); }},
        {"minimum_nan", 2, {}, [](auto& in) { return minimum(in[0], in[1]); }},
        {"where", 3, {1, 2}, [](auto& in) { return where(in[0], in[1], in[2]); }},
        {"masked_fill", 2, {0}, [](auto& in) { return masked_fill(in[0], in[1], -1.5); }},
    };
}

std::vector<Case> reduction_cases() {
    return {
        {"var_axis_c1", 1, {0}, [](auto& in) { return var(in[0], {1}, 1); }},
        {"var_axis_c0", 1, {0}, [](auto& in) { return var(in[0], {0}, 0); }},
        {"var_all_c1", 1, {0}, [](auto& in) { return var(in[0], {}, 1); }},
        {"var_all_c0", 1, {0}, [](auto& in) { return var(in[0], {}, 0); }},
        {"std_axis_c1", 1, {0}, [](auto& in) { return stddev(in[0], {1}, 1); }},
        {"std_axis_c0", 1, {0}, [](auto& in) { return stddev(in[0], {0}, 0); }},
        {"std_all_c1", 1, {0}, [](auto& in) { return stddev(in[0], {}, 1); }},
        {"std_all_c0", 1, {0}, [](auto& in) { return stddev(in[0], {}, 0); }},
        {"var_single", 1, {0}, [](auto& in) { return var(in[0], {1}, 1); }},
        {"std_constant", 1, {0}, [](auto& in) { return stddev(in[0], {1}, 0); }},
        {"norm_l1", 1, {0}, [](auto& in) { return norm(in[0], NormOrder::l1, {1}); }},
        {"norm_l2", 1, {0}, [](auto& in) { return norm(in[0], NormOrder::l2, {1}); }},
        {"norm_inf", 1, {0}, [](auto& in) { return norm(in[0], NormOrder::inf, {1}); }},
        {"norm_l2_all", 1, {0}, [](auto& in) { return norm(in[0]); }},
        {"cumsum_0", 1, {0}, [](auto& in) { return cumsum(in[0], 0); }},
        {"cumsum_1", 1, {0}, [](auto& in) { return cumsum(in[0], 1); }},
        {"logsumexp_1", 1, {0}, [](auto& in) { return logsumexp(in[0], {1}); }},
        {"logsumexp_01", 1, {0}, [](auto& in) { return logsumexp(in[0], {0, 1}); }},
    };
}

std::vector<Case> indexing_cases() {
    return {
        {"gather_1", 2, {0}, [](auto& in) { return gather(in[0], 1, in[1]); }},
        {"gather_0", 2, {0}, [](auto& in) { return gather(in[0], 0, in[1]); }},
        {"index_select_0", 2, {0}, [](auto& in) { return index_select(in[0], 0, in[1]); }},
        {"index_select_1", 2, {0}, [](auto& in) { return index_select(in[0], 1, in[1]); }},
        {"sort_1", 1, {0}, sorted("sort_1", [](const Tensor& x) { return sort(x, 1); })},
        {"sort_1_desc", 1, {0}, sorted("sort_1_desc", [](const Tensor& x) { return sort(x, 1, true); })},
        {"sort_0", 1, {0}, sorted("sort_0", [](const Tensor& x) { return sort(x, 0); })},
        {"topk_largest", 1, {0}, sorted("topk_largest", [](const Tensor& x) { return topk(x, 2, -1); })},
        {"topk_smallest", 1, {0}, sorted("topk_smallest", [](const Tensor& x) { return topk(x, 3, 0, false); })},
        {"argmax_1", 1, {}, [](auto& in) { return argmax(in[0], 1); }},
        {"argmin_1", 1, {}, [](auto& in) { return argmin(in[0], 1); }},
        {"argmax_0", 1, {}, [](auto& in) { return argmax(in[0], 0); }},
        {"argmin_0", 1, {}, [](auto& in) { return argmin(in[0], 0); }},
    };
}

/// The layers themselves: their parameters loaded from the fixture, their own
/// parameters' gradients compared.
std::vector<Case> layer_cases() {
    const auto layer_norm_case = [](const std::string& name, Shape shape) {
        return Case{name, 3, {0, 1, 2}, [shape](auto& in) {
                        LayerNorm ln(shape);
                        ln.to(DType::f64);
                        ln.load_state_dict({{"weight", in[1]}, {"bias", in[2]}});
                        in[1] = ln.weight;  // the parameters receive the gradients
                        in[2] = ln.bias;
                        return ln(in[0]);
                    }};
    };
    const auto rms_norm_case = [](const std::string& name, Shape shape, std::optional<double> eps) {
        return Case{name, 2, {0, 1}, [shape, eps](auto& in) {
                        RMSNorm rms(shape, {.eps = eps});
                        rms.to(DType::f64);
                        rms.load_state_dict({{"weight", in[1]}});
                        in[1] = rms.weight;
                        return rms(in[0]);
                    }};
    };
    return {
        {"gelu_tanh", 1, {0}, [](auto& in) { return GELU(GeluApproximation::tanh)(in[0]); }},
        {"silu", 1, {0}, [](auto& in) { return SiLU()(in[0]); }},
        layer_norm_case("layer_norm_1", {4}),
        layer_norm_case("layer_norm_2", {3, 4}),
        rms_norm_case("rms_norm_1", {4}, 1e-6),
        rms_norm_case("rms_norm_2", {3, 4}, std::nullopt),  // eps: float64's machine epsilon
    };
}

/// The loss objects (each calls the loss function of the same name).
std::vector<Case> loss_cases() {
    const auto loss_case = [](const std::string& name, std::size_t inputs, std::vector<std::size_t> diff,
                              std::function<Tensor(const Tensor&, const Tensor&, const Tensor&)> f) {
        return Case{name, inputs, std::move(diff),
                    [f, inputs](auto& in) { return f(in[0], in[1], inputs > 2 ? in[2] : Tensor{}); }};
    };
    return {
        loss_case("huber_mean", 2, {0, 1}, [](auto& p, auto& t, auto&) { return HuberLoss(0.7)(p, t); }),
        loss_case("huber_sum", 2, {0, 1},
                  [](auto& p, auto& t, auto&) { return HuberLoss(1.5, Reduction::sum)(p, t); }),
        loss_case("smooth_l1_mean", 2, {0, 1}, [](auto& p, auto& t, auto&) { return SmoothL1Loss(0.5)(p, t); }),
        loss_case("smooth_l1_none", 2, {0, 1},
                  [](auto& p, auto& t, auto&) { return SmoothL1Loss(0.8, Reduction::none)(p, t); }),
        loss_case("kl_div_batchmean", 2, {0, 1},
                  [](auto& p, auto& t, auto&) { return KLDivLoss(Reduction::batch_mean)(p, t); }),
        loss_case("kl_div_sum", 2, {0, 1}, [](auto& p, auto& t, auto&) { return KLDivLoss(Reduction::sum)(p, t); }),
        loss_case("kl_div_log_batchmean", 2, {0, 1},
                  [](auto& p, auto& t, auto&) { return KLDivLoss(Reduction::batch_mean, true)(p, t); }),
        loss_case("kl_div_log_sum", 2, {0, 1},
                  [](auto& p, auto& t, auto&) { return KLDivLoss(Reduction::sum, true)(p, t); }),
        // target 0 somewhere: PyTorch's target gradient there is NaN (log 0), so only the input's is compared
        loss_case("kl_div_zero_target", 2, {0},
                  [](auto& p, auto& t, auto&) { return KLDivLoss(Reduction::sum)(p, t); }),
        loss_case("cross_entropy_mean", 3, {0},
                  [](auto& x, auto& y, auto& w) { return CrossEntropyLoss(w, Reduction::mean)(x, y); }),
        loss_case("cross_entropy_sum", 3, {0},
                  [](auto& x, auto& y, auto& w) { return CrossEntropyLoss(w, Reduction::sum)(x, y); }),
        loss_case("cross_entropy_none", 3, {0},
                  [](auto& x, auto& y, auto& w) { return CrossEntropyLoss(w, Reduction::none)(x, y); }),
        loss_case("cross_entropy_noweight", 2, {0}, [](auto& x, auto& y, auto&) { return CrossEntropyLoss()(x, y); }),
        loss_case("nll_mean", 3, {0}, [](auto& x, auto& y, auto& w) { return NLLLoss(w, Reduction::mean)(x, y); }),
        loss_case("nll_sum", 3, {0}, [](auto& x, auto& y, auto& w) { return NLLLoss(w, Reduction::sum)(x, y); }),
        loss_case("nll_none", 3, {0}, [](auto& x, auto& y, auto& w) { return NLLLoss(w, Reduction::none)(x, y); }),
    };
}

double run_all(const std::vector<Case>& cases) {
    double worst = 0;
    for (const Case& c : cases) worst = std::max(worst, run(c));
    return worst;
}

}  // namespace

TEST_CASE("torch fixtures: elementwise ops") {
    MESSAGE("largest difference from PyTorch (float64): " << run_all(elementwise_cases()));
}

TEST_CASE("torch fixtures: reductions, statistics, cumsum, logsumexp") {
    MESSAGE("largest difference from PyTorch (float64): " << run_all(reduction_cases()));
}

TEST_CASE("torch fixtures: gather, index_select, sort, topk, argmax, argmin") {
    MESSAGE("largest difference from PyTorch (float64): " << run_all(indexing_cases()));
}

TEST_CASE("torch fixtures: LayerNorm, RMSNorm, GELU and SiLU modules") {
    MESSAGE("largest difference from PyTorch (float64): " << run_all(layer_cases()));
}

TEST_CASE("torch fixtures: Huber, SmoothL1, KLDiv, CrossEntropy and NLL losses") {
    MESSAGE("largest difference from PyTorch (float64): " << run_all(loss_cases()));
}

TEST_CASE("torch fixtures: every case in ops.safetensors is checked") {
    std::set<std::string> known;
    for (const auto& cases : {elementwise_cases(), reduction_cases(), indexing_cases(), layer_cases(), loss_cases()})
        for (const Case& c : cases) known.insert(c.name);
    std::set<std::string> in_file;
    for (const auto& [name, t] : fixture()) in_file.insert(name.substr(0, name.find('.')));
    for (const std::string& name : in_file) {
        INFO("fixture case " << name << " has no check");
        CHECK(known.count(name) == 1);
    }
    CHECK(in_file.size() == known.size());
}
