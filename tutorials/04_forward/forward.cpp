#include "forward.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "../common/ascii.hpp"

namespace tut::forward {

namespace {

std::string vec(const std::vector<double>& v, int decimals = 4) {
    std::vector<std::string> parts;
    for (double x : v) parts.push_back(fmt::format("{:.{}f}", x, decimals));
    return fmt::format("[{}]", fmt::join(parts, ", "));
}

// "a*x" terms joined with + and -, as one writes a sum by hand: "1.0*2.5 - 0.5*3.0 + 1.5"
std::string sum_text(const std::vector<double>& weights, const std::vector<double>& inputs, double bias, int decimals) {
    std::string s;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const double w = weights[i];
        s += i == 0 ? fmt::format("{:.1f}", w) : fmt::format(" {} {:.1f}", w < 0 ? '-' : '+', std::abs(w));
        s += fmt::format("*{:.{}f}", inputs[i], decimals);
    }
    return s + fmt::format(" {} {:.1f}", bias < 0 ? '-' : '+', std::abs(bias));
}

std::string matrix_row(const std::vector<double>& v) {
    std::string s;
    for (double x : v) s += fmt::format(" {:>5.2f}", x);
    return "[" + s + " ]";
}

std::vector<double> row(const tg::Tensor& t, std::size_t r) {
    std::vector<double> v;
    for (std::size_t c = 0; c < t.size(1); ++c) v.push_back(t.at({r, c}));
    return v;
}

}  // namespace

Weights hand_weights() {
    Weights w;
    // Hidden neurons: h1 "large amount", h2 "at night and far away",
    // h3 "small, by day, near home" (a legitimate pattern), h4 "a bit of everything".
    w.w1 = tg::tensor({{1.0, 0.0, 0.0}, {0.0, 1.0, 0.5}, {-1.0, -1.0, -0.5}, {0.5, 0.5, 0.5}});
    w.b1 = tg::tensor({-1.0, -1.0, 1.5, -0.5});
    // Output neurons: o1 legitimate, o2 fraud.
    w.w2 = tg::tensor({{-0.5, -1.0, 2.0, 0.0}, {1.0, 1.5, -1.0, 0.5}});
    w.b2 = tg::tensor({0.5, -1.5});
    return w;
}

Pass forward(const Weights& w, const tg::Tensor& x) {
    Pass p;
    // tg::linear(x, W, b) = x·Wᵀ + b: for one row x it is W·x + b, the lesson's formula;
    // for a batch, one matrix product handles every row at once.
    p.net1 = tg::linear(x, w.w1, w.b1);
    p.out1 = tg::relu(p.net1);
    p.net2 = tg::linear(p.out1, w.w2, w.b2);
    p.out2 = tg::softmax(p.net2, -1);
    return p;
}

std::shared_ptr<tg::nn::Sequential> as_layers(const Weights& w) {
    auto fc1 = std::make_shared<tg::nn::Linear>(3, 4);
    auto fc2 = std::make_shared<tg::nn::Linear>(4, 2);
    {
        tg::NoGradGuard no_grad;  // copying values into parameters is not part of any computation
        fc1->weight.copy_(w.w1);
        fc1->bias.copy_(w.b1);
        fc2->weight.copy_(w.w2);
        fc2->bias.copy_(w.b2);
    }
    auto model = std::make_shared<tg::nn::Sequential>();
    model->push_back(fc1);
    model->push_back(tg::nn::ReLU());
    model->push_back(fc2);
    model->push_back(tg::nn::Softmax());
    return model;
}

