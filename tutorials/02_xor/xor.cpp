#include "xor.hpp"

#include <cmath>
#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "../common/ascii.hpp"

namespace tut::xor_gate {

namespace nn = tg::nn;

namespace {

const tg::TensorOptions f64{tg::DType::f64};

tg::Tensor row_of(const tg::Tensor& t, std::size_t r) { return tg::slice(t, 0, r, r + 1); }

double sign_accuracy(const std::vector<double>& out, const tg::Tensor& d) {
    int right = 0;
    for (std::size_t i = 0; i < out.size(); ++i) right += (out[i] > 0 ? 1.0 : -1.0) == d.at({i, 0});
    return right / static_cast<double>(out.size());
}

// Decision regions drawn in the terminal: '#' where the model answers +1, '.' for -1;
// the four inputs marked by their desired output ('+' or '-').
std::string regions(const std::function<double(double, double)>& model, const Table& t) {
    std::vector<MapPoint> pts;
    for (std::size_t i = 0; i < 4; ++i) pts.push_back({t.x.at({i, 0}), t.x.at({i, 1}), t.d.at({i, 0}) > 0 ? '+' : '-'});
    return ascii_map([&](double a, double b) { return model(a, b) > 0 ? '#' : '.'; }, -1.5, 1.5, -1.5, 1.5, pts, 41,
                     17);
}

// The model's answer on a grid, for gnuplot's image plot.
void grid_csv(Report& report, const std::string& name, const std::function<double(double, double)>& model) {
    std::vector<std::vector<double>> rows;
    for (int i = 0; i <= 60; ++i)
        for (int j = 0; j <= 60; ++j) {
            const double a = -1.5 + 3.0 * i / 60, b = -1.5 + 3.0 * j / 60;
            rows.push_back({a, b, model(a, b) > 0 ? 1.0 : -1.0});
        }
    report.csv(name, {"x1", "x2", "answer"}, rows);
}

}  // namespace

Table xor_table() {
    return {tg::tensor({{-1, -1}, {-1, 1}, {1, -1}, {1, 1}}, f64), tg::tensor({{-1}, {1}, {1}, {-1}}, f64)};
}

PerceptronRun train_perceptron(nn::Perceptron& p, const Table& t, double eta, int cap) {
    tg::optim::SGD sgd(p.parameters(), eta);
    PerceptronRun run;
    const auto acc = [&] {
        return sign_accuracy(p.predict(t.x).to_vector(), t.d);
    };
    for (int e = 1; e <= cap; ++e) {
        bool error = false;
        for (std::size_t i = 0; i < 4; ++i) {
            const tg::Tensor x = row_of(t.x, i), d = row_of(t.d, i);
            const double y = p.predict(x).item();
            error = error || y != d.item();
            sgd.zero_grad();
            nn::perceptron_criterion(p(x), d, nn::Reduction::mean, /*bipolar=*/true).backward();
            sgd.step();
            if (e <= 2) run.updates.push_back({e, i, y, p.weight.at({0, 0}), p.weight.at({0, 1}), p.bias.item()});
            run.best_accuracy = std::max(run.best_accuracy, acc());
        }
        const Epoch now{e, p.weight.at({0, 0}), p.weight.at({0, 1}), p.bias.item(), acc()};
        if (run.cycle_start < 0)
            for (const Epoch& before : run.epochs)
                if (before.w1 == now.w1 && before.w2 == now.w2 && before.b == now.b) {
                    run.cycle_start = before.epoch;
                    run.cycle_end = e;
                    break;
                }
        run.epochs.push_back(now);
        if (!error) {
            run.converged = true;
            break;
        }
    }
    run.final_accuracy = acc();
    return run;
}

MlpRun train_mlp(const Table& t, int max_steps) {
    tg::manual_seed(2);
    MlpRun run;
    run.net = nn::mlp({2, 4, 1}, {"tanh", "tanh"}, {.dtype = tg::DType::f64});
    tg::optim::Adam adam(run.net->parameters(), 0.05);
    for (int s = 1; s <= max_steps; ++s) {
        adam.zero_grad();
        const tg::Tensor loss = nn::mse_loss((*run.net)(t.x), t.d);
        loss.backward();
        adam.step();
        run.steps = s;
        tg::NoGradGuard no_grad;
        run.outputs = (*run.net)(t.x).to_vector();
        run.loss = nn::mse_loss((*run.net)(t.x), t.d).item();
        run.accuracy = sign_accuracy(run.outputs, t.d);
        if (s == 1 || s % 25 == 0) run.losses.push_back({s, run.loss});
        if (run.accuracy == 1.0 && run.loss < 0.01) break;
    }
    run.losses.push_back({run.steps, run.loss});
    return run;
}

Result run(Report& report) {
    std::ostream& out = report.out;
    Result res;
    const Table t = xor_table();
    fmt::print(out, "Tutorial 2: XOR, the problem a perceptron cannot learn.\n");

    report.section("XOR, as the lesson writes it");
    fmt::print(out, "  {:>3} {:>3}   {}\n", "x1", "x2", "x1 XOR x2");
    for (std::size_t i = 0; i < 4; ++i)
        fmt::print(out, "  {:>3g} {:>3g}   {:>3g}\n", t.x.at({i, 0}), t.x.at({i, 1}), t.d.at({i, 0}));
    fmt::print(out, "  The output is +1 when exactly one input is +1. The two +1 corners face each other\n"
                    "  across the square, and so do the two -1 corners: no straight line splits them.\n");

    report.section("The perceptron on XOR");
    const int cap = 100;
    nn::Perceptron p(2, /*bipolar=*/true);
    p.to(tg::DType::f64);
    res.perceptron = train_perceptron(p, t, 0.1, cap);
    const PerceptronRun& pr = res.perceptron;
    fmt::print(out, "  Bipolar perceptron (answers -1 or +1), zero weights, eta = 0.1, at most {} epochs.\n"
                    "  The weights at the end of each epoch:\n", cap);
    fmt::print(out, "  {:>5} {:>7} {:>7} {:>7} {:>9}\n", "epoch", "w1", "w2", "b", "accuracy");
    for (const Epoch& e : pr.epochs) {
        if (e.epoch > 6 && e.epoch < static_cast<int>(pr.epochs.size()) - 1) {
            if (e.epoch == 7) fmt::print(out, "  {:>5}\n", "...");
            continue;
        }
        fmt::print(out, "  {:>5} {:>7.2f} {:>7.2f} {:>7.2f} {:>8.0f}%\n", e.epoch, e.w1, e.w2, e.b, 100 * e.accuracy);
    }
    fmt::print(out, "  Inside epochs 1 and 2, row by row (y is the answer before the update):\n");
    fmt::print(out, "  {:>5} {:>10} {:>3} {:>3} {:>7} {:>7} {:>7}\n", "epoch", "row", "d", "y", "w1", "w2", "b");
    for (const Update& u : pr.updates)
        fmt::print(out, "  {:>5} {:>10} {:>3g} {:>3g} {:>7.2f} {:>7.2f} {:>7.2f}{}\n", u.epoch,
                   fmt::format("({:g}, {:g})", t.x.at({u.row, 0}), t.x.at({u.row, 1})), t.d.at({u.row, 0}), u.y, u.w1,
                   u.w2, u.b, u.y != t.d.at({u.row, 0}) ? "  wrong: update" : "");
    if (pr.cycle_start > 0)
        fmt::print(out, "  The weights after epoch {} are those after epoch {}: the updates go round in a cycle.\n",
                   pr.cycle_end, pr.cycle_start);
    fmt::print(out, "  {} The cap of {} epochs stopped the loop, not convergence.\n",
               pr.converged ? "It converged (unexpected!)." : "It never had an epoch without errors.", cap);
    fmt::print(out, "  Best accuracy after any update: {:.0f}%. Final accuracy: {:.0f}%.\n", 100 * pr.best_accuracy,
               100 * pr.final_accuracy);
    const double w1 = p.weight.at({0, 0}), w2 = p.weight.at({0, 1}), b = p.bias.item();
    const auto perceptron_model = [&](double a, double c) { return w1 * a + w2 * c + b > 0 ? 1.0 : -1.0; };
    fmt::print(out, "  Its regions at the end ('#' answers +1, '.' answers -1; '+' and '-' mark the wanted output):\n");
    fmt::print(out, "{}", regions(perceptron_model, t));

    report.section("A two-layer MLP on XOR");
    res.mlp = train_mlp(t);
    const MlpRun& m = res.mlp;
    fmt::print(out, "  mlp({{2, 4, 1}}, {{\"tanh\", \"tanh\"}}): 2 inputs, 4 hidden tanh neurons, 1 tanh output.\n"
                    "  Full-batch Adam (lr 0.05) on the MSE, until all four are right and the MSE < 0.01:\n");
    for (const auto& [s, l] : m.losses)
        if (s == 1 || s % 50 == 0 || s == m.steps) fmt::print(out, "  step {:>4}  MSE {:.4f}\n", s, l);
    fmt::print(out, "  {:>3} {:>3} {:>7} {:>8}\n", "x1", "x2", "wanted", "output");
    for (std::size_t i = 0; i < 4; ++i)
        fmt::print(out, "  {:>3g} {:>3g} {:>7g} {:>8.4f}\n", t.x.at({i, 0}), t.x.at({i, 1}), t.d.at({i, 0}),
                   m.outputs[i]);
    fmt::print(out, "  Accuracy {:.0f}% after {} steps.\n", 100 * m.accuracy, m.steps);
    const auto mlp_model = [&](double a, double c) {
        tg::NoGradGuard no_grad;
        return (*m.net)(tg::tensor({{a, c}}, f64)).item();
    };
    fmt::print(out, "  Its regions: two areas answer +1, one around each +1 corner:\n");
    fmt::print(out, "{}", regions(mlp_model, t));
    fmt::print(out, "  Each hidden neuron draws one line; the output neuron combines them. Two lines can fence\n"
                    "  off XOR's corners; one line cannot.\n");

    grid_csv(report, "perceptron_regions", perceptron_model);
    grid_csv(report, "mlp_regions", mlp_model);
    std::vector<std::vector<double>> pts;
    for (std::size_t i = 0; i < 4; ++i) pts.push_back({t.x.at({i, 0}), t.x.at({i, 1}), t.d.at({i, 0})});
    report.csv("xor_points", {"x1", "x2", "d"}, pts);
    const std::string panel =
        "plot '{0}' using 1:2:3 with image notitle, "
        "'xor_points.csv' using 1:($3 > 0 ? $2 : 1/0) with points pt 7 ps 3 lc rgb 'black' title 'XOR = +1', "
        "'xor_points.csv' using 1:($3 < 0 ? $2 : 1/0) with points pt 6 ps 3 lw 2 lc rgb 'black' title 'XOR = -1'\n";
    report.gnuplot("regions", "set multiplot layout 1,2\nset size ratio -1\nunset colorbox\n"
                              "set palette defined (-1 '#fdd0a2', 1 '#9ecae1')\nset xrange [-1.5:1.5]\n"
                              "set yrange [-1.5:1.5]\nset key below\n"
                              "set title 'perceptron (100 epochs): one line'\n" +
                                  fmt::format(fmt::runtime(panel), "perceptron_regions.csv") +
                                  "set title 'MLP 2-4-1: XOR solved'\n" +
                                  fmt::format(fmt::runtime(panel), "mlp_regions.csv") + "unset multiplot\n");
    report.files_summary();
    return res;
}

}  // namespace tut::xor_gate
