#include "ascent.hpp"

#include <cmath>
#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "../common/ascii.hpp"

namespace tut::ascent {

tg::Tensor profit(const tg::Tensor& price) { return (price - 4.0) * (100.0 - 8.0 * price); }

tg::Tensor two_hills(const tg::Tensor& w) { return -tg::pow(w, 4) + 4.0 * tg::square(w) + w; }

namespace {

double value(const Objective& f, double x) {
    tg::NoGradGuard no_grad;
    return f(tg::scalar(x, {tg::DType::f64})).item();
}

}  // namespace

Climb climb(const Objective& f, double x0, const ClimbOptions& o) {
    tg::Tensor x = tg::scalar(x0, {tg::DType::f64, true});
    // Step 1 of the lesson: start somewhere. SGD with maximize climbs: x ← x + lr·dJ/dx.
    tg::optim::SGD sgd({x}, {.lr = o.lr, .maximize = true});
    Climb c;
    for (int k = 0;; ++k) {
        if (k == o.max_iterations) {
            c.stop_reason = fmt::format("stopped: {} iterations, the cap", k);
            break;
        }
        const tg::Tensor j = f(x);
        sgd.zero_grad();
        j.backward();
        const double before = x.item(), g = x.grad().item();
        sgd.step();  // Step 2: a step up the slope
        const double after = x.item();
        Iteration it{k, before, j.item(), g, sgd.lr(), after - before, false};
        if (value(f, after) < j.item()) {
            // The step went over the top and down the other side: take it back, halve the rate.
            tg::NoGradGuard no_grad;
            x.fill_(before);
            sgd.set_lr(sgd.lr() / 2);
            it.undone = true;
        }
        c.iterations.push_back(it);
        if (!it.undone && std::abs(it.step) < o.tolerance) {  // Step 3: repeat until the steps are tiny
            c.stop_reason = fmt::format("stopped: the step was smaller than {:g}", o.tolerance);
            break;
        }
    }
    c.x = x.item();
    c.objective = value(f, c.x);
    return c;
}

double plain_steps(const Objective& f, double x0, double lr, int steps, bool maximize_f) {
    tg::Tensor x = tg::scalar(x0, {tg::DType::f64, true});
    tg::optim::SGD sgd({x}, {.lr = lr, .maximize = maximize_f});
    for (int k = 0; k < steps; ++k) {
        sgd.zero_grad();
        (maximize_f ? f(x) : -f(x)).backward();
        sgd.step();
    }
    return x.item();
}

Result run(Report& report) {
    std::ostream& out = report.out;
    Result res;
    fmt::print(out, "Tutorial 7: gradient ascent. Climb an objective to its maximum.\n");

    report.section("The objective: profit");
    fmt::print(out, "  A shop sells at price p. Each unit costs $4, and 100 - 8p units sell.\n"
                    "  profit(p) = (p - 4) * (100 - 8p). We want the price of the largest profit.\n"
                    "  Gradient ascent: p <- p + lr * dprofit/dp, that is tg::optim::SGD with .maximize = true.\n");

    report.section("Climbing");
    res.profit = climb(profit, 5.0, {.lr = 0.2, .max_iterations = 100, .tolerance = 1e-6});
    fmt::print(out, "  {:>4} {:>10} {:>10} {:>11} {:>8} {:>11}\n", "iter", "price", "profit", "slope", "lr", "step");
    const auto& its = res.profit.iterations;
    for (std::size_t i = 0; i < its.size(); ++i) {
        if (i >= 8 && i + 3 < its.size()) {
            if (i == 8) fmt::print(out, "  {:>4}\n", "...");
            continue;
        }
        const Iteration& it = its[i];
        fmt::print(out, "  {:>4} {:>10.6f} {:>10.6f} {:>11.6f} {:>8.4f} {:>11.6f}{}\n", it.k, it.x, it.objective,
                   it.gradient, it.lr, it.step,
                   it.undone ? "  profit would drop: step undone, lr halved" : "");
    }
    fmt::print(out, "  {}\n", res.profit.stop_reason);
    fmt::print(out, "  best price {:.6f}, profit {:.6f}  (exact: 8.25 and 144.5)\n", res.profit.x,
               res.profit.objective);
    fmt::print(out, "  Two things shrink the steps: the learning rate was halved once, and the slope\n"
                    "  itself flattens near the top, so lr * slope gets smaller every iteration.\n");
    {
        std::vector<double> px, py, cx, cy;
        for (int k = 0; k <= 60; ++k) {
            px.push_back(4 + 8.0 * k / 60);
            py.push_back(value(profit, px.back()));
        }
        for (const Iteration& it : its) {
            cx.push_back(it.x);
            cy.push_back(it.objective);
        }
        fmt::print(out, "{}", ascii_plot({{"profit(p)", '.', px, py}, {"the climb", 'o', cx, cy}},
                                         {.height = 12, .y_min = 0, .y_max = 150, .x_label = "price p",
                                          .y_label = "profit"}));
        std::vector<std::vector<double>> curve, path;
        for (std::size_t k = 0; k < px.size(); ++k) curve.push_back({px[k], py[k]});
        for (const Iteration& it : its) path.push_back({static_cast<double>(it.k), it.x, it.objective, it.lr});
        report.csv("profit", {"price", "profit"}, curve);
        report.csv("climb", {"iteration", "price", "profit", "lr"}, path);
        report.gnuplot("climb", "set title 'gradient ascent on the profit'\nset xlabel 'price'\n"
                                "set ylabel 'profit'\nset grid\nset key bottom center\n"
                                "plot 'profit.csv' using 1:2 with lines lw 2 title 'profit(p)', "
                                "'climb.csv' using 2:3 with linespoints pt 7 title 'the climb'\n");
    }

    report.section("Maximising J is minimising -J");
    for (int k = 0; k < 20; ++k) {
        const double a = plain_steps(profit, 5.0, 0.05, k, true), b = plain_steps(profit, 5.0, 0.05, k, false);
        res.max_gap_maximize_vs_minimize_neg = std::max(res.max_gap_maximize_vs_minimize_neg, std::abs(a - b));
    }
    fmt::print(out, "  20 steps of SGD(maximize) on profit and of plain SGD on -profit, lr 0.05:\n"
                    "  largest difference between the two paths: {:g}\n"
                    "  Ascent is descent with the sign of the gradient flipped: the same rule, the other way.\n",
               res.max_gap_maximize_vs_minimize_neg);

    report.section("Two hills");
    res.hill_left = climb(two_hills, -2.0, {.lr = 0.05});
    res.hill_right = climb(two_hills, 0.5, {.lr = 0.05});
    fmt::print(out, "  J(w) = -w^4 + 4w^2 + w has two hills. Where the climb ends depends on where it starts:\n");
    for (const auto& [start, c] : {std::pair{-2.0, &res.hill_left}, std::pair{0.5, &res.hill_right}})
        fmt::print(out, "  start w = {:>4}: top at w = {:>9.6f}, J = {:.6f}, after {} iterations\n", start, c->x,
                   c->objective, c->iterations.size());
    fmt::print(out, "  Both are maxima (the slope is 0 there), but only the second is the highest.\n"
                    "  Gradient ascent finds a local maximum: the top of the hill it starts on.\n");
    {
        std::vector<double> wx, wy;
        for (int k = 0; k <= 80; ++k) {
            wx.push_back(-2.2 + 4.4 * k / 80);
            wy.push_back(value(two_hills, wx.back()));
        }
        std::vector<double> lx, ly, rx, ry;
        for (const Iteration& it : res.hill_left.iterations) lx.push_back(it.x), ly.push_back(it.objective);
        for (const Iteration& it : res.hill_right.iterations) rx.push_back(it.x), ry.push_back(it.objective);
        fmt::print(out, "{}", ascii_plot({{"J(w)", '.', wx, wy}, {"from -2", 'L', lx, ly}, {"from 0.5", 'R', rx, ry}},
                                         {.height = 12, .y_min = -2, .y_max = 6, .x_label = "w"}));
        std::vector<std::vector<double>> rows;
        for (std::size_t k = 0; k < wx.size(); ++k) rows.push_back({wx[k], wy[k]});
        report.csv("two_hills", {"w", "J"}, rows);
        std::vector<std::vector<double>> pl, pr;
        for (std::size_t k = 0; k < lx.size(); ++k) pl.push_back({lx[k], ly[k]});
        for (std::size_t k = 0; k < rx.size(); ++k) pr.push_back({rx[k], ry[k]});
        report.csv("climb_from_left", {"w", "J"}, pl);
        report.csv("climb_from_right", {"w", "J"}, pr);
        report.gnuplot("two_hills", "set title 'two hills: the climb ends on the hill it starts on'\n"
                                    "set xlabel 'w'\nset ylabel 'J(w)'\nset grid\nset yrange [-2:6]\n"
                                    "set key bottom center\n"
                                    "plot 'two_hills.csv' using 1:2 with lines lw 2 title 'J(w)', "
                                    "'climb_from_left.csv' using 1:2 with linespoints pt 7 title 'from -2', "
                                    "'climb_from_right.csv' using 1:2 with linespoints pt 7 title 'from 0.5'\n");
    }
    report.files_summary();
    return res;
}

}  // namespace tut::ascent
