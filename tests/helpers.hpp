#pragma once
// Shared test helpers.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <tapegrad/tapegrad.hpp>

namespace tg::test {

/// Double precision, for gradchecks; _leaf also requires a gradient.
inline const TensorOptions f64{DType::f64};
inline const TensorOptions f64_leaf{DType::f64, true};

/// Move values within gap of kink to kink +- gap, so finite differences never straddle it.
inline Tensor away(Tensor t, double kink, double gap) {
    double* p = t.data<double>();
    for (std::size_t i = 0; i < t.size(); ++i)
        if (std::abs(p[i] - kink) < gap) p[i] = kink + (p[i] >= kink ? gap : -gap);
    return t;
}

/// The message of the ShapeError that f() throws, or "no error".
template <class F>
std::string shape_error_of(F f) {
    try {
        f();
    } catch (const ShapeError& e) {
        return e.what();
    }
    return "no error";
}

/// The message of any exception f throws (empty if none).
template <class F>
std::string message_of(F f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return {};
}

/// Gradcheck f at inputs and fail the test with the report when it is wrong.
inline void check_grad(const std::function<Tensor(const std::vector<Tensor>&)>& f, const std::vector<Tensor>& inputs,
                       const std::string& name, GradcheckOptions options = {}) {
    const GradcheckResult r = gradcheck(f, inputs, options, name);
    INFO(r.message);
    CHECK(r.ok);
}

/// f on fresh leaves copied from inputs gives a result of shape `out`, and after a
/// backward every input has a gradient of its own shape (an explicit backward,
/// beside the gradcheck).
inline void check_backward_shapes(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                                  const std::vector<Tensor>& inputs, const Shape& out) {
    std::vector<Tensor> leaves;
    for (const Tensor& t : inputs) leaves.push_back(t.detach().requires_grad_());
    const Tensor y = f(leaves);
    CHECK(y.shape() == out);
    sum(y).backward();
    for (std::size_t k = 0; k < leaves.size(); ++k) {
        INFO("input " << k);
        REQUIRE(leaves[k].grad().defined());
        CHECK(leaves[k].grad().shape() == inputs[k].shape());
    }
}

inline void check_gradgrad(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                           const std::vector<Tensor>& inputs, const std::string& name, GradcheckOptions options = {}) {
    const GradcheckResult r = gradgradcheck(f, inputs, options, name);
    INFO(r.message);
    CHECK(r.ok);
}

/// Random double tensor for gradchecks (values in [lo, hi)).
inline Tensor rnd(const Shape& shape, double lo = -1, double hi = 1, std::uint64_t seed = 7) {
    Generator gen(seed + shape.size() * 131 + (shape.empty() ? 0 : shape[0]));
    return uniform(shape, lo, hi, {DType::f64}, &gen);
}

/// t has the given shape and (row-major) values, each within a relative eps.
inline void check_values(const Tensor& t, const Shape& shape, const std::vector<double>& expected, double eps = 1e-12) {
    REQUIRE(t.shape() == shape);
    const std::vector<double> v = t.to_vector();
    REQUIRE(v.size() == expected.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        INFO("element " << i);
        CHECK(v[i] == doctest::Approx(expected[i]).epsilon(eps));
    }
}

/// f computed in float32 agrees with f in float64, values and gradients, and every
/// gradient is float32 (no backward rule mixes in a double constant).
inline void check_f32(const std::string& name, const std::function<Tensor(const std::vector<Tensor>&)>& f,
               const std::vector<Tensor>& inputs) {
    INFO("float32 " << name);
    std::vector<Tensor> d, s;
    for (const Tensor& t : inputs) {
        d.push_back(t.detach().requires_grad_());
        s.push_back(t.to(DType::f32).detach().requires_grad_());
    }
    const Tensor od = f(d), os = f(s);
    REQUIRE(os.dtype() == DType::f32);
    REQUIRE(os.shape() == od.shape());
    const std::vector<double> vd = od.to_vector(), vs = os.to_vector();
    for (std::size_t i = 0; i < vd.size(); ++i) CHECK(vs[i] == doctest::Approx(vd[i]).epsilon(1e-4));
    sum(od).backward();
    sum(os).backward();
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        REQUIRE(s[k].grad().defined());
        CHECK(s[k].grad().dtype() == DType::f32);
        const std::vector<double> gd = d[k].grad().to_vector(), gs = s[k].grad().to_vector();
        for (std::size_t i = 0; i < gd.size(); ++i) CHECK(gs[i] == doctest::Approx(gd[i]).epsilon(1e-4));
    }
}

}  // namespace tg::test

/// A path in the temporary directory for a test's file: "tapegrad_test_<name>".
inline std::string temp_path(const std::string& name) {
    return (std::filesystem::temp_directory_path() / ("tapegrad_test_" + name)).string();
}
