// nn: the perceptron learns through the chain rule. The perceptron criterion
// L = (step(z) - d) z has gradient (y - d) x, so SGD performs the textbook rule
// w += eta (d - y) x, and the tests check it step for step.
#include "helpers.hpp"

using namespace tg;
using namespace tg::nn;

namespace {

const TensorOptions f64{DType::f64};

struct Table {
    std::vector<std::vector<double>> x;
    std::vector<double> d;
};
const Table and_gate{{{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {0, 0, 0, 1}};
const Table or_gate{{{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {0, 1, 1, 1}};
const Table xor_gate{{{0, 0}, {0, 1}, {1, 0}, {1, 1}}, {0, 1, 1, 0}};

Tensor row(const std::vector<double>& v) { return from_vector(v, {1, v.size()}, f64); }

/// Online training, one sample at a time, in order: SGD on the perceptron criterion.
/// Calls after(step) after each update.
template <class After>
void train_online(Perceptron& p, const Table& data, double eta, int epochs, After after) {
    optim::SGD opt(p.parameters(), eta);
    for (int e = 0; e < epochs; ++e)
        for (std::size_t i = 0; i < data.x.size(); ++i) {
            opt.zero_grad();
            perceptron_criterion(p(row(data.x[i])), row({data.d[i]})).backward();
            opt.step();
            after(i);
        }
}

double accuracy_of(Perceptron& p, const Table& data) {
    std::size_t right = 0;
    for (std::size_t i = 0; i < data.x.size(); ++i) right += p.predict(row(data.x[i])).item() == data.d[i];
    return static_cast<double>(right) / static_cast<double>(data.x.size());
}

}  // namespace

TEST_CASE("perceptron: SGD on the perceptron criterion is the textbook rule, step for step from zero weights") {
    // A small real-valued set, not separable by the first guesses, so many updates happen
    // (some at z = 0, where the textbook rule still updates).
    const Table data{{{0.2, 1.4}, {1.5, 0.3}, {-0.7, 0.8}, {0.9, -1.1}, {1.1, 1.2}, {-0.4, -0.6}},
                     {1, 0, 1, 0, 1, 0}};
    const double eta = 0.1;
    Perceptron p(2);
    p.to(DType::f64);
    std::vector<double> w = {0, 0};
    double b = 0;
    std::size_t updates = 0;
    train_online(p, data, eta, 10, [&](std::size_t i) {
        // the textbook rule, by hand
        const auto& x = data.x[i];
        const double y = w[0] * x[0] + w[1] * x[1] + b > 0 ? 1.0 : 0.0;
        const double delta = data.d[i] - y;
        updates += delta != 0;
        w[0] += eta * delta * x[0];
        w[1] += eta * delta * x[1];
        b += eta * delta;
        CHECK(p.weight.at({0, 0}) == doctest::Approx(w[0]).epsilon(1e-15));
        CHECK(p.weight.at({0, 1}) == doctest::Approx(w[1]).epsilon(1e-15));
        CHECK(p.bias.at({0}) == doctest::Approx(b).epsilon(1e-15));
    });
    CHECK(updates >= 3);
    CHECK(accuracy_of(p, data) == 1.0);
}

TEST_CASE("perceptron: reaches 100% on AND and OR, and cannot exceed 75% on XOR") {
    for (const Table* t : {&and_gate, &or_gate}) {
        Perceptron p(2);
        p.to(DType::f64);
        train_online(p, *t, 0.1, 20, [](std::size_t) {});
        CHECK(accuracy_of(p, *t) == 1.0);
        // converged: a further epoch changes nothing
        const auto w = p.weight.to_vector();
        train_online(p, *t, 0.1, 1, [](std::size_t) {});
        CHECK(p.weight.to_vector() == w);
    }
    // XOR is not linearly separable: at every step of a long run, at most 3 of 4 are right.
    Perceptron p(2);
    p.to(DType::f64);
    double best = 0;
    train_online(p, xor_gate, 0.1, 100, [&](std::size_t) { best = std::max(best, accuracy_of(p, xor_gate)); });
    CHECK(best <= 0.75);
    CHECK(best >= 0.5);
}

TEST_CASE("perceptron: the lesson's bipolar XOR (-1/+1) never converges: the weights cycle") {
    const Table xor_pm{{{-1, -1}, {-1, 1}, {1, -1}, {1, 1}}, {-1, 1, 1, -1}};
    Perceptron p(2, /*bipolar=*/true);
    p.to(DType::f64);
    optim::SGD opt(p.parameters(), 0.1);
    std::vector<std::vector<double>> seen;
    bool cycled = false;
    for (int epoch = 0; epoch < 20 && !cycled; ++epoch) {
        for (std::size_t i = 0; i < 4; ++i) {
            opt.zero_grad();
            perceptron_criterion(p(row(xor_pm.x[i])), row({xor_pm.d[i]}), Reduction::mean, true).backward();
            opt.step();
        }
        std::vector<double> state = p.weight.to_vector();
        state.push_back(p.bias.item());
        for (const auto& s : seen) cycled = cycled || s == state;
        seen.push_back(state);
        std::size_t right = 0;
        for (std::size_t i = 0; i < 4; ++i) right += p.predict(row(xor_pm.x[i])).item() == xor_pm.d[i];
        CHECK(right <= 3);
    }
    CHECK(cycled);  // the same weights come back at the end of an epoch: no convergence
}

TEST_CASE("perceptron: a 2-layer MLP reaches 100% on XOR") {
    manual_seed(0);
    auto net = mlp({2, 4, 1}, {"tanh", "none"});
    const Tensor x = tensor({{0, 0}, {0, 1}, {1, 0}, {1, 1}}), y = tensor({{0}, {1}, {1}, {0}});
    optim::Adam opt(net->parameters(), 0.05);
    int epochs = 0;
    double acc = 0;
    for (; epochs < 2000 && acc < 1.0; ++epochs) {
        opt.zero_grad();
        binary_cross_entropy_with_logits((*net)(x), y).backward();
        opt.step();
        NoGradGuard g;
        const auto out = step((*net)(x)).to_vector();
        std::size_t right = 0;
        for (std::size_t i = 0; i < 4; ++i) right += out[i] == y.to_vector()[i];
        acc = right / 4.0;
    }
    MESSAGE("2-4-1 tanh MLP solved XOR after " << epochs << " full-batch Adam steps");
    CHECK(acc == 1.0);
}

TEST_CASE("perceptron: trained by fit() on real data (iris setosa vs versicolor), equal to the textbook rule") {
    // Rows 0-99 of iris are setosa (0) and versicolor (1): linearly separable.
    const CsvData iris = read_csv("tutorials/data/iris.csv", {.features = {"sepal_length", "petal_length"},
                                                          .label = "target", .dtype = DType::f64});
    const Dataset two = iris.dataset().slice(0, 100);
    const std::vector<double> xs = two.x.to_vector(), ds = two.y.to_vector();
    Perceptron p(2);
    p.to(DType::f64);
    optim::SGD opt(p.parameters(), 0.1);
    double w[2] = {0, 0}, b = 0;
    std::size_t mismatches = 0, updates = 0;
    int converged_after = -1;
    std::size_t errors_this_epoch = 0;
    struct Textbook : Callback {
        std::function<void(TrainState&, std::size_t)> batch;
        std::function<void(TrainState&)> epoch;
        void on_batch_end(TrainState& s, std::size_t i, double) override { batch(s, i); }
        void on_epoch_end(TrainState& s, Logs&) override { epoch(s); }
    };
    auto textbook = std::make_shared<Textbook>();
    textbook->batch = [&](TrainState&, std::size_t i) {
        const double x0 = xs[2 * i], x1 = xs[2 * i + 1], d = ds[i];
        const double y = w[0] * x0 + w[1] * x1 + b > 0 ? 1.0 : 0.0;
        errors_this_epoch += y != d;
        updates += y != d;
        w[0] += 0.1 * (d - y) * x0;
        w[1] += 0.1 * (d - y) * x1;
        b += 0.1 * (d - y);
        mismatches += p.weight.at({0, 0}) != w[0] || p.weight.at({0, 1}) != w[1] || p.bias.at({0}) != b;
    };
    textbook->epoch = [&](TrainState& s) {
        if (errors_this_epoch == 0 && converged_after < 0) converged_after = s.epoch;
        errors_this_epoch = 0;
    };
    const History h = fit(p, PerceptronCriterion(Reduction::sum), opt, two,
                          {.epochs = 10, .batch_size = 1, .shuffle = false, .callbacks = {textbook}, .verbose = 0});
    CHECK(mismatches == 0);  // bit for bit, after every one of the 1,000 steps
    CHECK(updates > 2);
    CHECK(converged_after >= 0);
    CHECK(h["loss"].back() == 0.0);
    CHECK(accuracy(p.predict(two.x), two.y) == 1.0);
    MESSAGE("iris perceptron: " << updates << " updates, an epoch without error after " << converged_after + 1
                                << " epochs; w = (" << w[0] << ", " << w[1] << "), b = " << b);
}
