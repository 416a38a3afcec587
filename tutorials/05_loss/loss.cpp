#include "loss.hpp"

#include <cmath>
#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "../common/ascii.hpp"
#include "../common/data.hpp"

namespace tut::loss {

namespace nn = tg::nn;

Petals load_petals() {
    const auto csv = nn::read_csv(data_path("iris.csv").string(),
                                  {.features = {"petal_length", "petal_width"}, .dtype = tg::DType::f64});
    const auto cols = tg::split(csv.x, {1, 1}, 1);
    return {tg::reshape(cols[0], {-1}), tg::reshape(cols[1], {-1})};
}

double line_mse(const Petals& p, double m, double c) {
    return nn::mse_loss(p.length * m + c, p.width).item();
}

std::pair<double, double> best_line(const Petals& p) {
    // m = cov(x, y) / var(x), c = mean(y) − m·mean(x)
    const double mx = tg::mean(p.length).item(), my = tg::mean(p.width).item();
    const double cov = tg::mean((p.length - mx) * (p.width - my)).item();
    const double var = tg::mean(tg::square(p.length - mx)).item();
    const double m = cov / var;
    return {m, my - m * mx};
}

Result run(Report& report) {
    std::ostream& out = report.out;
    Result res;
    fmt::print(out, "Tutorial 5: loss and cost. How far is a prediction from the truth?\n");

    report.section("One prediction: the arrow");
    {
        const tg::Tensor predicted = tg::scalar(10, {tg::DType::f64}), actual = tg::scalar(8, {tg::DType::f64});
        res.arrow_error = (actual - predicted).item();
        res.arrow_squared = nn::mse_loss(predicted, actual).item();
        res.arrow_absolute = nn::l1_loss(predicted, actual).item();
        fmt::print(out, "  predicted 10, the arrow hit 8\n");
        fmt::print(out, "  error    = actual - predicted = {:g}\n", res.arrow_error);
        fmt::print(out, "  squared  = (actual - predicted)^2 = {:g}      tg::nn::mse_loss(predicted, actual)\n",
                   res.arrow_squared);
        fmt::print(out, "  absolute = |actual - predicted| = {:g}        tg::nn::l1_loss(predicted, actual)\n",
                   res.arrow_absolute);
        fmt::print(out, "  Squaring makes every miss count as positive, and big misses count much more.\n");
    }

    const Petals petals = load_petals();
    const std::size_t n = petals.length.size();
    const double m = 0.4, c = -0.3;  // a first guess: width = 0.4 * length - 0.3
    report.section("A cost over a data set: MSE");
    {
        fmt::print(out, "  {} iris flowers. Predict the petal width from the petal length with the line\n"
                        "  width = {} * length + ({}), a guess. The first five flowers:\n", n, m, c);
        fmt::print(out, "  {:>8} {:>8} {:>10} {:>8} {:>9}\n", "length", "width", "predicted", "error", "squared");
        const tg::Tensor pred = petals.length * m + c;
        for (std::size_t i = 0; i < 5; ++i) {
            const double x = petals.length.at({i}), y = petals.width.at({i}), p = pred.at({i});
            fmt::print(out, "  {:>8.1f} {:>8.1f} {:>10.2f} {:>8.2f} {:>9.4f}\n", x, y, p, y - p, (y - p) * (y - p));
        }
        res.guess_mse = nn::mse_loss(pred, petals.width).item();
        res.guess_sum = nn::mse_loss(pred, petals.width, nn::Reduction::sum).item();
        res.guess_half_sum = nn::mse_loss(pred, petals.width, nn::Reduction::half_sum).item();
        fmt::print(out, "  The loss is one flower's squared error. The cost gathers them over all {} flowers:\n", n);
        fmt::print(out, "  sum of squared errors     {:>9.4f}   Reduction::sum\n", res.guess_sum);
        fmt::print(out, "  MSE = sum / {}           {:>9.4f}   Reduction::mean (the default)\n", n, res.guess_mse);
        fmt::print(out, "  1/2 * sum (tutorial 8's)  {:>9.4f}   Reduction::half_sum\n", res.guess_half_sum);
    }

    report.section("Which line is best?");
    {
        const auto [bm, bc] = best_line(petals);
        res.best_m = bm;
        res.best_c = bc;
        res.best_mse = line_mse(petals, bm, bc);
        fmt::print(out, "  The MSE of the line y = m*x + c depends on m and c. Lower is better:\n");
        fmt::print(out, "  {:>8} {:>8} {:>9}\n", "m", "c", "MSE");
        for (auto [mm, cc] : std::vector<std::pair<double, double>>{{0.3, 0.0}, {m, c}, {0.5, -0.5}})
            fmt::print(out, "  {:>8.4f} {:>8.4f} {:>9.4f}\n", mm, cc, line_mse(petals, mm, cc));
        fmt::print(out, "  {:>8.4f} {:>8.4f} {:>9.4f}   the lowest there is (least squares)\n", bm, bc, res.best_mse);
        fmt::print(out, "  Tutorial 6 finds this line by gradient descent, walking down the MSE.\n");
        const std::vector<double> xs = petals.length.to_vector(), ys = petals.width.to_vector();
        std::vector<double> lx, ly;
        for (int k = 0; k <= 60; ++k) {
            lx.push_back(1 + 6.0 * k / 60);
            ly.push_back(bm * lx.back() + bc);
        }
        fmt::print(out, "{}", ascii_plot({{"best line", '-', lx, ly}, {"flowers", 'o', xs, ys}},
                                         {.height = 12, .x_label = "petal length (cm)", .y_label = "width (cm)"}));
        std::vector<std::vector<double>> rows;
        for (std::size_t i = 0; i < n; ++i) rows.push_back({xs[i], ys[i], bm * xs[i] + bc, m * xs[i] + c});
        report.csv("petals", {"petal_length", "petal_width", "best_line", "guess"}, rows);
        report.gnuplot("petals", "set title 'iris petals: width against length'\nset xlabel 'petal length (cm)'\n"
                                 "set ylabel 'petal width (cm)'\nset grid\nset key top left\n"
                                 "plot 'petals.csv' using 1:2 with points pt 7 ps 0.8 title 'flowers', "
                                 "'' using 1:3 with lines lw 2 title sprintf('best line, MSE %.4f', "
                                 + fmt::format("{:.6f}", res.best_mse) + "), "
                                 "'' using 1:4 with lines lw 2 dt 2 title sprintf('guess, MSE %.4f', "
                                 + fmt::format("{:.6f}", res.guess_mse) + ")\n");
    }

    report.section("Binary cross-entropy");
    {
        // Predicted probability that a tumour is malignant, and the truth (1 malignant, 0 benign).
        const std::vector<double> p = {0.9, 0.6, 0.1, 0.1, 0.99};
        const std::vector<double> t = {1, 1, 1, 0, 0};
        const tg::Tensor prob = tg::from_vector(p, {5}, {tg::DType::f64});
        const tg::Tensor target = tg::from_vector(t, {5}, {tg::DType::f64});
        const tg::Tensor per_case = nn::binary_cross_entropy(prob, target, nn::Reduction::none);
        const tg::Tensor sq = nn::mse_loss(prob, target, nn::Reduction::none);
        res.bce = per_case.to_vector();
        res.bce_mean = nn::binary_cross_entropy(prob, target).item();
        // The same from scores (logits): log(p / (1 - p)) is the score whose sigmoid is p.
        const tg::Tensor logits = tg::log(prob / (1.0 - prob));
        res.bce_from_logits_mean = nn::binary_cross_entropy_with_logits(logits, target).item();
        fmt::print(out, "  For a yes/no answer the model gives a probability p of \"yes\" (here: malignant).\n"
                        "  BCE = -[t log p + (1 - t) log(1 - p)]: small when p is near the truth t,\n"
                        "  huge when the model is sure and wrong.\n");
        fmt::print(out, "  {:>5} {:>6} {:>8} {:>12}\n", "p", "truth", "BCE", "squared err");
        const char* what[5] = {"sure and right", "unsure, right", "sure and wrong", "sure and right",
                               "very sure and wrong"};
        for (std::size_t i = 0; i < 5; ++i)
            fmt::print(out, "  {:>5.2f} {:>6g} {:>8.4f} {:>12.4f}   {}\n", p[i], t[i], res.bce[i], sq.at({i}), what[i]);
        fmt::print(out, "  mean BCE {:.4f}   (binary_cross_entropy; from scores: binary_cross_entropy_with_logits "
                        "{:.4f})\n", res.bce_mean, res.bce_from_logits_mean);
        fmt::print(out, "  The squared error of the last case is below 1; its BCE is {:.2f}.\n", res.bce[4]);
    }

    report.section("Cross-entropy for several classes");
    {
        const tg::Tensor scores = tg::tensor({{2.0, 0.5, -1.0}}, {tg::DType::f64});
        const tg::Tensor probs = tg::softmax(scores);
        res.ce_right = nn::cross_entropy(scores, tg::tensor({0.0}, {tg::DType::f64})).item();
        res.ce_wrong = nn::cross_entropy(scores, tg::tensor({2.0}, {tg::DType::f64})).item();
        fmt::print(out, "  A flower gets one score per species: setosa 2.0, versicolor 0.5, virginica -1.0.\n");
        fmt::print(out, "  softmax gives probabilities {:.4f}, {:.4f}, {:.4f}.\n", probs.at({0, 0}), probs.at({0, 1}),
                   probs.at({0, 2}));
        fmt::print(out, "  Cross-entropy = -log(probability of the true class):\n");
        fmt::print(out, "  if it is a setosa:    -log {:.4f} = {:.4f}\n", probs.at({0, 0}), res.ce_right);
        fmt::print(out, "  if it is a virginica: -log {:.4f} = {:.4f}\n", probs.at({0, 2}), res.ce_wrong);
        fmt::print(out, "  tg::nn::cross_entropy(scores, class) takes the scores; it applies softmax itself.\n");
    }
    report.files_summary();
    return res;
}

}  // namespace tut::loss
