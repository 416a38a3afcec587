#include "backprop.hpp"

#include <cmath>
#include <optional>
#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace tut::backprop {

namespace {

tg::Tensor number(double v, bool trainable = false) { return tg::scalar(v, {tg::DType::f64, trainable}); }

// d(output)/d(input) for two tensors of the same graph, as a number.
double d(const tg::Tensor& output, const tg::Tensor& input) {
    return tg::grad({output}, {input}, {}, {.retain_graph = true})[0].item();
}

// A figure as the lesson's slides print it ("" when the slide gives none).
struct Slide {
    std::string text;
    std::string note;  ///< why it differs, when it does
};

// Does the slide's figure agree with the exact value to the digits it shows?
// (Within one unit of its last digit: the slides sometimes cut instead of round.)
std::string verdict(double exact, const std::string& slide) {
    if (slide.empty()) return "";
    const double shown = std::stod(slide);
    const auto dot = slide.find('.');
    const int digits = dot == std::string::npos ? 0 : static_cast<int>(slide.size() - dot - 1);
    return std::abs(exact - shown) <= std::pow(10.0, -digits) + 1e-12 ? "agrees" : "differs";
}

void row(std::ostream& out, const std::string& name, double value, const Slide& slide, int decimals = 9) {
    const std::string v = fmt::format("{:.{}f}", value, decimals);
    const std::string s = slide.text.empty() ? "-" : slide.text;
    std::string line = fmt::format("  {:<38} {:>13}   {:<13} {}", name, v, s, verdict(value, slide.text));
    if (!slide.note.empty()) line += "  (" + slide.note + ")";
    line.erase(line.find_last_not_of(' ') + 1);
    fmt::print(out, "{}\n", line);
}

void header(std::ostream& out) {
    fmt::print(out, "  {:<38} {:>13}   {:<13}\n", "quantity", "tapegrad", "lesson's slide");
}

}  // namespace

Network lesson_network() {
    Network n;
    n.i1 = number(0.05);
    n.i2 = number(0.10);
    n.target1 = number(0.01);
    n.target2 = number(0.99);
    n.b1 = number(0.35);
    n.b2 = number(0.60);
    const double w[8] = {0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55};
    for (int k = 0; k < 8; ++k) n.w[k] = number(w[k], /*trainable=*/true);
    return n;
}

Forward forward(const Network& n) {
    const auto& w = n.w;
    Forward f;
    // hidden layer: net = Σ w·input + b·1, out = sigmoid(net)
    f.net_h1 = w[0] * n.i1 + w[1] * n.i2 + n.b1;
    f.net_h2 = w[2] * n.i1 + w[3] * n.i2 + n.b1;
    f.out_h1 = tg::sigmoid(f.net_h1);
    f.out_h2 = tg::sigmoid(f.net_h2);
    // output layer, fed by the hidden outputs
    f.net_o1 = w[4] * f.out_h1 + w[5] * f.out_h2 + n.b2;
    f.net_o2 = w[6] * f.out_h1 + w[7] * f.out_h2 + n.b2;
    f.out_o1 = tg::sigmoid(f.net_o1);
    f.out_o2 = tg::sigmoid(f.net_o2);
    // squared errors, E = ½·(target − out)²
    f.e_o1 = 0.5 * tg::square(n.target1 - f.out_o1);
    f.e_o2 = 0.5 * tg::square(n.target2 - f.out_o2);
    f.e_total = f.e_o1 + f.e_o2;
    return f;
}

WorkedExample worked_example(double lr) {
    Network n = lesson_network();
    const Forward f = forward(n);
    WorkedExample r{};
    r.net_h1 = f.net_h1.item();
    r.out_h1 = f.out_h1.item();
    r.net_h2 = f.net_h2.item();
    r.out_h2 = f.out_h2.item();
    r.net_o1 = f.net_o1.item();
    r.out_o1 = f.out_o1.item();
    r.net_o2 = f.net_o2.item();
    r.out_o2 = f.out_o2.item();
    r.e_o1 = f.e_o1.item();
    r.e_o2 = f.e_o2.item();
    r.e_total = f.e_total.item();

    // Each factor of the chain rule is itself a derivative the engine can give:
    // of one tensor of the graph with respect to another.
    r.de_dout_o1 = d(f.e_total, f.out_o1);
    r.dout_o1_dnet_o1 = d(f.out_o1, f.net_o1);
    r.dnet_o1_dw5 = d(f.net_o1, n.w[4]);
    r.de_dw5 = d(f.e_total, n.w[4]);
    r.delta_o1 = d(f.e_total, f.net_o1);

    r.de_o1_dout_h1 = d(f.e_o1, f.out_h1);
    r.de_o2_dout_h1 = d(f.e_o2, f.out_h1);
    r.de_dout_h1 = d(f.e_total, f.out_h1);
    r.dout_h1_dnet_h1 = d(f.out_h1, f.net_h1);
    r.dnet_h1_dw1 = d(f.net_h1, n.w[0]);
    r.de_dw1 = d(f.e_total, n.w[0]);

    // One backward pass fills every weight's .grad(); SGD then does w⁺ = w − η·dE/dw.
    f.e_total.backward();
    std::vector<tg::Tensor> weights(n.w.begin(), n.w.end());
    for (int k = 0; k < 8; ++k) r.grad[k] = n.w[k].grad().item();
    tg::optim::SGD sgd(weights, lr);
    sgd.step();
    for (int k = 0; k < 8; ++k) r.updated[k] = n.w[k].item();
    r.e_total_after_one_step = forward(n).e_total.item();
    return r;
}

