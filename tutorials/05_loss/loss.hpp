#pragma once
// Tutorial 5: loss and cost, on real numbers.
#include <vector>

#include <tapegrad/tapegrad.hpp>

#include "../common/report.hpp"

namespace tut::loss {

/// The iris flowers' petal lengths (x) and widths (y), in cm, float64 [150].
struct Petals {
    tg::Tensor length, width;
};
Petals load_petals();

/// MSE of the line y = m·x + c on the petals: (1/n)·Σ (y_i − (m·x_i + c))².
double line_mse(const Petals& p, double m, double c);

/// The least-squares line (the (m, c) of lowest MSE), in closed form.
std::pair<double, double> best_line(const Petals& p);

struct Result {
    double arrow_error = 0, arrow_squared = 0, arrow_absolute = 0;  ///< predicted 10, actual 8
    double guess_mse = 0, guess_sum = 0, guess_half_sum = 0;         ///< the guessed line on 150 flowers
    double best_m = 0, best_c = 0, best_mse = 0;
    std::vector<double> bce;          ///< per-case binary cross-entropy of the table
    double bce_mean = 0, bce_from_logits_mean = 0;
    double ce_right = 0, ce_wrong = 0;  ///< cross-entropy of one flower's scores, true class 0 / 2
};

/// The whole tutorial.
Result run(Report& report);

}  // namespace tut::loss
