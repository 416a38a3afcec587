#pragma once
// Tutorial 7: gradient ascent: the same optimiser with maximize, climbing an
// objective to its maximum, with a stopping criterion and shrinking steps.
#include <functional>
#include <string>
#include <vector>

#include <tapegrad/tapegrad.hpp>

#include "../common/report.hpp"

namespace tut::ascent {

/// An objective of one variable, built from tapegrad ops so autodiff can differentiate it.
using Objective = std::function<tg::Tensor(const tg::Tensor&)>;

/// Profit of selling at price p: (p − 4)·(100 − 8p), $4 cost per unit and
/// demand 100 − 8p units. Its maximum is at p = 8.25, profit 144.5.
tg::Tensor profit(const tg::Tensor& price);

/// J(w) = −w⁴ + 4w² + w: two hills, a higher one near w = 1.47 and a lower one near w = −1.35.
tg::Tensor two_hills(const tg::Tensor& w);

struct ClimbOptions {
    double lr = 0.1;
    int max_iterations = 100;
    double tolerance = 1e-6;  ///< stop when a step moves the variable less than this
};

/// One iteration of the climb.
struct Iteration {
    int k;
    double x, objective, gradient, lr, step;
    bool undone;  ///< the step lowered the objective: taken back, learning rate halved
};

struct Climb {
    std::vector<Iteration> iterations;
    double x = 0, objective = 0;
    std::string stop_reason;
};

/// Gradient ascent from x0 with tg::optim::SGD{maximize = true}: x ← x + lr·dJ/dx.
/// The lesson's rules: if a step would lower J, undo it and halve the learning
/// rate (smaller, more precise steps); stop when a step is below tolerance or
/// after max_iterations.
Climb climb(const Objective& f, double x0, const ClimbOptions& options = {});

/// x after `steps` SGD steps from x0: maximising f with maximize, or minimising −f.
double plain_steps(const Objective& f, double x0, double lr, int steps, bool maximize_f);

struct Result {
    Climb profit;
    Climb hill_left, hill_right;  ///< two_hills from −2 and from 0.5
    double max_gap_maximize_vs_minimize_neg = 0;  ///< |x| difference over 20 steps, should be 0
};

/// The whole tutorial.
Result run(Report& report);

}  // namespace tut::ascent
