// conv2d / conv1d: forward values, gradients (first and second order), errors.
#include <string>

#include "helpers.hpp"

using namespace tg;
using tg::test::check_grad;
using tg::test::check_gradgrad;
using tg::test::rnd;

namespace {

/// Direct-loop reference convolution (the definition), for comparing with im2col + gemm.
std::vector<double> naive_conv2d(const Tensor& x, const Tensor& w, const Tensor& b, Size2 s, Size2 p, Size2 d,
                                 Shape& out_shape) {
    const auto xs = x.shape(), ws = w.shape();
    const std::size_t N = xs[0], C = xs[1], H = xs[2], W = xs[3], O = ws[0], KH = ws[2], KW = ws[3];
    const std::size_t OH = (H + 2 * p.h - d.h * (KH - 1) - 1) / s.h + 1;
    const std::size_t OW = (W + 2 * p.w - d.w * (KW - 1) - 1) / s.w + 1;
    out_shape = {N, O, OH, OW};
    const auto xv = x.to_vector(), wv = w.to_vector();
    const auto bv = b.defined() ? b.to_vector() : std::vector<double>(O, 0.0);
    std::vector<double> y(N * O * OH * OW);
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t o = 0; o < O; ++o)
            for (std::size_t i = 0; i < OH; ++i)
                for (std::size_t j = 0; j < OW; ++j) {
                    double acc = bv[o];
                    for (std::size_t c = 0; c < C; ++c)
                        for (std::size_t ki = 0; ki < KH; ++ki)
                            for (std::size_t kj = 0; kj < KW; ++kj) {
                                const long iy = long(i * s.h + ki * d.h) - long(p.h);
                                const long ix = long(j * s.w + kj * d.w) - long(p.w);
                                if (iy < 0 || ix < 0 || iy >= long(H) || ix >= long(W)) continue;
                                acc += wv[((o * C + c) * KH + ki) * KW + kj] *
                                       xv[((n * C + c) * H + std::size_t(iy)) * W + std::size_t(ix)];
                            }
                    y[((n * O + o) * OH + i) * OW + j] = acc;
                }
    return y;
}

struct Geometry {
    Size2 stride, padding, dilation;
    bool bias;
};

}  // namespace

TEST_CASE("conv2d: forward values of a small case computed by hand") {
    const Tensor x = tensor({{{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}}});  // [1, 1, 3, 3]
    const Tensor w = tensor({{{{1, 2}, {3, 4}}}});                   // [1, 1, 2, 2]
    const Tensor b = tensor({0.5});
    const Tensor y = conv2d(x, w, b);
    REQUIRE(y.shape() == Shape{1, 1, 2, 2});
    // y[i][j] = sum_pq w[p][q] x[i+p][j+q] + 0.5
    CHECK(y.at({0, 0, 0, 0}) == doctest::Approx(37.5));
    CHECK(y.at({0, 0, 0, 1}) == doctest::Approx(47.5));
    CHECK(y.at({0, 0, 1, 0}) == doctest::Approx(67.5));
    CHECK(y.at({0, 0, 1, 1}) == doctest::Approx(77.5));
    // padding 1, stride 2: windows start at rows/cols -1 and 1
    const Tensor y2 = conv2d(x, w, {}, 2, 1);
    REQUIRE(y2.shape() == Shape{1, 1, 2, 2});
    CHECK(y2.at({0, 0, 0, 0}) == doctest::Approx(4.0));   // x00 w11
    CHECK(y2.at({0, 0, 0, 1}) == doctest::Approx(18.0));  // x01 w10 + x02 w11
    CHECK(y2.at({0, 0, 1, 0}) == doctest::Approx(36.0));  // x10 w01 + x20 w11
    CHECK(y2.at({0, 0, 1, 1}) == doctest::Approx(77.0));  // x11 w00 + x12 w01 + x21 w10 + x22 w11
    // dilation 2 on a 3x3 input with a 2x2 kernel: one output, the four corners
    const Tensor y3 = conv2d(x, w, {}, 1, 0, 2);
    REQUIRE(y3.shape() == Shape{1, 1, 1, 1});
    CHECK(y3.item() == doctest::Approx(1 * 1 + 2 * 3 + 3 * 7 + 4 * 9));
}

