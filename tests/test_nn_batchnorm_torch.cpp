// BatchNorm1d/2d against PyTorch 1.13 (fixtures from tests/fixtures/make_batchnorm.py):
// PyTorch's state dict, num_batches_tracked included, loads strictly; training
// steps give PyTorch's outputs and running statistics, momentum=None (the
// cumulative average) included; eval mode uses them; and the state dict tapegrad
// saves has PyTorch's names, dtypes and shapes, the check torch's strict
// load_state_dict makes.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "helpers.hpp"

using namespace tg;
using namespace tg::nn;

namespace {

const std::string fixture_path = std::string(TAPEGRAD_TEST_FIXTURES) + "/batchnorm.safetensors";

struct Fixture {
    std::map<std::string, Tensor> tensors;
    NamedTensors in_order;

    /// The entries named prefix.<name>, with the prefix taken off, in the file's order.
    NamedTensors state(const std::string& prefix) const {
        NamedTensors out;
        for (const auto& [name, t] : in_order)
            if (name.rfind(prefix + ".", 0) == 0) out.emplace_back(name.substr(prefix.size() + 1), t);
        return out;
    }
    const Tensor& at(const std::string& name) const {
        const auto it = tensors.find(name);
        REQUIRE_MESSAGE(it != tensors.end(), "fixture has no " << name);
        return it->second;
    }
};

const Fixture& fixture() {
    static const Fixture f = [] {
        Fixture r;
        const SafetensorsFile file = load_safetensors(fixture_path);
        for (const auto& [name, t] : file.tensors) {
            r.tensors[name] = t;
            r.in_order.emplace_back(name, t);
        }
        return r;
    }();
    return f;
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
    REQUIRE(a.shape() == b.shape());
    const std::vector<double> u = a.to_vector(), v = b.to_vector();
    double m = 0;
    for (std::size_t i = 0; i < u.size(); ++i) m = std::max(m, std::abs(u[i] - v[i]));
    return m;
}

std::unique_ptr<BatchNormBase> make(bool two_d, std::size_t features, std::optional<double> momentum) {
    BatchNormOptions o;
    o.momentum = momentum;
    std::unique_ptr<BatchNormBase> m;
    if (two_d) m = std::make_unique<BatchNorm2d>(features, o);
    else m = std::make_unique<BatchNorm1d>(features, o);
    m->to(DType::f64);
    return m;
}

struct Case {
    const char* prefix;
    bool two_d;
    std::size_t features;
    std::optional<double> momentum;
};

const Case cases[] = {
    {"bn1d", false, 3, 0.1},
    {"bn1d_none", false, 2, std::nullopt},
    {"bn2d", true, 2, 0.3},
    {"bn2d_none", true, 2, std::nullopt},
};

}  // namespace

