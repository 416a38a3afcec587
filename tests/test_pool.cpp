// Pooling: values, gradients (ties included), second order, errors.
#include <cmath>
#include <limits>

#include "helpers.hpp"

using namespace tg;
using tg::test::check_grad;
using tg::test::check_gradgrad;
using tg::test::rnd;

TEST_CASE("pool: max_pool2d and avg_pool2d values") {
    const Tensor x = tensor({{{{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}, {13, 14, 15, 16}}}});  // [1,1,4,4]
    const Tensor m = max_pool2d(x, 2);
    REQUIRE(m.shape() == Shape{1, 1, 2, 2});
    CHECK(m.to_vector() == std::vector<double>{6, 8, 14, 16});
    const Tensor a = avg_pool2d(x, 2);
    CHECK(a.to_vector() == std::vector<double>{3.5, 5.5, 11.5, 13.5});
    // kernel 3, stride 1, padding 1: corners see 4 elements, padding counts in the divisor by default
    const Tensor m3 = max_pool2d(x, 3, 1, 1);
    REQUIRE(m3.shape() == Shape{1, 1, 4, 4});
    CHECK(m3.at({0, 0, 0, 0}) == 6);
    CHECK(m3.at({0, 0, 1, 1}) == 11);
    const Tensor a3 = avg_pool2d(x, 3, 1, 1);
    CHECK(a3.at({0, 0, 0, 0}) == doctest::Approx((1 + 2 + 5 + 6) / 9.0));
    const Tensor a3x = avg_pool2d(x, 3, 1, 1, false);
    CHECK(a3x.at({0, 0, 0, 0}) == doctest::Approx((1 + 2 + 5 + 6) / 4.0));
    CHECK(a3x.at({0, 0, 1, 1}) == doctest::Approx(6.0));
    // rectangular kernel and stride
    const Tensor mr = max_pool2d(x, {1, 2}, {2, 1});
    REQUIRE(mr.shape() == Shape{1, 1, 2, 3});
    CHECK(mr.to_vector() == std::vector<double>{2, 3, 4, 10, 11, 12});
    // padding is -inf for max: negative inputs stay negative
    CHECK(max_pool2d(neg(x), 2, 2, 1).at({0, 0, 0, 0}) == -1);
    // global average pooling
    const Tensor g = global_avg_pool2d(x);
    REQUIRE(g.shape() == Shape{1, 1});
    CHECK(g.item() == doctest::Approx(8.5));
    // 1-D
    const Tensor x1 = tensor({{{3, 1, 4, 1, 5, 9}}});
    CHECK(max_pool1d(x1, 2).to_vector() == std::vector<double>{3, 4, 9});
    const Tensor a1 = avg_pool1d(x1, 3, 3);
    REQUIRE(a1.shape() == Shape{1, 1, 2});
    CHECK(a1.at({0, 0, 0}) == doctest::Approx(8 / 3.0));
    CHECK(a1.at({0, 0, 1}) == doctest::Approx(5.0));
}

TEST_CASE("pool: gradcheck in double (no ties), several kernels, strides and paddings") {
    const Tensor x = rnd({2, 3, 5, 6}, -1, 1, 61);
    struct P {
        Size2 k, s, p;
    };
    const P cases[] = {{2, 0, 0}, {3, 1, 1}, {{3, 2}, {2, 1}, {1, 0}}, {2, 1, 0}, {3, 2, 1}};
    for (const P& c : cases) {
        check_grad([c](const std::vector<Tensor>& in) { return max_pool2d(in[0], c.k, c.s, c.p); }, {x}, "max_pool2d");
        check_grad([c](const std::vector<Tensor>& in) { return avg_pool2d(in[0], c.k, c.s, c.p); }, {x}, "avg_pool2d");
        check_grad([c](const std::vector<Tensor>& in) { return avg_pool2d(in[0], c.k, c.s, c.p, false); }, {x},
                   "avg_pool2d exclude pad");
    }
    check_grad([](const std::vector<Tensor>& in) { return global_avg_pool2d(in[0]); }, {x}, "global_avg_pool2d");
    const Tensor x1 = rnd({2, 2, 7}, -1, 1, 62);
    check_grad([](const std::vector<Tensor>& in) { return max_pool1d(in[0], 3, 2, 1); }, {x1}, "max_pool1d");
    check_grad([](const std::vector<Tensor>& in) { return avg_pool1d(in[0], 3, 2, 1); }, {x1}, "avg_pool1d");
}