TEST_CASE("conv2d: im2col + gemm equals the direct definition over many geometries (f32 and f64)") {
    const Geometry cases[] = {
        {1, 0, 1, true},  {1, 1, 1, false}, {2, 1, 1, true},        {{2, 1}, {0, 2}, 1, true},
        {1, 2, 2, true},  {3, 1, {2, 1}, false}, {1, 0, 1, true} /* 1x1 kernel below */,
    };
    int k = 0;
    for (const Geometry& g : cases) {
        CAPTURE(k);
        const std::size_t kh = k == 6 ? 1 : 3, kw = k == 6 ? 1 : 2;
        const Tensor x = rnd({2, 3, 7, 6}, -1, 1, 11 + k);
        const Tensor w = rnd({4, 3, kh, kw}, -1, 1, 12 + k);
        const Tensor b = g.bias ? rnd({4}, -1, 1, 13 + k) : Tensor();
        Shape ref_shape;
        const auto ref = naive_conv2d(x, w, b, g.stride, g.padding, g.dilation, ref_shape);
        for (DType dt : {DType::f64, DType::f32}) {
            const Tensor y = conv2d(x.to(dt), w.to(dt), g.bias ? b.to(dt) : Tensor(), g.stride, g.padding, g.dilation);
            REQUIRE(y.shape() == ref_shape);
            const auto yv = y.to_vector();
            const double tol = dt == DType::f64 ? 1e-12 : 1e-5;
            for (std::size_t i = 0; i < yv.size(); ++i) REQUIRE(yv[i] == doctest::Approx(ref[i]).epsilon(tol));
        }
        ++k;
    }
}

TEST_CASE("conv2d: gradcheck in double over strides, paddings, dilations, with and without bias") {
    const Geometry cases[] = {
        {1, 0, 1, true}, {1, 1, 1, false}, {2, 1, 1, true}, {{2, 1}, {1, 0}, 1, false}, {1, 2, 2, true},
        {2, 0, {1, 2}, true},
    };
    int k = 0;
    for (const Geometry& g : cases) {
        const Tensor x = rnd({2, 2, 5, 6}, -1, 1, 21 + k);
        const Tensor w = rnd({3, 2, 3, 2}, -1, 1, 22 + k);
        std::vector<Tensor> inputs{x, w};
        if (g.bias) inputs.push_back(rnd({3}, -1, 1, 23 + k));
        check_grad(
            [g](const std::vector<Tensor>& in) {
                return conv2d(in[0], in[1], in.size() > 2 ? in[2] : Tensor(), g.stride, g.padding, g.dilation);
            },
            inputs, "conv2d case " + std::to_string(k));
        ++k;
    }
}

TEST_CASE("conv2d: second derivatives (gradgradcheck) through the input-grad and weight-grad ops") {
    const Tensor x = rnd({2, 2, 4, 5}, -1, 1, 31);
    const Tensor w = rnd({2, 2, 2, 3}, -1, 1, 32);
    const Tensor b = rnd({2}, -1, 1, 33);
    check_gradgrad([](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], in[2], {2, 1}, 1, 1); },
                   {x, w, b}, "conv2d stride (2,1) pad 1");
    check_gradgrad([](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], {}, 1, 0, {1, 2}); }, {x, w},
                   "conv2d dilation (1,2)");
    // a nonlinearity after the conv makes the second derivative in x nonzero
    check_gradgrad([](const std::vector<Tensor>& in) { return tanh(conv2d(in[0], in[1], {}, 1, 1)); }, {x, w},
                   "tanh(conv2d)");
}

TEST_CASE("conv2d: 1x1 kernel (no im2col) gradients") {
    const Tensor x = rnd({2, 3, 3, 4}, -1, 1, 41);
    const Tensor w = rnd({5, 3, 1, 1}, -1, 1, 42);
    const Tensor b = rnd({5}, -1, 1, 43);
    check_grad([](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], in[2]); }, {x, w, b}, "conv2d 1x1");
    check_gradgrad([](const std::vector<Tensor>& in) { return square(conv2d(in[0], in[1], in[2])); }, {x, w, b},
                   "conv2d 1x1 squared");
}

