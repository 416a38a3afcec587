#include "gradients.hpp"

#include <cmath>
#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "../common/ascii.hpp"
#include "../common/data.hpp"

namespace tut::gradients {

namespace nn = tg::nn;

nn::Dataset load_data() {
    auto csv = nn::read_csv(data_path("breast_cancer.csv").string(), {.label = "target", .ignore = {"target_name"}});
    nn::Standardizer scaler;
    return nn::Dataset(scaler.fit_transform(csv.x), tg::reshape(csv.y, {-1, 1}));
}

std::shared_ptr<nn::Sequential> make_net(const Config& c, int hidden, std::size_t width, std::uint64_t seed) {
    tg::manual_seed(seed);
    std::vector<std::size_t> sizes{30};
    for (int k = 0; k < hidden; ++k) sizes.push_back(width);
    sizes.push_back(1);
    auto net = nn::mlp(sizes, nn::MlpActivations{.hidden = c.activation});
    if (c.init == "normal1") {
        // the bad initialisation: every weight drawn from N(0, 1), far too large for 32 inputs
        tg::Generator gen(seed);
        for (auto& [name, p] : net->named_parameters())
            if (p.dim() == 2) nn::init::normal_(p, 0, 1, &gen);
    } else if (c.init != "default") {
        tg::Generator gen(seed);
        nn::init::initialize(*net, c.init, &gen);
    }
    return net;
}

std::vector<double> layer_gradient_norms(nn::Sequential& net, const nn::Dataset& data) {
    net.zero_grad();
    nn::binary_cross_entropy_with_logits(net(data.x), data.y).backward();
    std::vector<double> norms;
    for (const nn::GradStat& s : nn::gradient_report(net))
        if (s.shape.size() == 2) norms.push_back(s.has_grad ? s.norm : 0.0);  // weights only, not biases
    net.zero_grad();
    return norms;
}

Training train(nn::Sequential& net, const nn::Dataset& data, int steps, double lr, double clip) {
    tg::optim::SGD sgd(net.parameters(), lr);
    Training t;
    const tg::Tensor first = net.parameters().front();
    for (int s = 0; s < steps; ++s) {
        sgd.zero_grad();
        const tg::Tensor loss = nn::binary_cross_entropy_with_logits(net(data.x), data.y);
        t.losses.push_back(loss.item());
        if (!std::isfinite(loss.item())) {
            t.diverged = true;
            return t;
        }
        loss.backward();
        if (clip > 0) nn::clip_grad_norm_(net.parameters(), clip);  // rescale all gradients if their norm > clip
        const tg::Tensor before = first.clone().detach();
        sgd.step();
        tg::NoGradGuard no_grad;
        t.first_layer_change.push_back(std::sqrt(tg::sum(tg::square(first - before)).item()));
    }
    tg::NoGradGuard no_grad;
    const tg::Tensor out = net(data.x);
    t.accuracy = nn::accuracy(out, data.y, /*threshold=*/0.0);  // logits: positive means class 1
    if (!std::isfinite(tg::sum(out).item())) t.diverged = true;
    return t;
}

Result run(Report& report) {
    std::ostream& out = report.out;
    Result res;
    fmt::print(out, "Tutorial 9: vanishing and exploding gradients.\n");
    const nn::Dataset data = load_data();
    res.configs = {{"sigmoid", "sigmoid", "default"},
                   {"tanh+Xavier", "tanh", "xavier_uniform"},
                   {"ReLU+He", "relu", "he_uniform"},
                   {"ReLU+N(0,1)", "relu", "normal1"}};

    report.section("The networks");
    fmt::print(out, "  Breast-cancer data: 569 tumours, 30 standardised features, benign or malignant.\n"
                    "  Each network: 30 inputs, 10 hidden layers of 32 neurons, 1 output; BCE loss.\n"
                    "  {:<12} sigmoid everywhere, PyTorch's default initialisation (uniform, +-1/sqrt(fan_in))\n"
                    "  {:<12} tanh, Xavier (Glorot) initialisation\n"
                    "  {:<12} ReLU, He (Kaiming) initialisation\n"
                    "  {:<12} ReLU, every weight drawn from N(0, 1): a bad initialisation\n",
               "sigmoid", "tanh+Xavier", "ReLU+He", "ReLU+N(0,1)");

    report.section("Gradient norms, layer by layer");
    for (const Config& c : res.configs) {
        auto net = make_net(c);
        res.norms.push_back(layer_gradient_norms(*net, data));
    }
    fmt::print(out, "  |dLoss/dW| of each layer's weights after one backward pass (layer 1 is next to the input):\n");
    fmt::print(out, "  {:>5}", "layer");
    for (const Config& c : res.configs) fmt::print(out, " {:>13}", c.name);
    fmt::print(out, "\n");
    const std::size_t layers = res.norms[0].size();
    for (std::size_t l = 0; l < layers; ++l) {
        fmt::print(out, "  {:>5}", l + 1);
        for (const auto& n : res.norms) fmt::print(out, " {:>13.3e}", n[l]);
        fmt::print(out, "\n");
    }
    fmt::print(out, "  {:>5}", "ratio");
    for (const auto& n : res.norms) fmt::print(out, " {:>13.1e}", n.front() / n.back());
    fmt::print(out, "   (layer 1 / layer {})\n", layers);
    fmt::print(out, "  sigmoid: the gradient shrinks at every layer on its way back; layer 1 gets almost none.\n"
                    "  ReLU+N(0,1): every gradient is about a million times too large: they explode.\n"
                    "  tanh+Xavier and ReLU+He keep them near 1, from the last layer to the first.\n");
    {
        std::vector<Series> series;
        const char marks[] = {'s', 't', 'r', 'x'};
        std::vector<std::vector<double>> rows;
        for (std::size_t l = 0; l < layers; ++l) {
            std::vector<double> row{static_cast<double>(l + 1)};
            for (const auto& n : res.norms) row.push_back(n[l]);
            rows.push_back(row);
        }
        for (std::size_t k = 0; k < res.configs.size(); ++k) {
            Series s{res.configs[k].name, marks[k], {}, {}};
            for (std::size_t l = 0; l < layers; ++l) {
                s.x.push_back(static_cast<double>(l + 1));
                s.y.push_back(res.norms[k][l]);
            }
            series.push_back(s);
        }
        fmt::print(out, "{}", ascii_plot(series, {.width = 45, .height = 14, .log_y = true,
                                                 .x_label = "layer (1 = input side)", .y_label = "|grad|"}));
        report.csv("gradient_norms", {"layer", "sigmoid", "tanh_xavier", "relu_he", "relu_normal1"}, rows);
        report.gnuplot("gradient_norms", "set title 'gradient norm of each layer''s weights (one backward pass)'\n"
                                         "set xlabel 'layer (1 = next to the input)'\nset ylabel '|dLoss/dW|'\n"
                                         "set logscale y\nset format y '10^{%T}'\nset grid\nset key outside right\n"
                                         "plot for [k=2:5] 'gradient_norms.csv' using 1:k with linespoints lw 2\n");
    }

    report.section("Training for 100 steps");
    fmt::print(out, "  Full-batch SGD, learning rate 0.05. Accuracy on the 569 tumours afterwards\n"
                    "  (62.7% is what always answering \"benign\" gets):\n");
    fmt::print(out, "  {:<13} {:>10} {:>10} {:>9}\n", "network", "loss first", "loss last", "accuracy");
    for (const Config& c : res.configs) {
        auto net = make_net(c);
        res.trained.push_back(train(*net, data, 100, 0.05));
        const Training& t = res.trained.back();
        if (t.diverged)
            fmt::print(out, "  {:<13} {:>10.4g} {:>10} {:>9}   diverged at step {}: the loss became {}\n", c.name,
                       t.losses.front(), "-", "-", t.losses.size(),
                       std::isnan(t.losses.back()) ? "NaN (not a number)" : "infinite");
        else
            fmt::print(out, "  {:<13} {:>10.4f} {:>10.3f} {:>8.1f}%\n", c.name, t.losses.front(), t.losses.back(),
                       100 * t.accuracy);
    }
    fmt::print(out, "  The sigmoid net hardly learns: its first layers get no gradient. The badly initialised\n"
                    "  net's first step is so large that its weights blow up.\n");
    {
        std::vector<std::vector<double>> rows;
        for (std::size_t s = 0; s < 100; ++s) {
            std::vector<double> row{static_cast<double>(s)};
            for (const Training& t : res.trained) row.push_back(s < t.losses.size() ? t.losses[s] : NAN);
            rows.push_back(row);
        }
        report.csv("training", {"step", "sigmoid", "tanh_xavier", "relu_he", "relu_normal1"}, rows);
        report.gnuplot("training", "set title 'training loss, full-batch SGD (lr 0.05)'\nset xlabel 'step'\n"
                                   "set ylabel 'BCE loss'\nset logscale y\nset grid\nset key outside right\n"
                                   "plot for [k=2:5] 'training.csv' using 1:k with lines lw 2\n");
    }

    report.section("Gradient clipping");
    {
        auto net = make_net(res.configs[3]);
        res.clipped = train(*net, data, 100, 0.05, /*clip=*/1.0);
        const Training& t = res.clipped;
        const Training& raw = res.trained[3];
        fmt::print(out, "  The badly initialised net again, now with tg::nn::clip_grad_norm_(params, 1.0) before\n"
                    "  each step: when the gradients' global norm is above 1, all of them are scaled down to 1.\n");
        fmt::print(out, "  first step without clipping: the first layer's weights moved by {:.3g}\n",
                   raw.first_layer_change.empty() ? 0.0 : raw.first_layer_change.front());
        fmt::print(out, "  first step with clipping:    they moved by {:.3g}\n", t.first_layer_change.front());
        if (t.diverged)
            fmt::print(out, "  It still diverged at step {}.\n", t.losses.size());
        else
            fmt::print(out, "  loss {:.4g} -> {:.4g} in 100 steps, accuracy {:.1f}%: the training stays stable,\n"
                            "  though the loss is still large: these weights start far too big.\n",
                       t.losses.front(), t.losses.back(), 100 * t.accuracy);
        fmt::print(out, "  Clipping keeps each step small enough. It cures the symptom (huge steps); a good\n"
                        "  initialisation cures the cause.\n");
    }
    report.files_summary();
    return res;
}

}  // namespace tut::gradients