TEST_CASE("pool: max_pool2d ties split the gradient evenly (documented rule)") {
    // window 0 holds a two-way tie (5, 5), window 1 a four-way tie, window 2 one maximum;
    // the last row of windows overlaps nothing
    const Tensor x = tensor({{{{5, 1, 2, 2}, {0, 5, 2, 2}, {1, 0, 0, 0}, {0, 0, 0, 7}}}}, {DType::f64, true});
    const Tensor y = max_pool2d(x, 2);
    CHECK(y.to_vector() == std::vector<double>{5, 2, 1, 7});
    sum(mul(y, tensor({{{{1, 2}, {3, 4}}}}, {DType::f64}))).backward();
    const std::vector<double> expected{0.5, 0, 0.5, 0.5, 0, 0.5, 0.5, 0.5, 3, 0, 0, 0, 0, 0, 0, 4};
    CHECK(x.grad().to_vector() == expected);
    // the gradient of each window sums to its output gradient, whatever the tie
    // a two-way tie is where the even split equals central finite differences
    const Tensor t = tensor({{{{0.3, 0.9, -0.2}, {0.9, 0.1, 0.4}, {-0.5, 0.2, 0.6}}}}, {DType::f64});
    check_grad([](const std::vector<Tensor>& in) { return max_pool2d(in[0], 2, 1); }, {t}, "max_pool2d two-way tie");
}

namespace {

/// Direct reference of max pooling with the even split on ties: values and x's gradient for seed g.
void naive_max_pool(const std::vector<double>& x, std::size_t planes, std::size_t h, std::size_t w, Size2 k, Size2 s,
                    Size2 p, const std::vector<double>& g, std::vector<double>& y, std::vector<double>& dx) {
    const std::size_t oh = (h + 2 * p.h - k.h) / s.h + 1, ow = (w + 2 * p.w - k.w) / s.w + 1;
    y.assign(planes * oh * ow, 0);
    dx.assign(x.size(), 0);
    for (std::size_t pl = 0; pl < planes; ++pl)
        for (std::size_t i = 0; i < oh; ++i)
            for (std::size_t j = 0; j < ow; ++j) {
                std::vector<std::size_t> at;
                double best = -1e300;
                for (std::size_t a = 0; a < k.h; ++a)
                    for (std::size_t b = 0; b < k.w; ++b) {
                        const long r = long(i * s.h + a) - long(p.h), c = long(j * s.w + b) - long(p.w);
                        if (r < 0 || c < 0 || r >= long(h) || c >= long(w)) continue;
                        const std::size_t off = (pl * h + std::size_t(r)) * w + std::size_t(c);
                        if (x[off] > best) best = x[off], at.clear();
                        if (x[off] == best) at.push_back(off);
                    }
                const std::size_t o = (pl * oh + i) * ow + j;
                y[o] = best;
                for (std::size_t off : at) dx[off] += g[o] / double(at.size());
            }
}

}  // namespace

TEST_CASE("pool: max_pool2d fast and general paths agree with a direct reference, ties included") {
    struct P {
        Size2 k, s, p;
    };
    // tiling 2x2, 1x2 and 3x3 take dedicated kernels; the others the general one
    const P cases[] = {{2, 2, 0}, {{1, 2}, {1, 2}, 0}, {3, 3, 0}, {3, 2, 1}, {2, 1, 0}, {{2, 3}, {1, 2}, {1, 1}}};
    for (const P& c : cases) {
        for (DType dt : {DType::f32, DType::f64}) {
            // small integers: many ties
            Generator gen(5);
            std::vector<double> xv(2 * 3 * 7 * 9);
            for (double& v : xv) v = double(gen.below(4));
            const Tensor x = from_vector(xv, {2, 3, 7, 9}, {dt, true});
            const Tensor y = max_pool2d(x, c.k, c.s, c.p);
            std::vector<double> gv(y.size());
            for (std::size_t i = 0; i < gv.size(); ++i) gv[i] = double(i % 7) - 3;
            y.backward(from_vector(gv, y.shape(), {dt}));
            std::vector<double> ry, rdx;
            naive_max_pool(xv, 6, 7, 9, c.k, c.s, c.p, gv, ry, rdx);
            REQUIRE(y.to_vector() == ry);
            const auto dx = x.grad().to_vector();
            for (std::size_t i = 0; i < dx.size(); ++i) REQUIRE(dx[i] == doctest::Approx(rdx[i]).epsilon(1e-6));
        }
    }
}

