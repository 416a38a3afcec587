#pragma once
// Shared test helpers.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.hpp>

namespace tg::test {

/// Gradcheck f at inputs and fail the test with the report when it is wrong.
inline void check_grad(const std::function<Tensor(const std::vector<Tensor>&)>& f, const std::vector<Tensor>& inputs,
                       const std::string& name, GradcheckOptions options = {}) {
    const GradcheckResult r = gradcheck(f, inputs, options, name);
    INFO(r.message);
    CHECK(r.ok);
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

}  // namespace tg::test