Result run(Report& report) {
    std::ostream& out = report.out;
    fmt::print(out, "Tutorial 4: forward propagation, y = f(W x + b), one layer after the other.\n");
    const Weights w = hand_weights();
    const char* inputs[3] = {"amount ($1000)", "at night (0/1)", "distance (100 km)"};
    const char* hidden_names[4] = {"large amount", "night and far", "small, day, near", "a bit of all"};
    const char* output_names[2] = {"legitimate", "fraud"};

    report.section("The network");
    fmt::print(out, "  3 inputs -> 4 hidden neurons (ReLU) -> 2 output neurons (softmax)\n");
    fmt::print(out, "  inputs: {}, {}, {}\n", inputs[0], inputs[1], inputs[2]);
    fmt::print(out, "  W1 (4 x 3), b1 (4):\n");
    for (std::size_t r = 0; r < 4; ++r)
        fmt::print(out, "    h{}  {}  {:>5.2f}   ({})\n", r + 1, matrix_row(row(w.w1, r)), w.b1.at({r}), hidden_names[r]);
    fmt::print(out, "  W2 (2 x 4), b2 (2):\n");
    for (std::size_t r = 0; r < 2; ++r)
        fmt::print(out, "    o{}  {}  {:>5.2f}   ({})\n", r + 1, matrix_row(row(w.w2, r)), w.b2.at({r}), output_names[r]);

    const tg::Tensor x = tg::tensor({{2.5, 1.0, 3.0}});  // $2,500 at night, 300 km from home
    const Pass p = forward(w, x);
    Result res;
    res.hidden = row(p.out1, 0);

    report.section("Layer 1: the hidden layer");
    fmt::print(out, "  x = {}   ($2,500, at night, 300 km from home)\n", vec(row(x, 0), 1));
    for (std::size_t j = 0; j < 4; ++j)
        fmt::print(out, "  h{}: net = {:<34} = {:>7.4f}   out = relu(net) = {:.4f}\n", j + 1,
                   sum_text(row(w.w1, j), row(x, 0), w.b1.at({j}), 1), p.net1.at({0, j}), p.out1.at({0, j}));

    report.section("Layer 2: the output layer");
    fmt::print(out, "  its inputs are the hidden outputs h = {}\n", vec(res.hidden));
    for (std::size_t k = 0; k < 2; ++k)
        fmt::print(out, "  o{}: net = {} = {:>7.4f}\n", k + 1, sum_text(row(w.w2, k), res.hidden, w.b2.at({k}), 2),
                   p.net2.at({0, k}));
    res.probabilities = row(p.out2, 0);
    fmt::print(out, "  softmax turns the two net inputs into probabilities that sum to 1:\n");
    fmt::print(out, "  P(legitimate) = {:.4f}   P(fraud) = {:.4f}\n", res.probabilities[0], res.probabilities[1]);

    report.section("The same with layers");
    const auto model = as_layers(w);
    fmt::print(out, "  Sequential(Linear(3, 4), ReLU, Linear(4, 2), Softmax), the weights above copied in:\n{}",
               indent(tg::nn::to_string(*model)));
    const tg::Tensor y = (*model)(x);
    fmt::print(out, "  model(x) = {}   (the same numbers)\n", vec(row(y, 0)));

    report.section("A batch of transactions");
    const tg::Tensor batch = tg::tensor({{2.5, 1.0, 3.0}, {0.03, 0.0, 0.05}, {0.8, 0.0, 0.2}, {0.2, 1.0, 4.0}});
    const char* about[4] = {"$2,500 at night, 300 km away", "$30 by day, 5 km away", "$800 by day, 20 km away",
                            "$200 at night, 400 km away"};
    fmt::print(out, "  Rows of X are transactions. linear(X, W, b) = X W^T + b runs the layer on all rows at once.\n");
    const tg::Tensor yb = (*model)(batch);
    const Pass pb = forward(w, batch);
    for (std::size_t r = 0; r < batch.size(0); ++r) {
        res.batch_fraud.push_back(yb.at({r, 1}));
        for (std::size_t c = 0; c < 2; ++c)
            res.layers_gap = std::max(res.layers_gap, std::abs(yb.at({r, c}) - pb.out2.at({r, c})));
        fmt::print(out, "  {}  {:<30} P(fraud) = {:.4f}  -> {}\n", vec(row(batch, r), 2), about[r], yb.at({r, 1}),
                   yb.at({r, 1}) > 0.5 ? "alert" : "pass");
    }
    report.files_summary();
    return res;
}

}  // namespace tut::forward