TEST_CASE("pool: a NaN in a window is its maximum and takes the gradient") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (Size2 stride : {Size2(2), Size2(1)}) {
        const Tensor x = tensor({{{{1, nan}, {nan, 0}}}}, {DType::f64, true});
        const Tensor y = max_pool2d(x, 2, stride);
        CHECK(std::isnan(y.item()));
        y.backward(ones({1, 1, 1, 1}, {DType::f64}));
        CHECK(x.grad().to_vector()[1] == 1);  // the first NaN
        CHECK(x.grad().to_vector()[2] == 0);
    }
}

TEST_CASE("pool: overlapping windows accumulate onto a shared maximum") {
    const Tensor x = tensor({{{{0, 0, 0}, {0, 9, 0}, {0, 0, 0}}}}, {DType::f64, true});
    const Tensor y = max_pool2d(x, 2, 1);  // every window contains the 9
    CHECK(y.to_vector() == std::vector<double>{9, 9, 9, 9});
    sum(y).backward();
    CHECK(x.grad().at({0, 0, 1, 1}) == 4);
    CHECK(sum(x.grad()).item() == 4);
}

TEST_CASE("pool: second derivatives through the recorded scatter") {
    const Tensor x = rnd({1, 2, 4, 4}, -1, 1, 71);
    check_gradgrad([](const std::vector<Tensor>& in) { return square(max_pool2d(in[0], 2)); }, {x}, "max_pool2d^2");
    check_gradgrad([](const std::vector<Tensor>& in) { return square(avg_pool2d(in[0], 3, 1, 1)); }, {x},
                   "avg_pool2d^2");
}

TEST_CASE("pool: errors name the op and the shapes") {
    const std::string rank = test::shape_error_of([] { max_pool2d(zeros({4, 4}), 2); });
    CHECK(rank.find("max_pool2d") != std::string::npos);
    CHECK(rank.find("(4, 4)") != std::string::npos);
    const std::string big = test::shape_error_of([] { avg_pool2d(zeros({1, 1, 2, 2}), 3); });
    CHECK(big.find("avg_pool2d") != std::string::npos);
    CHECK(big.find("larger than the padded input") != std::string::npos);
    CHECK(test::shape_error_of([] { max_pool2d(zeros({1, 1, 4, 4}), 2, 2, 2); }).find("more than half") != std::string::npos);
    CHECK(test::shape_error_of([] { global_avg_pool2d(zeros({1, 4})); }).find("global_avg_pool2d") != std::string::npos);
}

TEST_CASE("pool: negative and absurd kernel, stride and padding are refused") {
    const Tensor x = zeros({1, 1, 4, 4});
    const std::size_t minus_one = static_cast<std::size_t>(-1);
    CHECK(test::shape_error_of([&] { max_pool2d(x, minus_one); }).find("max_pool2d: kernel size along height is negative (-1") == 0);
    CHECK(test::shape_error_of([&] { avg_pool2d(x, 2, minus_one); }).find("avg_pool2d: stride along height is negative") == 0);
    // 2 x 2^63 wrapped to 0 and passed the "at most half the kernel" check
    CHECK(test::shape_error_of([&] { max_pool2d(x, 2, 1, Size2(0, std::size_t(1) << 63)); })
              .find("max_pool2d: padding along width is negative") == 0);
    CHECK(test::shape_error_of([&] { max_pool1d(zeros({1, 1, 4}), 2, 1, std::size_t(1) << 40); })
              .find("max_pool1d: padding 1099511627776 along length is too large") == 0);
}
