#pragma once
// Tutorial 6: gradient descent on linear regression, y = m·x + c, with the MSE cost.
#include <string>
#include <vector>

#include <tapegrad/tapegrad.hpp>

#include "../common/report.hpp"

namespace tut::descent {

/// The regression data: x = iris petal length, standardised (mean 0, std 1) unless
/// raw, and y = petal width in cm; float64 [150]. Also the mean and std of x.
struct Data {
    tg::Tensor x, y;
    double x_mean = 0, x_std = 1;
};
Data load_data(bool standardise = true);

/// MSE(m, c) = (1/n)·Σ (y − (m·x + c))², computed without recording.
double mse(const Data& d, double m, double c);

/// One point of the optimiser's path.
struct Step {
    int step;
    double m, c, mse;
};

/// Gradient descent from (m0, c0): each step computes the MSE, backward gives
/// ∂MSE/∂m and ∂MSE/∂c, and tg::optim::SGD moves (m, c) by −lr times them.
/// Stops early once the MSE is no longer finite or exceeds 1e12 (diverged).
std::vector<Step> descend(const Data& d, double lr, int steps, double m0, double c0);

struct Run {
    double lr;
    std::vector<Step> path;
    std::string verdict;  ///< "converged", "still on its way", "diverged"
};

struct Result {
    double best_m = 0, best_c = 0, best_mse = 0;  ///< least squares (standardised x)
    std::vector<Run> runs;                        ///< lr 0.001, 0.01, 0.1, 1.05
    double m_cm = 0, c_cm = 0;                    ///< lr 0.1's line in cm units
    double raw_lr01_mse = 0;                      ///< MSE after 20 steps with lr 0.1 on unscaled x
};

/// The whole tutorial.
Result run(Report& report);

}  // namespace tut::descent
