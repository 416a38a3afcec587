// Learning-rate schedulers against PyTorch 1.13's: the rates of every epoch,
// from tests/fixtures/schedulers.json (made by tests/fixtures/make_scheduler_fixtures.py),
// well past the end of each cosine; and the constructors' checks.
#include <cmath>
#include <fstream>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "helpers.hpp"

using namespace tg;

namespace {

nlohmann::json scheduler_fixtures() {
    const std::string path = std::string(TAPEGRAD_TEST_FIXTURES) + "/schedulers.json";
    std::ifstream f(path);
    REQUIRE_MESSAGE(f.good(), "cannot read " << path);
    return nlohmann::json::parse(f);
}

/// The rates a scheduler sets for epochs 0..steps, read from the optimiser as PyTorch's script does.
std::vector<double> run(optim::SGD& opt, optim::LRScheduler& sched, std::size_t steps) {
    std::vector<double> lrs{opt.lr()};
    for (std::size_t i = 0; i < steps; ++i) {
        sched.step();
        lrs.push_back(opt.lr());
    }
    return lrs;
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
    REQUIRE(a.size() == b.size());
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
    return m;
}

}  // namespace

TEST_CASE("schedulers: CosineAnnealingLR, LambdaLR and WarmupCosineLR give PyTorch's rates for 3 periods") {
    const nlohmann::json fx = scheduler_fixtures();
    int cases = 0;
    for (const auto& c : fx["cases"]) {
        const std::string kind = c["kind"];
        const auto expected = c["lr"].get<std::vector<double>>();
        const std::size_t steps = expected.size() - 1;
        optim::SGD opt({zeros({1})}, c["base_lr"].get<double>());
        std::vector<double> got;
        if (kind == "cosine") {
            INFO("cosine t_max " << c["t_max"]);
            optim::CosineAnnealingLR s(opt, c["t_max"].get<std::int64_t>(), c["eta_min"].get<double>());
            got = run(opt, s, steps);
        } else if (kind == "warmup_cosine") {
            optim::WarmupCosineLR s(opt, {.warmup_steps = c["warmup_steps"], .total_steps = c["total_steps"],
                                          .start_factor = c["start_factor"], .eta_min = c["eta_min"]});
            got = run(opt, s, steps);
        } else {
            // the script's lambdas, written again
            const std::string name = c["lambda"];
            std::function<double(std::int64_t)> f = [](std::int64_t e) { return 1.0 / (1 + 0.5 * static_cast<double>(e)); };
            if (name == "power") f = [](std::int64_t e) { return std::pow(0.95, static_cast<double>(e)); };
            optim::LambdaLR s(opt, f);
            got = run(opt, s, steps);
        }
        INFO(kind << " " << c.dump());
        CHECK(max_abs_diff(got, expected) <= 1e-12);
        ++cases;
    }
    CHECK(cases == 8);
}

TEST_CASE("schedulers: past t_max the cosine rises again, as PyTorch's, and lr_at can go back") {
    optim::SGD opt({zeros({1})}, 0.1);
    optim::CosineAnnealingLR cos(opt, 4, 0.0);
    for (int e = 0; e < 4; ++e) cos.step();
    CHECK(std::abs(opt.lr()) < 1e-15);  // the bottom, at t_max
    cos.step();
    // one step past: 0.1 (1 − cos(π/4)) / 2, the closed form at epoch 5
    CHECK(opt.lr() == doctest::Approx(0.1 * (1 - std::cos(M_PI / 4)) / 2).epsilon(1e-12));
    const double at5 = opt.lr();
    CHECK(cos.lr_at(2) == doctest::Approx(0.05).epsilon(1e-12));  // an earlier epoch recomputes from 0
    CHECK(cos.lr_at(5) == at5);
    // a restored scheduler goes on from its epoch
    optim::SGD opt2({zeros({1})}, 0.1);
    optim::CosineAnnealingLR again(opt2, 4, 0.0);
    again.load_state(cos.state());
    again.step();
    cos.step();
    CHECK(opt2.lr() == opt.lr());
}

TEST_CASE("schedulers: LambdaLR and WarmupCosineLR set the epoch-0 rate at once and check their arguments") {
    optim::SGD opt({zeros({1})}, 2.0);
    optim::LambdaLR half(opt, [](std::int64_t e) { return e == 0 ? 0.5 : 1.0; });
    CHECK(opt.lr() == 1.0);
    half.step();
    CHECK(opt.lr() == 2.0);
    CHECK_THROWS_AS(optim::LambdaLR(opt, nullptr), std::invalid_argument);

    optim::SGD opt2({zeros({1})}, 1.0);
    optim::WarmupCosineLR wc(opt2, {.warmup_steps = 4, .total_steps = 8, .start_factor = 0.25});
    CHECK(opt2.lr() == 0.25);
    std::vector<double> lrs;
    for (int e = 0; e < 8; ++e) {
        wc.step();
        lrs.push_back(opt2.lr());
    }
    // warm-up 0.25 -> 1 in 4 steps of 0.1875, then the cosine over 4 epochs down to 0
    CHECK(lrs[0] == doctest::Approx(0.4375).epsilon(1e-14));
    CHECK(lrs[2] == doctest::Approx(0.8125).epsilon(1e-14));
    CHECK(lrs[3] == doctest::Approx(1.0).epsilon(1e-14));
    CHECK(lrs[5] == doctest::Approx(0.5).epsilon(1e-14));
    CHECK(std::abs(lrs[7]) < 1e-15);
    using O = optim::WarmupCosineOptions;
    CHECK_THROWS_WITH_AS(optim::WarmupCosineLR(opt2, O{.warmup_steps = 0, .total_steps = 5}),
                         doctest::Contains("warmup_steps 0 must be at least 1"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(optim::WarmupCosineLR(opt2, O{.warmup_steps = 5, .total_steps = 5}),
                         doctest::Contains("total_steps 5 must exceed warmup_steps 5"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(optim::WarmupCosineLR(opt2, O{.warmup_steps = 1, .total_steps = 5, .start_factor = 0}),
                         doctest::Contains("start_factor 0 must be in (0, 1]"), std::invalid_argument);
}
