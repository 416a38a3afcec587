#pragma once
// Compare analytic gradients with central finite differences.
#include <functional>
#include <string>
#include <vector>

#include "tensor.hpp"

namespace tg {

struct GradcheckOptions {
    double eps = 1e-6;   ///< finite-difference step
    double atol = 1e-5;  ///< |analytic - numeric| <= atol + rtol * |numeric|
    double rtol = 1e-3;
    std::uint64_t seed = 1234;  ///< for the random weights that reduce outputs to a scalar
};

struct GradcheckResult {
    bool ok = true;
    std::string message;  ///< on failure: op, input, worst element's index, both values
    explicit operator bool() const { return ok; }
};

/// Check d/d(inputs) of f at the given double-precision inputs. The output of f
/// is reduced to a scalar as sum(f(x) * r) with fixed random r, so one backward
/// tests the whole vector-Jacobian product. Inputs must be float64 leaves; they
/// are marked requires_grad here. `name` labels the failure message.
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          const std::vector<Tensor>& inputs, GradcheckOptions options = {},
                          const std::string& name = "f");

/// Second-order check: the gradient of f (computed with create_graph) is itself
/// gradchecked, i.e. Hessian-vector products against finite differences of gradients.
GradcheckResult gradgradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                              const std::vector<Tensor>& inputs, GradcheckOptions options = {},
                              const std::string& name = "f");

}  // namespace tg
