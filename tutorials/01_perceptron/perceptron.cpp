#include "perceptron.hpp"

#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "../common/ascii.hpp"

namespace tut::perceptron {

namespace nn = tg::nn;

namespace {

tg::Tensor row(const std::vector<double>& v) { return tg::from_vector(v, {1, v.size()}, {tg::DType::f64}); }

// The regions of a trained perceptron, drawn in the terminal: '#' where it
// answers 1, '.' where it answers 0; the four inputs marked by their desired output.
std::string regions(nn::Perceptron& p, const Gate& g) {
    const double w1 = p.weight.at({0, 0}), w2 = p.weight.at({0, 1}), b = p.bias.item();
    std::vector<MapPoint> points;
    for (std::size_t i = 0; i < g.x.size(); ++i)
        points.push_back({g.x[i][0], g.x[i][1], g.d[i] > 0 ? '1' : '0'});
    return ascii_map([&](double x1, double x2) { return w1 * x1 + w2 * x2 + b > 0 ? '#' : '.'; }, -0.5, 1.5, -0.5,
                     1.5, points, 41, 17);
}

void plot(Report& report, nn::Perceptron& p, const Gate& g) {
    const double w1 = p.weight.at({0, 0}), w2 = p.weight.at({0, 1}), b = p.bias.item();
    std::vector<std::vector<double>> pts;
    for (std::size_t i = 0; i < g.x.size(); ++i) pts.push_back({g.x[i][0], g.x[i][1], g.d[i]});
    report.csv(g.name + "_points", {"x1", "x2", "d"}, pts);
    // the decision line w1*x1 + w2*x2 + b = 0, i.e. x2 = -(w1*x1 + b) / w2
    std::vector<std::vector<double>> line;
    for (double x1 : {-0.5, 1.5}) line.push_back({x1, -(w1 * x1 + b) / w2});
    report.csv(g.name + "_line", {"x1", "x2"}, line);
    report.gnuplot(g.name, fmt::format("set title '{0}: the perceptron''s decision line {1:.2f} x1 + {2:.2f} x2 + {3:.2f} = 0'\n"
                                       "set xlabel 'x1'\nset ylabel 'x2'\nset xrange [-0.5:1.5]\nset yrange [-0.5:1.5]\n"
                                       "set size ratio -1\nset grid\nset key outside right\nset clip two\n"
                                       "plot '{0}_line.csv' using 1:2 with lines lw 2 title 'w.x + b = 0', "
                                       "'{0}_points.csv' using 1:($3 == 1 ? $2 : 1/0) with points pt 7 ps 2 title 'output 1', "
                                       "'{0}_points.csv' using 1:($3 == 0 ? $2 : 1/0) with points pt 6 ps 2 title 'output 0'\n",
                                       g.name, w1, w2, b));
}

}  // namespace

Gate and_gate() { return {"AND", {{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {0, 0, 0, 1}}; }
Gate or_gate() { return {"OR", {{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {0, 1, 1, 1}}; }

std::vector<Epoch> train(nn::Perceptron& p, const Gate& gate, double eta, int max_epochs) {
    tg::optim::SGD sgd(p.parameters(), eta);
    std::vector<Epoch> epochs;
    for (int e = 1; e <= max_epochs; ++e) {
        int errors = 0;
        for (std::size_t i = 0; i < gate.x.size(); ++i) {
            const tg::Tensor x = row(gate.x[i]), d = row({gate.d[i]});
            errors += p.predict(x).item() != gate.d[i];
            // L = (y - d)·z with z = w·x + b and y = step(z): dL/dw = (y - d)·x, dL/db = y - d.
            // So the SGD step w -= eta·dL/dw is the perceptron rule w += eta·(d - y)·x.
            sgd.zero_grad();
            nn::perceptron_criterion(p(x), d).backward();
            sgd.step();
        }
        epochs.push_back({e, p.weight.at({0, 0}), p.weight.at({0, 1}), p.bias.item(), errors});
        if (errors == 0) break;
    }
    return epochs;
}

double accuracy(nn::Perceptron& p, const Gate& gate) {
    int right = 0;
    for (std::size_t i = 0; i < gate.x.size(); ++i) right += p.predict(row(gate.x[i])).item() == gate.d[i];
    return static_cast<double>(right) / static_cast<double>(gate.x.size());
}

Result run(Report& report) {
    std::ostream& out = report.out;
    Result res;
    fmt::print(out, "Tutorial 1: the artificial neuron and the perceptron.\n");

    report.section("An artificial neuron");
    {
        // three inputs, three weights, a bias, and the step as transfer function
        const tg::Tensor w = tg::tensor({{0.6, 0.4, -0.2}}, {tg::DType::f64});
        const tg::Tensor b = tg::tensor({-0.3}, {tg::DType::f64});
        fmt::print(out, "  weights w = (0.6, 0.4, -0.2), bias b = -0.3, output y = step(w.x + b)\n");
        for (const auto& xs : {std::vector<double>{1, 0, 1}, std::vector<double>{0, 1, 1}}) {
            const tg::Tensor x = row(xs);
            const tg::Tensor z = tg::linear(x, w, b);  // weighted sum plus bias
            const tg::Tensor y = tg::step(z);          // 1 if z > 0, else 0
            fmt::print(out, "  x = ({:g}, {:g}, {:g}): w.x + b = {:.1f}*{:g} + {:.1f}*{:g} + ({:.1f})*{:g} + ({:.1f}) = {:>4.1f}"
                            "  ->  y = {:g}\n",
                       xs[0], xs[1], xs[2], 0.6, xs[0], 0.4, xs[1], -0.2, xs[2], -0.3, z.item(), y.item());
            if (xs[0] == 1) {
                res.neuron_sum_a = z.item();
                res.neuron_out_a = y.item();
            } else {
                res.neuron_sum_b = z.item();
                res.neuron_out_b = y.item();
            }
        }
        fmt::print(out, "  The weights decide how much each input matters; the bias moves the threshold.\n");
    }

    const double eta = 0.1;
    report.section("One update, by the chain rule");
    {
        nn::Perceptron p(2);
        p.to(tg::DType::f64);
        const Gate g = and_gate();
        // the first row the zero perceptron gets wrong on AND is (1, 1): z = 0, y = 0, d = 1
        const tg::Tensor x = row(g.x[3]), d = row({g.d[3]});
        const tg::Tensor z = p(x);
        const tg::Tensor loss = nn::perceptron_criterion(z, d);
        loss.backward();
        res.first_gradient = {p.weight.grad().at({0, 0}), p.weight.grad().at({0, 1}), p.bias.grad().at({0})};
        fmt::print(out, "  Start from zero weights. Row (1, 1) of AND wants d = 1.\n"
                        "  z = w.x + b = {:g}, so y = step(z) = {:g}: wrong.\n",
                   z.item(), p.predict(x).item());
        fmt::print(out, "  The perceptron criterion L = (y - d) * z has gradient, from backward():\n"
                        "  dL/dw1 = {:g}, dL/dw2 = {:g}, dL/db = {:g}, that is (y - d) * (x1, x2, 1).\n",
                   res.first_gradient[0], res.first_gradient[1], res.first_gradient[2]);
        fmt::print(out, "  SGD with eta = {:g} subtracts eta times the gradient: w += eta * (d - y) * x,\n"
                        "  the lesson's rule. Each weight moves by {:g}.\n",
                   eta, -eta * res.first_gradient[0]);
    }

    for (const Gate& g : {and_gate(), or_gate()}) {
        report.section(fmt::format("Training on {}", g.name));
        fmt::print(out, "  x1 x2 -> d:  ");
        for (std::size_t i = 0; i < 4; ++i) fmt::print(out, "{}({:g},{:g}) -> {:g}", i ? ", " : "", g.x[i][0], g.x[i][1], g.d[i]);
        fmt::print(out, "\n  eta = {:g}, zero weights, one row at a time; the weights after each epoch:\n", eta);
        nn::Perceptron p(2);
        p.to(tg::DType::f64);
        GateResult gr;
        gr.epochs = train(p, g, eta, 50);
        fmt::print(out, "  {:>5} {:>7} {:>7} {:>7} {:>7}\n", "epoch", "w1", "w2", "b", "errors");
        for (const Epoch& e : gr.epochs)
            fmt::print(out, "  {:>5} {:>7.2f} {:>7.2f} {:>7.2f} {:>7}\n", e.epoch, e.w1, e.w2, e.b, e.errors);
        gr.accuracy = accuracy(p, g);
        gr.w1 = p.weight.at({0, 0});
        gr.w2 = p.weight.at({0, 1});
        gr.b = p.bias.item();
        fmt::print(out, "  An epoch without errors: training stops. Accuracy {:.0f}%.\n", 100 * gr.accuracy);
        fmt::print(out, "  Decision line {:.2f}*x1 + {:.2f}*x2 + ({:.2f}) = 0; '#' answers 1, '.' answers 0:\n", gr.w1,
                   gr.w2, gr.b);
        fmt::print(out, "{}", regions(p, g));
        plot(report, p, g);
        (g.name == "AND" ? res.and_result : res.or_result) = gr;
    }
    fmt::print(out, "\n  One straight line separates the 1s from the 0s: AND and OR are linearly separable.\n"
                    "  Tutorial 2 shows a gate where no line can: XOR.\n");
    report.files_summary();
    return res;
}

}  // namespace tut::perceptron
