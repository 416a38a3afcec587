#include "activations.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "../common/ascii.hpp"

namespace tut::activations {

namespace {

const tg::TensorOptions f64_leaf{tg::DType::f64, /*requires_grad=*/true};

tg::Tensor leaf(const std::vector<double>& values) {
    return tg::from_vector(values, {values.size()}, f64_leaf);
}

// The textbook derivative, only to compare with autodiff.
double formula(const std::string& name, double x) {
    if (name == "sigmoid") {
        const double s = 1 / (1 + std::exp(-x));
        return s * (1 - s);
    }
    if (name == "tanh") return 1 - std::tanh(x) * std::tanh(x);
    if (name == "relu") return x > 0 ? 1 : 0;
    if (name == "leaky_relu") return x > 0 ? 1 : 0.01;
    return 0;  // step
}

}  // namespace

std::vector<Activation> elementwise_activations() {
    return {{"step", [](const tg::Tensor& x) { return tg::step(x); }},
            {"sigmoid", [](const tg::Tensor& x) { return tg::sigmoid(x); }},
            {"tanh", [](const tg::Tensor& x) { return tg::tanh(x); }},
            {"relu", [](const tg::Tensor& x) { return tg::relu(x); }},
            {"leaky_relu", [](const tg::Tensor& x) { return tg::leaky_relu(x, 0.01); }}};
}

Curve curve(const Activation& a, const std::vector<double>& xs) {
    tg::Tensor x = leaf(xs);
    tg::Tensor y = a.fn(x);
    Curve c;
    c.x = xs;
    c.value = y.to_vector();
    // The step has no gradient to give, so tapegrad does not even record it:
    // its output does not require grad, and the derivative is 0 everywhere.
    if (!y.requires_grad()) {
        c.derivative.assign(xs.size(), 0.0);
        return c;
    }
    // Each y_i depends on x_i only, so d(sum y)/dx_i = f'(x_i): one backward gives every derivative.
    tg::sum(y).backward();
    c.derivative = x.grad().to_vector();
    return c;
}

SoftmaxResult softmax_and_jacobian(const std::vector<double>& scores) {
    tg::Tensor z = leaf(scores);
    tg::Tensor p = tg::softmax(z);
    SoftmaxResult r;
    r.scores = scores;
    r.probs = p.to_vector();
    // Row i of the Jacobian: the gradient of p_i alone (seed 1 at i, 0 elsewhere).
    for (std::size_t i = 0; i < scores.size(); ++i) {
        std::vector<double> seed(scores.size(), 0.0);
        seed[i] = 1;
        const tg::Tensor row = tg::grad({p}, {z}, {tg::from_vector(seed, {seed.size()}, {tg::DType::f64})},
                                        {.retain_graph = true})[0];
        r.jacobian.push_back(row.to_vector());
    }
    return r;
}

double chain_derivative(const Activation& a, int depth, double x0, double w, double b) {
    tg::Tensor x = tg::scalar(x0, f64_leaf);
    tg::Tensor h = x;
    for (int k = 0; k < depth; ++k) h = a.fn(h * w + b);
    return tg::grad({h}, {x})[0].item();
}

Result run(Report& report) {
    std::ostream& out = report.out;
    fmt::print(out, "Tutorial 3: activation functions and their derivatives.\n"
                    "Every derivative below comes from autodiff: y = f(x), then one backward pass.\n");
    const auto acts = elementwise_activations();
    Result res;

    // ---- a table at a few points ------------------------------------------------
    const std::vector<double> points = {-4, -2, -1, -0.5, 0, 0.5, 1, 2, 4};
    std::vector<Curve> at_points;
    for (const auto& a : acts) at_points.push_back(curve(a, points));
    const auto table = [&](bool derivative) {
        fmt::print(out, "  {:>6}", "x");
        for (const auto& a : acts) fmt::print(out, " {:>11}", derivative ? a.name + "'" : a.name);
        fmt::print(out, "\n");
        for (std::size_t i = 0; i < points.size(); ++i) {
            fmt::print(out, "  {:>6.1f}", points[i]);
            for (const auto& c : at_points) fmt::print(out, " {:>11.4f}", derivative ? c.derivative[i] : c.value[i]);
            fmt::print(out, "\n");
        }
    };
    report.section("Values f(x)");
    table(false);
    report.section("Derivatives f'(x), from autodiff");
    table(true);
    fmt::print(out, "  At x = 0 ReLU has a kink; tapegrad uses 0 there (leaky_relu: its slope, 0.01).\n"
                    "  The step's derivative is 0 everywhere (tapegrad does not even record it): no gradient\n"
                    "  flows back through a step. That is why networks trained by gradients use smooth ones.\n");

    // ---- curves on a grid, checked against the textbook formulas -----------------
    std::vector<double> grid;
    for (int k = 0; k <= 200; ++k) grid.push_back(-5 + 0.05 * k);
    std::vector<Curve> curves;
    for (const auto& a : acts) curves.push_back(curve(a, grid));
    for (std::size_t j = 0; j < acts.size(); ++j)
        for (std::size_t i = 0; i < grid.size(); ++i)
            res.max_formula_gap =
                std::max(res.max_formula_gap, std::abs(curves[j].derivative[i] - formula(acts[j].name, grid[i])));
    for (double d : curves[0].derivative) res.step_max_abs_d = std::max(res.step_max_abs_d, std::abs(d));
    res.sigmoid_max_d = *std::max_element(curves[1].derivative.begin(), curves[1].derivative.end());
    res.sigmoid_d0 = at_points[1].derivative[4];
    res.tanh_d0 = at_points[2].derivative[4];
    res.relu_d_pos = at_points[3].derivative[7];
    res.relu_d_neg = at_points[3].derivative[1];
    res.leaky_d_neg = at_points[4].derivative[1];

    report.section("Plots");
    fmt::print(out, "  Values, x from -5 to 5:\n");
    fmt::print(out, "{}", ascii_plot({{"step", '_', grid, curves[0].value},
                                      {"relu", 'r', grid, curves[3].value},
                                      {"tanh", 't', grid, curves[2].value},
                                      {"sigmoid", 's', grid, curves[1].value}},
                                     {.height = 13, .y_min = -1.2, .y_max = 2.0}));
    fmt::print(out, "  Derivatives from autodiff:\n");
    fmt::print(out, "{}", ascii_plot({{"relu'", 'r', grid, curves[3].derivative},
                                      {"tanh'", 't', grid, curves[2].derivative},
                                      {"sigmoid'", 's', grid, curves[1].derivative}},
                                     {.height = 11, .y_min = 0, .y_max = 1.0}));
    // (the exact size of this tiny gap depends on the machine's math library, so print a bound)
    fmt::print(out, "  Autodiff and the textbook formulas (s(1 - s), 1 - t^2, ...) agree on all 201 points: {}\n",
               res.max_formula_gap < 1e-12 ? "difference below 1e-12" : fmt::format("difference {:.1e}", res.max_formula_gap));
    std::vector<std::vector<double>> rows;
    for (std::size_t i = 0; i < grid.size(); ++i) {
        std::vector<double> row{grid[i]};
        for (const auto& c : curves) {
            row.push_back(c.value[i]);
            row.push_back(c.derivative[i]);
        }
        rows.push_back(row);
    }
    std::vector<std::string> header{"x"};
    for (const auto& a : acts) {
        header.push_back(a.name);
        header.push_back("d_" + a.name);
    }
    report.csv("activations", header, rows);
    report.gnuplot("activations",
                   "set multiplot layout 1,2\nset grid\nset key top left\nset xlabel 'x'\nset xrange [-5:5]\n"
                   "set title 'activation functions'\nset yrange [-1.2:2]\n"
                   "plot for [c in '2 4 6 8 10'] 'activations.csv' using 1:(column(int(c))) with lines lw 2 "
                   "title columnhead(int(c))\n"
                   "set title 'their derivatives, from autodiff'\nset yrange [-0.1:1.1]\n"
                   "plot for [c in '3 5 7 9 11'] 'activations.csv' using 1:(column(int(c))) with lines lw 2 "
                   "title columnhead(int(c))\n"
                   "unset multiplot\n");

    // ---- softmax ----------------------------------------------------------------------
    report.section("Softmax");
    res.softmax = softmax_and_jacobian({2.0, 1.0, 0.1});
    const auto& sm = res.softmax;
    fmt::print(out, "  scores        {:>8.4f} {:>8.4f} {:>8.4f}\n", sm.scores[0], sm.scores[1], sm.scores[2]);
    fmt::print(out, "  softmax       {:>8.4f} {:>8.4f} {:>8.4f}   sum = {:.4f}\n", sm.probs[0], sm.probs[1],
               sm.probs[2], sm.probs[0] + sm.probs[1] + sm.probs[2]);
    fmt::print(out, "  Each output depends on every score, so its derivative is a matrix (the Jacobian),\n"
                    "  d softmax_i / d score_j, one row per backward pass:\n");
    for (std::size_t i = 0; i < 3; ++i)
        fmt::print(out, "  row {}        {:>8.4f} {:>8.4f} {:>8.4f}   sum = {:.4f}\n", i, sm.jacobian[i][0],
                   sm.jacobian[i][1], sm.jacobian[i][2], sm.jacobian[i][0] + sm.jacobian[i][1] + sm.jacobian[i][2]);
    fmt::print(out, "  The rows sum to 0: raising one score takes probability from the others.\n");

    // ---- the chain: why sigmoid's small derivative vanishes ----------------------------
    report.section("A chain of neurons");
    fmt::print(out, "  a_0 = 1, a_k = f(a_(k-1)) for k = 1..n; d a_n / d a_0 from autodiff:\n");
    fmt::print(out, "  {:>5} {:>14} {:>14} {:>14}\n", "depth", "sigmoid", "tanh", "relu");
    const auto by_name = [&](const std::string& n) {
        return *std::find_if(acts.begin(), acts.end(), [&](const Activation& a) { return a.name == n; });
    };
    std::vector<std::vector<double>> chain_rows;
    for (int n = 1; n <= 10; ++n) {
        res.sigmoid_chain.push_back(chain_derivative(by_name("sigmoid"), n, 1.0));
        res.tanh_chain.push_back(chain_derivative(by_name("tanh"), n, 1.0));
        res.relu_chain.push_back(chain_derivative(by_name("relu"), n, 1.0));
        chain_rows.push_back({static_cast<double>(n), res.sigmoid_chain.back(), res.tanh_chain.back(),
                              res.relu_chain.back()});
        if (n <= 3 || n == 5 || n == 10)
            fmt::print(out, "  {:>5} {:>14.3e} {:>14.3e} {:>14.3e}\n", n, res.sigmoid_chain.back(),
                       res.tanh_chain.back(), res.relu_chain.back());
    }
    fmt::print(out, "  sigmoid'(x) is at most {:.4f} (at x = 0), so each sigmoid layer multiplies the gradient\n"
                    "  by 0.25 or less: after 10 layers it is below 0.25^10 = {:.1e}. The gradient vanishes.\n"
                    "  relu' is 1 for every positive input, so the gradient passes unchanged.\n",
               res.sigmoid_max_d, std::pow(0.25, 10));
    report.csv("chain", {"depth", "sigmoid", "tanh", "relu"}, chain_rows);
    report.gnuplot("chain", "set title 'd a_n / d a_0 through n layers'\nset xlabel 'depth n'\n"
                            "set ylabel 'gradient'\nset logscale y\nset grid\nset key bottom left\n"
                            "plot for [c=2:4] 'chain.csv' using 1:c with linespoints lw 2\n");
    report.files_summary();
    return res;
}

}  // namespace tut::activations
