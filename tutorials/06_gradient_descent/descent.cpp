#include "descent.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "../common/ascii.hpp"
#include "../common/data.hpp"

namespace tut::descent {

namespace nn = tg::nn;

Data load_data(bool standardise) {
    const auto csv = nn::read_csv(data_path("iris.csv").string(),
                                  {.features = {"petal_length", "petal_width"}, .dtype = tg::DType::f64});
    const auto cols = tg::split(csv.x, {1, 1}, 1);
    Data d;
    d.x = tg::reshape(cols[0], {-1});
    d.y = tg::reshape(cols[1], {-1});
    d.x_mean = tg::mean(d.x).item();
    d.x_std = std::sqrt(tg::mean(tg::square(d.x - d.x_mean)).item());
    if (standardise) d.x = (d.x - d.x_mean) / d.x_std;
    return d;
}

double mse(const Data& d, double m, double c) {
    tg::NoGradGuard no_grad;
    return nn::mse_loss(d.x * m + c, d.y).item();
}

std::vector<Step> descend(const Data& d, double lr, int steps, double m0, double c0) {
    tg::Tensor m = tg::scalar(m0, {tg::DType::f64, true});
    tg::Tensor c = tg::scalar(c0, {tg::DType::f64, true});
    tg::optim::SGD sgd({m, c}, lr);
    std::vector<Step> path;
    for (int s = 0;; ++s) {
        const tg::Tensor loss = nn::mse_loss(d.x * m + c, d.y);  // the cost at (m, c)
        path.push_back({s, m.item(), c.item(), loss.item()});
        if (s == steps || !std::isfinite(loss.item()) || loss.item() > 1e12) break;
        sgd.zero_grad();
        loss.backward();  // fills m.grad() = dMSE/dm and c.grad() = dMSE/dc
        sgd.step();       // m -= lr * dMSE/dm;  c -= lr * dMSE/dc
    }
    return path;
}

Result run(Report& report) {
    std::ostream& out = report.out;
    Result res;
    fmt::print(out, "Tutorial 6: gradient descent. Fit the line y = m*x + c by walking down the MSE.\n");
    const Data d = load_data(true);
    const double m0 = -0.5, c0 = 3.0;  // a poor start, so the walk is long enough to see
    {
        // least squares, for reference: with x standardised, m = mean(x*y), c = mean(y)
        tg::NoGradGuard no_grad;
        res.best_m = tg::mean(d.x * d.y).item();
        res.best_c = tg::mean(d.y).item();
        res.best_mse = mse(d, res.best_m, res.best_c);
    }

    report.section("The data and the cost");
    fmt::print(out, "  150 iris flowers: y = petal width (cm), x = petal length, standardised:\n"
                    "  x = (length - {:.4f}) / {:.4f}, so x has mean 0 and standard deviation 1.\n",
               d.x_mean, d.x_std);
    fmt::print(out, "  The cost is MSE(m, c) = mean of (y - (m*x + c))^2. Its lowest point (least squares):\n"
                    "  m = {:.4f}, c = {:.4f}, MSE = {:.4f}\n", res.best_m, res.best_c, res.best_mse);
    fmt::print(out, "  Every run starts at m = {}, c = {} (MSE {:.4f}) and takes 100 steps.\n", m0, c0, mse(d, m0, c0));

    report.section("Learning rates compared");
    const std::vector<double> rates = {0.001, 0.01, 0.1, 1.05};
    for (double lr : rates) {
        Run r{lr, descend(d, lr, 100, m0, c0), ""};
        const Step& last = r.path.back();
        const double dist = std::hypot(last.m - res.best_m, last.c - res.best_c);
        r.verdict = !std::isfinite(last.mse) || last.mse > mse(d, m0, c0) ? "diverged"
                    : dist < 1e-4                                         ? "converged"
                                                                          : "still on its way";
        res.runs.push_back(r);
    }
    fmt::print(out, "  MSE after each number of steps:\n");
    fmt::print(out, "  {:>5}", "step");
    for (double lr : rates) fmt::print(out, " {:>12}", fmt::format("lr {}", lr));
    fmt::print(out, "\n");
    for (int s : {0, 1, 2, 5, 10, 20, 50, 100}) {
        fmt::print(out, "  {:>5}", s);
        for (const Run& r : res.runs)
            fmt::print(out, " {:>12}", static_cast<std::size_t>(s) < r.path.size()
                                           ? fmt::format("{:.5g}", r.path[static_cast<std::size_t>(s)].mse)
                                           : std::string("-"));
        fmt::print(out, "\n");
    }
    fmt::print(out, "  where each run ended:\n");
    for (const Run& r : res.runs) {
        const Step& last = r.path.back();
        fmt::print(out, "  lr {:<6} m = {:>10.4g}  c = {:>10.4g}  MSE = {:>10.4g}  {}\n", r.lr, last.m, last.c, last.mse,
                   r.verdict);
    }
    fmt::print(out, "  0.001 and 0.01 are safe but slow here; 0.1 reaches the bottom; 1.05 overshoots\n"
                    "  further at every step and diverges.\n");
    const Run& good = res.runs[2];
    res.m_cm = good.path.back().m / d.x_std;
    res.c_cm = good.path.back().c - good.path.back().m * d.x_mean / d.x_std;
    fmt::print(out, "  In centimetres, lr 0.1's line is width = {:.4f} * length + ({:.4f}), tutorial 5's best line.\n",
               res.m_cm, res.c_cm);

    report.section("The bowl");
    fmt::print(out, "  MSE over (m, c), darker is higher; the digits are the runs' first 30 steps\n"
                    "  (1: lr 0.001, 2: lr 0.01, 3: lr 0.1, 4: lr 1.05); B is the bottom.\n");
    const double mlo = -1.5, mhi = 2.5, clo = -1.0, chi = 3.5;
    std::vector<MapPoint> marks;
    for (std::size_t k = 0; k < res.runs.size(); ++k)
        for (std::size_t s = 0; s < std::min<std::size_t>(31, res.runs[k].path.size()); ++s)
            marks.push_back({res.runs[k].path[s].m, res.runs[k].path[s].c, static_cast<char>('1' + k)});
    marks.push_back({res.best_m, res.best_c, 'B'});
    const std::string shades = " .:-=+*#%@";
    const double top = mse(d, mhi, chi);
    fmt::print(out, "{}", ascii_map(
                              [&](double m, double c) {
                                  const double v = std::sqrt(mse(d, m, c) / top);  // sqrt: more levels near the bottom
                                  return shades[std::min<std::size_t>(shades.size() - 1,
                                                                      static_cast<std::size_t>(v * shades.size()))];
                              },
                              mlo, mhi, clo, chi, marks, 61, 21));
    fmt::print(out, "  (m across, c up)\n");
    // the surface, as gnuplot's grid format: blocks of constant m separated by blank lines
    std::string bowl = "m,c,mse\n";
    for (int i = 0; i <= 40; ++i) {
        for (int j = 0; j <= 40; ++j) {
            const double m = mlo + (mhi - mlo) * i / 40, c = clo + (chi - clo) * j / 40;
            bowl += fmt::format("{:.6g},{:.6g},{:.8g}\n", m, c, mse(d, m, c));
        }
        bowl += "\n";
    }
    report.text_file("bowl.csv", bowl);
    for (const Run& r : res.runs) {
        std::vector<std::vector<double>> rows;
        for (const Step& s : r.path)
            if (s.m >= mlo && s.m <= mhi && s.c >= clo && s.c <= chi)
                rows.push_back({static_cast<double>(s.step), s.m, s.c, s.mse});
        report.csv(fmt::format("path_lr{}", r.lr), {"step", "m", "c", "mse"}, rows);
    }
    report.gnuplot("bowl",
                   "set multiplot layout 1,2\n"
                   "set title 'the MSE bowl over (m, c)'\nset xlabel 'm'\nset ylabel 'c'\nset zlabel 'MSE'\n"
                   "set view 60,30\nset hidden3d\nset key off\n"
                   "splot 'bowl.csv' using 1:2:3 with lines lc rgb '#999999', "
                   "'path_lr0.1.csv' using 2:3:4 with linespoints lw 2 pt 7 ps 0.5 lc rgb 'red'\n"
                   "set title 'seen from above, with each learning rate'\nunset hidden3d\n"
                   "set view map\nset key top right box opaque\nset xrange [-1.5:2.5]\nset yrange [-1:3.5]\n"
                   "set palette defined (0 'white', 1 '#6baed6', 2 '#08306b')\nunset colorbox\n"
                   "splot 'bowl.csv' using 1:2:3 with pm3d notitle, "
                   "'path_lr0.001.csv' using 2:3:(0) with linespoints lw 2 pt 7 ps 0.4 title 'lr 0.001', "
                   "'path_lr0.01.csv' using 2:3:(0) with linespoints lw 2 pt 7 ps 0.4 title 'lr 0.01', "
                   "'path_lr0.1.csv' using 2:3:(0) with linespoints lw 2 pt 7 ps 0.4 title 'lr 0.1', "
                   "'path_lr1.05.csv' using 2:3:(0) with linespoints lw 2 pt 7 ps 0.4 title 'lr 1.05'\n"
                   "unset multiplot\n");
    std::vector<std::vector<double>> curves;
    for (int s = 0; s <= 100; ++s) {
        std::vector<double> row{static_cast<double>(s)};
        for (const Run& r : res.runs)
            row.push_back(static_cast<std::size_t>(s) < r.path.size() ? r.path[static_cast<std::size_t>(s)].mse : NAN);
        curves.push_back(row);
    }
    report.csv("mse_by_step", {"step", "lr 0.001", "lr 0.01", "lr 0.1", "lr 1.05"}, curves);
    report.gnuplot("mse_by_step", "set title 'MSE while descending'\nset xlabel 'step'\nset ylabel 'MSE'\n"
                                  "set logscale y\nset grid\nset yrange [0.01:100]\n"
                                  "plot for [k=2:5] 'mse_by_step.csv' using 1:k with lines lw 2\n");

    report.section("Without standardising x");
    {
        const Data raw = load_data(false);
        const auto path = descend(raw, 0.1, 20, m0, c0);
        res.raw_lr01_mse = path.back().mse;
        fmt::print(out, "  The same descent on x in centimetres (from 1 to 6.9) with lr 0.1:\n");
        for (int s : {0, 1, 2, 5, 10, 20})
            if (static_cast<std::size_t>(s) < path.size())
                fmt::print(out, "  step {:>2}  MSE = {:.5g}\n", s, path[static_cast<std::size_t>(s)].mse);
        if (path.size() < 21)
            fmt::print(out, "  stopped after step {}: the MSE passed 1e12\n", path.back().step);
        fmt::print(out, "  It diverges. Large inputs make the bowl steep along m, and a step that suits c\n"
                        "  overshoots along m. Scaling the inputs first lets one learning rate suit both.\n");
    }
    report.files_summary();
    return res;
}

}  // namespace tut::descent
