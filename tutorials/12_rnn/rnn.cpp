#include "rnn.hpp"

#include <cmath>
#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "../common/ascii.hpp"
#include "../common/data.hpp"

namespace tut::rnn {

namespace nn = tg::nn;

nn::Dataset first_input_task(std::size_t n, std::size_t length, std::uint64_t seed) {
    tg::Generator gen(seed);
    std::vector<float> xs, ys;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t t = 0; t < length; ++t) xs.push_back(gen.below(2) ? 1.0f : -1.0f);
        ys.push_back(xs[i * length] > 0 ? 1.0f : 0.0f);
    }
    return nn::Dataset(tg::from_vector(xs, {n, length, 1}), tg::from_vector(ys, {n, 1}));
}

Recaller::Recaller(std::size_t hidden) {
    rnn = register_module("rnn", std::make_shared<nn::RNN>(1, hidden));
    head = register_module("head", std::make_shared<nn::Linear>(hidden, 1));
}

tg::Tensor Recaller::forward(const tg::Tensor& x) {
    // h_t = tanh(W_ih x_t + W_hh h_(t-1) + b): the state h carries what the net has read so far
    const nn::RecurrentOutput out = rnn->run(x);
    return (*head)(tg::reshape(out.h_n, {static_cast<std::int64_t>(x.size(0)), -1}));
}

tg::Tensor Recaller::states(const tg::Tensor& x) { return rnn->run(x).output; }

std::shared_ptr<nn::Sequential> make_memoryless(std::size_t hidden) {
    // reads x_T only: [batch, time, 1] -> last step [batch, 1] -> hidden -> 1
    struct LastStep : nn::Module {
        tg::Tensor forward(const tg::Tensor& x) override {
            const auto t = static_cast<std::int64_t>(x.size(1));
            return tg::reshape(tg::slice(x, 1, t - 1, t), {static_cast<std::int64_t>(x.size(0)), -1});
        }
        std::string type_name() const override { return "LastStep"; }
    };
    return std::make_shared<nn::Sequential>(LastStep(), nn::Linear(1, hidden), nn::Tanh(), nn::Linear(hidden, 1));
}

std::vector<double> load_sunspots() {
    const auto csv = nn::read_csv(data_path("sm_sunspots_yearly.csv").string(),
                                  {.features = {"SUNACTIVITY"}, .dtype = tg::DType::f64});
    return csv.x.to_vector();
}

Forecaster::Forecaster(std::size_t hidden) {
    gru = register_module("gru", std::make_shared<nn::GRU>(1, hidden));
    head = register_module("head", std::make_shared<nn::Linear>(hidden, 1));
}

tg::Tensor Forecaster::forward(const tg::Tensor& x) {
    const nn::RecurrentOutput out = gru->run(x);
    return (*head)(tg::reshape(out.h_n, {static_cast<std::int64_t>(x.size(0)), -1}));
}