TEST_CASE("batchnorm vs PyTorch: training steps, running statistics, num_batches_tracked, eval") {
    const Fixture& f = fixture();
    double worst = 0;
    for (const Case& c : cases) {
        INFO(c.prefix);
        auto bn = make(c.two_d, c.features, c.momentum);
        // PyTorch's initial state dict loads strictly (num_batches_tracked is int64, rank 0)
        bn->load_state_dict(f.state(std::string(c.prefix) + ".init"), true);
        CHECK(bn->num_batches_tracked.dtype() == DType::i64);
        CHECK(bn->num_batches_tracked.dim() == 0);
        bn->train();
        for (int s = 0; s < 3; ++s) {
            const std::string step = std::string(c.prefix) + ".train" + std::to_string(s);
            const double d = max_abs_diff((*bn)(f.at(step + ".x")), f.at(step + ".y"));
            CHECK(d < 1e-12);
            worst = std::max(worst, d);
        }
        CHECK(bn->num_batches_tracked.to_vector<std::int64_t>() == std::vector<std::int64_t>{3});
        for (const auto& [name, expected] : f.state(std::string(c.prefix) + ".final")) {
            INFO(name);
            const NamedTensors mine = bn->state_dict();
            const auto it = std::find_if(mine.begin(), mine.end(), [&](const auto& p) { return p.first == name; });
            REQUIRE(it != mine.end());
            CHECK(it->second.dtype() == expected.dtype());
            if (expected.dtype() == DType::i64) {
                CHECK(it->second.to_vector<std::int64_t>() == expected.to_vector<std::int64_t>());
            } else {
                const double d = max_abs_diff(it->second, expected);
                CHECK(d < 1e-12);
                worst = std::max(worst, d);
            }
        }
        bn->eval();
        const std::string ev = std::string(c.prefix) + ".eval";
        const double d = max_abs_diff((*bn)(f.at(ev + ".x")), f.at(ev + ".y"));
        CHECK(d < 1e-12);
        worst = std::max(worst, d);
        // eval forwards do not count
        CHECK(bn->num_batches_tracked.to_vector<std::int64_t>() == std::vector<std::int64_t>{3});

        // PyTorch's trained state loads into a fresh layer, which then evaluates the same
        auto fresh = make(c.two_d, c.features, c.momentum);
        fresh->load_state_dict(f.state(std::string(c.prefix) + ".final"), true);
        fresh->eval();
        CHECK(max_abs_diff((*fresh)(f.at(ev + ".x")), f.at(ev + ".y")) < 1e-12);
    }
    MESSAGE("largest difference from PyTorch (outputs and running statistics, float64): " << worst);
}

TEST_CASE("batchnorm vs PyTorch: the saved state dict has PyTorch's names, dtypes and shapes") {
    const Fixture& f = fixture();
    for (const Case& c : cases) {
        INFO(c.prefix);
        auto bn = make(c.two_d, c.features, c.momentum);
        bn->train();
        (*bn)(f.at(std::string(c.prefix) + ".train0.x"));
        const std::string path = (std::filesystem::temp_directory_path() / "tapegrad_bn_state.safetensors").string();
        save(*bn, path);
        const SafetensorsFile saved = load_safetensors(path);
        std::remove(path.c_str());
        const NamedTensors torch_state = f.state(std::string(c.prefix) + ".final");
        REQUIRE(saved.tensors.size() == torch_state.size());
        for (std::size_t k = 0; k < torch_state.size(); ++k) {
            // same names in the same order, same dtype in the file (F64 / I64), same shapes
            CHECK(saved.tensors[k].first == torch_state[k].first);
            CHECK(saved.tensors[k].second.dtype() == torch_state[k].second.dtype());
            CHECK(saved.tensors[k].second.shape() == torch_state[k].second.shape());
        }
        CHECK(saved.dtypes.back() == "I64");
        CHECK(saved.tensors.back().second.to_vector<std::int64_t>() == std::vector<std::int64_t>{1});
    }
}

TEST_CASE("batchnorm: num_batches_tracked stays int64 and momentum is checked") {
    BatchNorm1d bn(2);
    bn.to(DType::f64);
    CHECK(bn.running_mean.dtype() == DType::f64);
    CHECK(bn.num_batches_tracked.dtype() == DType::i64);
    CHECK(bn.extra_repr() == "2, eps=1e-05, momentum=0.1, affine=true, track_running_stats=true");
    CHECK(BatchNorm1d(2, {.momentum = std::nullopt}).extra_repr() ==
          "2, eps=1e-05, momentum=None, affine=true, track_running_stats=true");
    CHECK_THROWS_WITH_AS(BatchNorm1d(2, {.momentum = 1.5}), doctest::Contains("momentum must be in [0, 1]"),
                         std::invalid_argument);
    BatchNorm1d untracked(2, {.track_running_stats = false});
    CHECK_FALSE(untracked.num_batches_tracked.defined());
    CHECK(untracked.state_dict().size() == 2);
}
