#pragma once
// Tutorial 3: activation functions, their values and their derivatives. The
// derivatives come from autodiff, not from formulas.
#include <functional>
#include <string>
#include <vector>

#include <tapegrad/tapegrad.hpp>

#include "../common/report.hpp"

namespace tut::activations {

/// An elementwise activation by name, as tapegrad's op.
struct Activation {
    std::string name;
    std::function<tg::Tensor(const tg::Tensor&)> fn;
};

/// step, sigmoid, tanh, relu, leaky_relu (slope 0.01).
std::vector<Activation> elementwise_activations();

/// f(x) and f'(x) at each point of xs, f' by one backward pass through f
/// (float64): y = f(x), then d(sum y)/dx, which for an elementwise f is f'(x) at each x.
struct Curve {
    std::vector<double> x, value, derivative;
};
Curve curve(const Activation& a, const std::vector<double>& xs);

/// softmax of scores and its Jacobian d softmax_i / d score_j (row i from a
/// backward pass of output i).
struct SoftmaxResult {
    std::vector<double> scores, probs;
    std::vector<std::vector<double>> jacobian;
};
SoftmaxResult softmax_and_jacobian(const std::vector<double>& scores);

/// d a_n / d a_0 for a chain of n one-neuron layers a_k = f(w·a_{k−1} + b),
/// from autodiff (float64).
double chain_derivative(const Activation& a, int depth, double x0, double w = 1.0, double b = 0.0);

/// What the test suite checks.
struct Result {
    double sigmoid_d0 = 0, sigmoid_max_d = 0, tanh_d0 = 0, relu_d_pos = 0, relu_d_neg = 0, leaky_d_neg = 0;
    double step_max_abs_d = 0;        ///< largest |step'(x)| on the grid (0: no gradient flows)
    double max_formula_gap = 0;       ///< largest |autodiff − textbook formula| over all grids
    SoftmaxResult softmax;
    std::vector<double> sigmoid_chain, tanh_chain, relu_chain;  ///< chain_derivative for depth 1..10
};

/// The whole tutorial: prints tables and terminal plots, writes CSV and PNG plots.
Result run(Report& report);

}  // namespace tut::activations