Result run(Report& report) {
    std::ostream& out = report.out;
    Result res;
    fmt::print(out, "Tutorial 12: recurrent neural networks (RNN). The state is the memory.\n");

    // ---- part 1: remember the first input -------------------------------------------
    const std::size_t length = 10, hidden = 16;
    const nn::Dataset train = first_input_task(2000, length, 1), test = first_input_task(500, length, 2);
    report.section("The task: remember the first input");
    fmt::print(out, "  Each sequence has {} inputs, each +1 or -1 at random. After reading all of them,\n"
                    "  answer: was the FIRST input +1? The answer is nowhere in the last inputs.\n"
                    "  2000 sequences to train on, 500 new ones to test.\n", length);

    report.section("An RNN against a network without memory");
    tg::manual_seed(3);
    auto rnn = std::make_shared<Recaller>(hidden);
    auto memoryless = make_memoryless(hidden);
    const nn::LossFn bce = [](const tg::Tensor& o, const tg::Tensor& t) {
        return nn::binary_cross_entropy_with_logits(o, t);
    };
    {
        tg::optim::Adam adam(rnn->parameters(), 0.01);
        nn::fit(*rnn, bce, adam, train, {.epochs = 15, .batch_size = 50, .seed = 4, .clip_grad_norm = 1.0, .verbose = 0});
        tg::optim::Adam adam2(memoryless->parameters(), 0.01);
        nn::fit(*memoryless, bce, adam2, train, {.epochs = 15, .batch_size = 50, .seed = 4, .verbose = 0});
    }
    res.rnn_accuracy = nn::accuracy(nn::predict(*rnn, test.x), test.y, 0.0);
    res.memoryless_accuracy = nn::accuracy(nn::predict(*memoryless, test.x), test.y, 0.0);
    fmt::print(out, "  RNN(1 input, {} hidden, tanh) + Linear({}, 1), {} parameters\n", hidden, hidden,
               rnn->parameter_count());
    fmt::print(out, "  feed-forward Linear(1, {}) + tanh + Linear({}, 1) on one step, {} parameters\n", hidden, hidden,
               memoryless->parameter_count());
    fmt::print(out, "  Both trained by Adam (lr 0.01), 15 epochs. Accuracy on the 500 new sequences:\n");
    fmt::print(out, "  RNN             {:>6.1f}%\n", 100 * res.rnn_accuracy);
    fmt::print(out, "  no memory       {:>6.1f}%   (a coin toss: it only sees the last input, which says\n"
                    "                           nothing about the first, however many neurons it has)\n",
               100 * res.memoryless_accuracy);

    report.section("The state as memory");
    {
        // Two sequences that differ only in their first input.
        std::vector<float> a(length), b(length);
        tg::Generator gen(99);
        for (std::size_t t = 0; t < length; ++t) a[t] = b[t] = gen.below(2) ? 1.0f : -1.0f;
        a[0] = 1.0f;
        b[0] = -1.0f;
        const tg::Tensor x = tg::from_vector(std::vector<float>(a.begin(), a.end()), {1, length, 1});
        const tg::Tensor y = tg::from_vector(std::vector<float>(b.begin(), b.end()), {1, length, 1});
        tg::NoGradGuard no_grad;
        const tg::Tensor ha = rnn->states(x), hb = rnn->states(y);
        // the hidden neuron whose value differs most between the two at the end
        std::size_t unit = 0;
        double widest = -1;
        for (std::size_t u = 0; u < hidden; ++u) {
            const double g = std::abs(ha.at({0, length - 1, u}) - hb.at({0, length - 1, u}));
            if (g > widest) widest = g, unit = u;
        }
        fmt::print(out, "  Two sequences, the same but for their first input. Hidden neuron {} step by step,\n"
                        "  and the distance between the two whole states h_t:\n", unit);
        fmt::print(out, "  {:>4} {:>7} {:>7} {:>11} {:>11} {:>10}\n", "step", "input A", "input B", "neuron (A)",
                   "neuron (B)", "|hA - hB|");
        std::vector<std::vector<double>> rows;
        for (std::size_t t = 0; t < length; ++t) {
            double gap = 0;
            for (std::size_t u = 0; u < hidden; ++u) gap += std::pow(ha.at({0, t, u}) - hb.at({0, t, u}), 2);
            res.state_gap.push_back(std::sqrt(gap));
            fmt::print(out, "  {:>4} {:>7g} {:>7g} {:>11.3f} {:>11.3f} {:>10.3f}\n", t + 1, a[t], b[t],
                       ha.at({0, t, unit}), hb.at({0, t, unit}), res.state_gap.back());
            rows.push_back({static_cast<double>(t + 1), a[t], b[t], ha.at({0, t, unit}), hb.at({0, t, unit}),
                            res.state_gap.back()});
        }
        const double pa = 1 / (1 + std::exp(-(*rnn)(x).item())), pb = 1 / (1 + std::exp(-(*rnn)(y).item()));
        fmt::print(out, "  After step 1 the inputs are the same, yet the states stay apart: the network keeps\n"
                        "  the first input in its state. Its answers: P(first was +1) = {:.3f} for A, {:.3f} for B.\n",
                   pa, pb);
        report.csv("memory", {"step", "input_A", "input_B", "neuron_A", "neuron_B", "state_distance"}, rows);
        report.gnuplot("memory", "set title 'one hidden neuron of the RNN, two sequences that differ at step 1 only'\n"
                                 "set xlabel 'step'\nset ylabel 'value'\nset grid\nset key outside right\n"
                                 "plot 'memory.csv' using 1:4 with linespoints lw 2 title 'neuron, sequence A', "
                                 "'' using 1:5 with linespoints lw 2 title 'neuron, sequence B', "
                                 "'' using 1:6 with linespoints lw 2 dt 2 title '|hA - hB|'\n");
    }

    // ---- part 2: a real time series --------------------------------------------------
    report.section("Forecasting sunspots");
    const std::vector<double> series = load_sunspots();
    const std::size_t window = 24, n = series.size(), split = n - n / 5;
    res.first_test_year = 1700 + static_cast<int>(split);
    double mu = 0, sd = 0;  // scaling from the training years only
    for (std::size_t i = 0; i < split; ++i) mu += series[i];
    mu /= static_cast<double>(split);
    for (std::size_t i = 0; i < split; ++i) sd += (series[i] - mu) * (series[i] - mu);
    sd = std::sqrt(sd / static_cast<double>(split));
    const auto make = [&](std::size_t first, std::size_t end) {
        std::vector<double> xs, ys;
        for (std::size_t t = first; t < end; ++t) {
            for (std::size_t k = t - window; k < t; ++k) xs.push_back((series[k] - mu) / sd);
            ys.push_back((series[t] - mu) / sd);
        }
        const std::size_t rows = ys.size();
        return nn::Dataset(tg::from_vector(xs, {rows, window, 1}), tg::from_vector(ys, {rows, 1}));
    };
    const nn::Dataset years_train = make(window, split), years_test = make(split, n);
    tg::manual_seed(5);
    auto model = std::make_shared<Forecaster>(16);
    tg::optim::Adam adam(model->parameters(), 0.01);
    const nn::LossFn mse = [](const tg::Tensor& o, const tg::Tensor& t) { return nn::mse_loss(o, t); };
    nn::fit(*model, mse, adam, years_train,
            {.epochs = 60, .batch_size = 32, .seed = 9, .clip_grad_norm = 1.0, .verbose = 0});
    const tg::Tensor pred = nn::predict(*model, years_test.x);
    double se_model = 0, se_last = 0;
    std::vector<double> years, truth, forecast, last_value;
    for (std::size_t i = 0; i < years_test.size(); ++i) {
        const double target = years_test.y.at({i, 0}) * sd + mu;
        const double last = years_test.x.at({i, window - 1, 0}) * sd + mu;
        const double p = pred.at({i, 0}) * sd + mu;
        se_model += (p - target) * (p - target);
        se_last += (last - target) * (last - target);
        years.push_back(res.first_test_year + static_cast<double>(i));
        truth.push_back(target);
        forecast.push_back(p);
        last_value.push_back(last);
    }
    res.gru_rmse = std::sqrt(se_model / static_cast<double>(years_test.size()));
    res.last_value_rmse = std::sqrt(se_last / static_cast<double>(years_test.size()));
    fmt::print(out, "  Yearly sunspot numbers, 1700-2008: a real series with an 11-year cycle.\n"
                    "  A GRU (a recurrent layer with gates) reads the last {} years, one per step, and\n"
                    "  predicts the next. Trained on the years up to {}, tested on {}-2008.\n",
               window, res.first_test_year - 1, res.first_test_year);
    fmt::print(out, "  error (RMSE, in sunspots) on the {} test years:\n", years_test.size());
    fmt::print(out, "  {:<24}{:>6.1f}\n", "GRU", res.gru_rmse);
    fmt::print(out, "  {:<24}{:>6.1f}\n", "\"next year = this year\"", res.last_value_rmse);
    fmt::print(out, "{}", ascii_plot({{"actual", '.', years, truth}, {"GRU forecast", 'o', years, forecast}},
                                     {.height = 12, .x_label = "year", .y_label = "sunspots"}));
    std::vector<std::vector<double>> rows;
    for (std::size_t i = 0; i < years.size(); ++i) rows.push_back({years[i], truth[i], forecast[i], last_value[i]});
    report.csv("sunspots", {"year", "actual", "GRU", "last_value"}, rows);
    report.gnuplot("sunspots", "set title 'sunspots: one-year-ahead forecasts on the test years'\n"
                               "set xlabel 'year'\nset ylabel 'sunspot number'\nset grid\nset key top right\n"
                               "plot 'sunspots.csv' using 1:2 with linespoints lw 2 title 'actual', "
                               "'' using 1:3 with linespoints lw 2 title 'GRU', "
                               "'' using 1:4 with lines dt 2 title 'next year = this year'\n");
    report.files_summary();
    return res;
}

}  // namespace tut::rnn