TEST_CASE("conv1d: values against conv2d with height 1, and gradcheck") {
    const Tensor x = rnd({2, 3, 9}, -1, 1, 51);
    const Tensor w = rnd({4, 3, 3}, -1, 1, 52);
    const Tensor b = rnd({4}, -1, 1, 53);
    const Tensor y = conv1d(x, w, b, 2, 2, 2);
    const Tensor y2 = conv2d(reshape(x, {2, 3, 1, 9}), reshape(w, {4, 3, 1, 3}), b, {1, 2}, {0, 2}, {1, 2});
    REQUIRE(y.shape() == Shape{2, 4, 5});  // (9 + 2 x 2 - 2 x (3 - 1) - 1) / 2 + 1
    const auto a = y.to_vector(), c = y2.to_vector();
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(c[i]).epsilon(1e-12));
    for (std::size_t stride : {1, 2})
        for (std::size_t pad : {0, 1, 3})
            for (std::size_t dil : {1, 2}) {
                check_grad([=](const std::vector<Tensor>& in) { return conv1d(in[0], in[1], in[2], stride, pad, dil); },
                           {x, w, b}, fmt::format("conv1d s{} p{} d{}", stride, pad, dil));
            }
    check_gradgrad([](const std::vector<Tensor>& in) { return conv1d(in[0], in[1], {}, 1, 1); }, {x, w}, "conv1d");
}

TEST_CASE("conv2d: errors name the op and the shapes") {
    const Tensor w = zeros({4, 3, 3, 3});
    const std::string rank = test::shape_error_of([&] { conv2d(zeros({3, 5, 5}), w); });
    CHECK(rank.find("conv2d") != std::string::npos);
    CHECK(rank.find("4-D") != std::string::npos);
    CHECK(rank.find("(3, 5, 5)") != std::string::npos);
    const std::string channels = test::shape_error_of([&] { conv2d(zeros({1, 2, 5, 5}), w); });
    CHECK(channels.find("2 channels") != std::string::npos);
    CHECK(channels.find("(4, 3, 3, 3)") != std::string::npos);
    const std::string big = test::shape_error_of([&] { conv2d(zeros({1, 3, 2, 8}), w); });
    CHECK(big.find("larger than the padded input") != std::string::npos);
    CHECK(test::shape_error_of([&] { conv2d(zeros({1, 3, 2, 8}), w, {}, 1, 1); }) == "no error");  // padding makes it fit
    CHECK(test::shape_error_of([&] { conv2d(zeros({1, 3, 5, 5}), w, zeros({3})); }).find("bias (3)") != std::string::npos);
    CHECK(test::shape_error_of([&] { conv2d(zeros({1, 3, 5, 5}), w, {}, 0); }).find("stride") != std::string::npos);
    CHECK(test::shape_error_of([&] { conv1d(zeros({1, 3, 2}), zeros({2, 3, 5})); }).find("conv1d") != std::string::npos);
    CHECK_THROWS_AS(conv2d(zeros({1, 3, 5, 5}, {DType::f64}), w), DTypeError);
}

TEST_CASE("conv2d: negative, absurd and overflowing stride, padding and dilation are refused") {
    const Tensor x = zeros({1, 1, 4, 4});
    const Tensor w = zeros({1, 1, 3, 3});
    const std::size_t minus_one = static_cast<std::size_t>(-1);
    // -1 used to wrap to 2^64 - 1 and silently crop the input
    const std::string neg = test::shape_error_of([&] { conv2d(x, w, {}, 1, minus_one); });
    CHECK(neg.find("conv2d: padding along height is negative (-1, passed as the unsigned 18446744073709551615)") == 0);
    // 2^62 used to make an output whose element count wrapped, and im2col wrote past its buffer
    const std::string huge = test::shape_error_of([&] { conv2d(x, w, {}, 1, Size2(0, std::size_t(1) << 62)); });
    CHECK(huge.find("conv2d: padding 4611686018427387904 along width is too large (at most 2147483647)") == 0);
    CHECK(test::shape_error_of([&] { conv2d(x, w, {}, minus_one); }).find("stride along height is negative") !=
          std::string::npos);
    CHECK(test::shape_error_of([&] { conv2d(x, w, {}, 1, 0, Size2(1, minus_one)); })
              .find("dilation along width is negative") != std::string::npos);
    // the largest accepted dilation: the dilated kernel does not fit (its span computed without overflow)
    CHECK(test::shape_error_of([&] { conv2d(x, w, {}, 1, 0, kMaxWindowArg); }).find("larger than the padded input") !=
          std::string::npos);
    CHECK(test::shape_error_of([&] { conv1d(zeros({1, 1, 4}), zeros({1, 1, 3}), {}, 1, minus_one); })
              .find("conv1d: padding along length is negative") == 0);
    // a large padding that is still sane works (and pads with zeros)
    CHECK(conv2d(ones({1, 1, 1, 1}), ones({1, 1, 1, 1}), {}, 1, 2).shape() == Shape{1, 1, 5, 5});
}
