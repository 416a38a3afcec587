// The float32 exp/tanh/sigmoid kernels against double precision, over a dense
// sweep and at the edges (zeros, infinities, NaN, the ends of float's range).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "../ops/fast_math.hpp"

namespace {

/// |got - want| in units of float's spacing at want (ulp).
double ulps(float got, double want) {
    const float w = static_cast<float>(want);
    const double spacing = std::nextafter(std::fabs(w), std::numeric_limits<float>::infinity()) - std::fabs(w);
    return std::fabs(static_cast<double>(got) - want) / spacing;
}

template <class Fast, class Exact>
double worst_ulps(Fast fast, Exact exact, float from, float to, int points) {
    double worst = 0;
    for (int i = 0; i <= points; ++i) {
        const float x = from + (to - from) * static_cast<float>(i) / static_cast<float>(points);
        const double want = exact(static_cast<double>(x));
        if (std::fabs(want) < std::numeric_limits<float>::min()) continue;  // subnormal results
        worst = std::max(worst, ulps(fast(x), want));
    }
    return worst;
}

}  // namespace

TEST_CASE("fast math: float exp, tanh and sigmoid are within a few ulp of the exact values") {
    const double exp_err = worst_ulps(tg::fast::exp_nonpositive, [](double x) { return std::exp(x); }, -87.0f, 0.0f, 400000);
    const double tanh_err = worst_ulps(tg::fast::tanh, [](double x) { return std::tanh(x); }, -12.0f, 12.0f, 400000);
    const double tanh_small = worst_ulps(tg::fast::tanh, [](double x) { return std::tanh(x); }, -1e-3f, 1e-3f, 20000);
    const double sig_err =
        worst_ulps(tg::fast::sigmoid, [](double x) { return 1 / (1 + std::exp(-x)); }, -80.0f, 30.0f, 400000);
    MESSAGE("worst ulps: exp ", exp_err, ", tanh ", tanh_err, " (near 0: ", tanh_small, "), sigmoid ", sig_err);
    CHECK(exp_err <= 3);
    CHECK(tanh_err <= 3);
    CHECK(tanh_small <= 1);
    CHECK(sig_err <= 4);
}

TEST_CASE("fast math: edge values") {
    const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
    CHECK(tg::fast::exp_nonpositive(0.0f) == 1.0f);
    CHECK(tg::fast::exp_nonpositive(-100.0f) == 0.0f);
    CHECK(tg::fast::exp_nonpositive(-inf) == 0.0f);
    CHECK(tg::fast::tanh(0.0f) == 0.0f);
    CHECK(std::signbit(tg::fast::tanh(-0.0f)));
    CHECK(tg::fast::tanh(inf) == 1.0f);
    CHECK(tg::fast::tanh(-inf) == -1.0f);
    CHECK(tg::fast::tanh(30.0f) == 1.0f);
    CHECK(std::isnan(tg::fast::tanh(nan)));
    CHECK(tg::fast::sigmoid(0.0f) == 0.5f);
    CHECK(tg::fast::sigmoid(inf) == 1.0f);
    CHECK(tg::fast::sigmoid(-inf) == 0.0f);
    CHECK(tg::fast::sigmoid(-200.0f) == 0.0f);
    CHECK(std::isnan(tg::fast::sigmoid(nan)));
}

TEST_CASE("fast math: the array kernels give exactly the scalar functions' results, on any processor") {
    std::vector<float> x;
    for (int i = -20000; i <= 20000; ++i) x.push_back(static_cast<float>(i) * 1e-3f);
    x.push_back(std::numeric_limits<float>::infinity());
    x.push_back(std::numeric_limits<float>::quiet_NaN());
    std::vector<float> t(x.size()), s(x.size());
    tg::fast::tanh_array(x.data(), t.data(), x.size());
    tg::fast::sigmoid_array(x.data(), s.data(), x.size());
    std::size_t differ = 0;
    for (std::size_t i = 0; i + 1 < x.size(); ++i)
        differ += (t[i] != tg::fast::tanh(x[i])) + (s[i] != tg::fast::sigmoid(x[i]));
    CHECK(differ == 0);
    CHECK(std::isnan(t.back()));
    CHECK(std::isnan(s.back()));
}