double train(int steps, double lr, std::vector<double>* history) {
    Network n = lesson_network();
    tg::optim::SGD sgd(std::vector<tg::Tensor>(n.w.begin(), n.w.end()), lr);
    for (int s = 0; s < steps; ++s) {
        const tg::Tensor e = forward(n).e_total;
        if (history) history->push_back(e.item());
        sgd.zero_grad();
        e.backward();
        sgd.step();
    }
    return forward(n).e_total.item();
}

WorkedExample run(Report& report) {
    std::ostream& out = report.out;
    fmt::print(out, "Tutorial 8: backpropagation, worked by the engine.\n"
                    "The lesson's 2-2-2 network, sigmoid neurons, E = 1/2 * sum (target - out)^2, eta = 0.5.\n"
                    "Every number below comes from tapegrad (float64); the slide's figure is printed beside it.\n");
    const WorkedExample r = worked_example(0.5);

    report.section("The network");
    fmt::print(out, "  inputs  i1 = 0.05, i2 = 0.10      targets o1 = 0.01, o2 = 0.99\n"
                    "  biases  b1 = 0.35 (hidden), b2 = 0.60 (output); they are not updated\n"
                    "  weight  from -> to  value\n");
    const char* links[8] = {"i1 -> h1", "i2 -> h1", "i1 -> h2", "i2 -> h2",
                            "h1 -> o1", "h2 -> o1", "h1 -> o2", "h2 -> o2"};
    const double w0[8] = {0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55};
    for (int k = 0; k < 8; ++k) fmt::print(out, "  w{}      {}    {:.2f}\n", k + 1, links[k], w0[k]);

    report.section("Forward pass");
    header(out);
    row(out, "net_h1 = w1*i1 + w2*i2 + b1", r.net_h1, {"0.3775", ""});
    row(out, "out_h1 = sigmoid(net_h1)", r.out_h1, {"0.593269992", ""});
    row(out, "net_h2 = w3*i1 + w4*i2 + b1", r.net_h2, {"", ""});
    row(out, "out_h2 = sigmoid(net_h2)", r.out_h2, {"0.59869", "it then uses 0.596884378"});
    row(out, "net_o1 = w5*out_h1 + w6*out_h2 + b2", r.net_o1, {"1.105905967", ""});
    row(out, "out_o1 = sigmoid(net_o1)", r.out_o1, {"0.7571", "its next slide: 0.75136507"});
    row(out, "net_o2 = w7*out_h1 + w8*out_h2 + b2", r.net_o2, {"", ""});
    row(out, "out_o2 = sigmoid(net_o2)", r.out_o2, {"0.7679", ""});
    row(out, "E_o1 = 1/2 (target_o1 - out_o1)^2", r.e_o1, {"0.2791", "from 0.7571"});
    row(out, "E_o2 = 1/2 (target_o2 - out_o2)^2", r.e_o2, {"0.0247", ""});
    row(out, "E_total = E_o1 + E_o2", r.e_total, {"", ""});

    report.section("Backward pass: dE/dw5");
    fmt::print(out, "  dE/dw5 = dE/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5, each factor from tg::grad\n");
    header(out);
    row(out, "dE/dout_o1 = out_o1 - target_o1", r.de_dout_o1, {"0.7471", "from 0.7571"});
    row(out, "dout_o1/dnet_o1 = out_o1(1 - out_o1)", r.dout_o1_dnet_o1, {"0.1839", "from 0.7571"});
    row(out, "dnet_o1/dw5 = out_h1", r.dnet_o1_dw5, {"0.5933", ""});
    row(out, "product of the three", r.de_dout_o1 * r.dout_o1_dnet_o1 * r.dnet_o1_dw5, {"", ""});
    row(out, "dE/dw5 (engine, one backward)", r.de_dw5, {"0.0815", "from the two above"});
    row(out, "delta_o1 = dE/dnet_o1", r.delta_o1, {"0.138498562", ""});

    report.section("Backward pass: dE/dw1");
    fmt::print(out, "  out_h1 feeds both outputs, so dE/dout_h1 = dE_o1/dout_h1 + dE_o2/dout_h1\n");
    header(out);
    row(out, "dE_o1/dout_h1 = delta_o1 * w5", r.de_o1_dout_h1, {"0.055399425", ""});
    row(out, "dE_o2/dout_h1 = delta_o2 * w7", r.de_o2_dout_h1, {"-0.019049119", ""});
    row(out, "dE/dout_h1 (sum of the two)", r.de_dout_h1, {"0.036350306", ""});
    row(out, "dout_h1/dnet_h1 = out_h1(1 - out_h1)", r.dout_h1_dnet_h1, {"0.241300709", ""});
    row(out, "dnet_h1/dw1 = i1", r.dnet_h1_dw1, {"0.05", ""});
    row(out, "product of the three", r.de_dout_h1 * r.dout_h1_dnet_h1 * r.dnet_h1_dw1, {"", ""});
    row(out, "dE/dw1 (engine, one backward)", r.de_dw1, {"0.000438568", ""});

    report.section("One update");
    fmt::print(out, "  w+ = w - eta * dE/dw with eta = 0.5, done by tg::optim::SGD\n");
    fmt::print(out, "  {:<6} {:>6} {:>13} {:>12}   {:<10}\n", "weight", "before", "dE/dw", "after", "lesson's slide");
    const char* slide_after[8] = {"0.14978071", "0.19956143", "0.24975114", "0.29950229",
                                  "0.35925",    "0.4617",     "0.51183",    "0.56183"};
    for (int k = 0; k < 8; ++k) {
        std::string line = fmt::format("  w{}     {:>6.2f} {:>13.9f} {:>12.8f}   {:<10} {}", k + 1, w0[k], r.grad[k],
                                       r.updated[k], slide_after[k], verdict(r.updated[k], slide_after[k]));
        fmt::print(out, "{}\n", line);
    }
    fmt::print(out, "  E_total before the update {:.9f}, after {:.9f}\n", r.e_total, r.e_total_after_one_step);

    report.section("Repeating the update");
    std::vector<double> history;
    const int steps = 10000;
    const double final_error = train(steps, 0.5, &history);
    history.push_back(final_error);
    for (int s : {0, 1, 10, 100, 1000, 10000})
        fmt::print(out, "  after {:>5} updates  E_total = {:.9f}\n", s, history[static_cast<std::size_t>(s)]);
    {
        Network n = lesson_network();
        tg::optim::SGD sgd(std::vector<tg::Tensor>(n.w.begin(), n.w.end()), 0.5);
        for (int s = 0; s < steps; ++s) {
            sgd.zero_grad();
            forward(n).e_total.backward();
            sgd.step();
        }
        const Forward f = forward(n);
        fmt::print(out, "  outputs now o1 = {:.9f} (target 0.01), o2 = {:.9f} (target 0.99)\n", f.out_o1.item(),
                   f.out_o2.item());
    }
    std::vector<std::vector<double>> rows;
    for (std::size_t s = 0; s < history.size(); ++s) rows.push_back({static_cast<double>(s), history[s]});
    report.csv("error", {"update", "E_total"}, rows);
    report.gnuplot("error", "set title 'E_total while the 2-2-2 network trains (eta = 0.5)'\n"
                            "set xlabel 'updates'\nset ylabel 'E_total'\nset logscale y\nset grid\n"
                            "plot 'error.csv' using 1:2 with lines lw 2 notitle\n");

    report.section("Your own chain-rule trace");
    fmt::print(out, "  tg::explain(E_total, names) lists every tensor of the graph with its value and dE_total/d(it):\n");
    {
        Network n = lesson_network();
        const Forward f = forward(n);
        std::vector<std::pair<std::string, tg::Tensor>> names = {
            {"net_h1", f.net_h1}, {"out_h1", f.out_h1}, {"net_h2", f.net_h2}, {"out_h2", f.out_h2},
            {"net_o1", f.net_o1}, {"out_o1", f.out_o1}, {"net_o2", f.net_o2}, {"out_o2", f.out_o2},
            {"E_o1", f.e_o1},     {"E_o2", f.e_o2},     {"E_total", f.e_total}, {"i1", n.i1},
            {"i2", n.i2},         {"b1", n.b1},         {"b2", n.b2},           {"target_o1", n.target1},
            {"target_o2", n.target2}};
        for (int k = 0; k < 8; ++k) names.push_back({fmt::format("w{}", k + 1), n.w[k]});
        const tg::Trace trace = tg::explain(f.e_total, names);
        std::string text = trace.str();
        // indent, without trailing spaces
        std::string indented;
        std::size_t start = 0;
        while (start < text.size()) {
            const std::size_t end = text.find('\n', start);
            std::string line = text.substr(start, end - start);
            line.erase(line.find_last_not_of(' ') + 1);
            indented += "  " + line + "\n";
            start = end + 1;
        }
        fmt::print(out, "{}", indented);
        report.text_file("trace.dot", trace.dot());
        fmt::print(out, "  The same trace as a Graphviz graph: trace.dot (render: dot -Tpng trace.dot -o trace.png)\n");
    }
    report.files_summary();
    return r;
}

}  // namespace tut::backprop
