// LayerNorm and RMSNorm (ops and layers) against the formulas computed element by
// element, their gradients and second derivatives in double, PyTorch's parameter
// names and shapes, and errors that name the layer; the GELU and SiLU modules.
#include <doctest/doctest.h>

#include <cmath>

#include <tapegrad/nn/nn.hpp>

#include "helpers.hpp"

using namespace tg;
using namespace tg::nn;
using namespace tg::test;

namespace {

std::vector<std::string> names_of(const NamedTensors& tensors) {
    std::vector<std::string> out;
    for (const auto& [name, t] : tensors) out.push_back(name);
    return out;
}

/// Each row of `rows` x `width` values normalised by its mean and biased variance (layer)
/// or by its root mean square (rms), then scaled by w[j] and shifted by b[j].
std::vector<double> reference(const std::vector<double>& x, std::size_t width, const std::vector<double>& w,
                              const std::vector<double>& b, double eps, bool rms) {
    std::vector<double> y(x.size());
    for (std::size_t r = 0; r < x.size() / width; ++r) {
        double m = 0, s = 0;
        for (std::size_t j = 0; j < width; ++j) m += x[r * width + j];
        m /= double(width);
        for (std::size_t j = 0; j < width; ++j) {
            const double d = rms ? x[r * width + j] : x[r * width + j] - m;
            s += d * d;
        }
        const double scale = 1 / std::sqrt(s / double(width) + eps);
        for (std::size_t j = 0; j < width; ++j)
            y[r * width + j] = (rms ? x[r * width + j] : x[r * width + j] - m) * scale * w[j] + (b.empty() ? 0 : b[j]);
    }
    return y;
}

}  // namespace

TEST_CASE("LayerNorm: values, PyTorch's parameters, gradients to second order") {
    LayerNorm ln({3, 4}, {.eps = 1e-3});
    ln.to(DType::f64);
    CHECK(names_of(ln.state_dict()) == std::vector<std::string>{"weight", "bias"});
    CHECK(ln.weight.shape() == Shape{3, 4});
    {
        NoGradGuard no_grad;
        ln.weight.copy_(rnd({3, 4}, 0.5, 1.5, 31));
        ln.bias.copy_(rnd({3, 4}, -0.5, 0.5, 32));
    }
    const Tensor x = rnd({2, 3, 4}, -2, 2, 33);
    check_values(ln(x), {2, 3, 4}, reference(x.to_vector(), 12, ln.weight.to_vector(), ln.bias.to_vector(), 1e-3, false),
                 1e-12);
    const auto f = [](const std::vector<Tensor>& in) { return layer_norm(in[0], 1, in[1], in[2], 1e-5); };
    const std::vector<Tensor> inputs{rnd({3, 5}, -2, 2, 34), rnd({5}, 0.5, 1.5, 35), rnd({5}, -1, 1, 36)};
    check_grad(f, inputs, "layer_norm");
    check_gradgrad(f, inputs, "layer_norm");
    check_f32("layer_norm", f, inputs);
    CHECK_THROWS_WITH_AS(ln(rnd({2, 4, 3})), doctest::Contains("LayerNorm((3, 4), eps=0.001, elementwise_affine=true): the input's shape (2, 4, 3) does not end in the normalised shape (3, 4)"), ShapeError);
    CHECK_THROWS_WITH_AS(layer_norm(rnd({4}), 2, Tensor(), Tensor()), doctest::Contains("last 2 axes"), ShapeError);
    LayerNorm plain({4}, {.elementwise_affine = false});
    CHECK(plain.parameters().empty());
}

TEST_CASE("RMSNorm: values, eps from the dtype by default, gradients to second order") {
    RMSNorm rn({4});
    rn.to(DType::f64);
    CHECK(names_of(rn.state_dict()) == std::vector<std::string>{"weight"});
    {
        NoGradGuard no_grad;
        rn.weight.copy_(rnd({4}, 0.5, 1.5, 41));
    }
    const Tensor x = rnd({3, 4}, -2, 2, 42);
    check_values(rn(x), {3, 4},
                 reference(x.to_vector(), 4, rn.weight.to_vector(), {}, std::numeric_limits<double>::epsilon(), true),
                 1e-12);
    const auto f = [](const std::vector<Tensor>& in) { return rms_norm(in[0], 1, in[1], 1e-6); };
    const std::vector<Tensor> inputs{rnd({3, 5}, -2, 2, 43), rnd({5}, 0.5, 1.5, 44)};
    check_grad(f, inputs, "rms_norm");
    check_gradgrad(f, inputs, "rms_norm");
    CHECK_THROWS_WITH_AS(rn(rnd({3, 5})), doctest::Contains("RMSNorm((4), eps=None, elementwise_affine=true): the input's shape (3, 5) does not end"), ShapeError);
}

TEST_CASE("GELU and SiLU modules forward to the ops") {
    const Tensor x = rnd({2, 3}, -2, 2, 51);
    CHECK(GELU()(x).to_vector() == gelu(x).to_vector());
    CHECK(GELU(GeluApproximation::tanh)(x).to_vector() == gelu(x, GeluApproximation::tanh).to_vector());
    CHECK(SiLU()(x).to_vector() == silu(x).to_vector());
    CHECK(GELU(GeluApproximation::tanh).extra_repr() == "approximate='tanh'");
}
