// Training backups: an interrupted fit resumed from its backup ends exactly as
// an uninterrupted one.
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "helpers.hpp"

using namespace tg;
using namespace tg::nn;

namespace {

struct Interrupt : std::runtime_error {
    Interrupt() : std::runtime_error("interrupted") {}
};

/// Throws at the start of epoch `at` (0-based), as a killed process would stop.
class InterruptAt : public Callback {
public:
    explicit InterruptAt(int at) : at_(at) {}
    void on_epoch_begin(TrainState& s) override {
        if (s.epoch == at_) throw Interrupt();
    }

private:
    int at_;
};

Dataset make_data(std::size_t rows, std::uint64_t seed) {
    Generator g(seed);
    std::vector<double> xs(rows * 3), ys(rows);
    for (std::size_t i = 0; i < rows; ++i) {
        for (int j = 0; j < 3; ++j) xs[i * 3 + j] = g.normal();
        ys[i] = xs[i * 3] - 2 * xs[i * 3 + 1] + 0.1 * g.normal();
    }
    return Dataset(from_vector(xs, {rows, 3}, {.dtype = DType::f64}), from_vector(ys, {rows, 1}, {.dtype = DType::f64}));
}

struct Run {
    std::vector<double> weights;
    History history;
};

/// 6 epochs of a net with dropout, Adam and StepLR, shuffled batches; interrupted
/// at epoch `stop_at` (or never) and then resumed from the backup.
Run train(const std::string& backup, int stop_at) {
    const Dataset data = make_data(120, 1), validation = make_data(40, 2);
    auto build = [] {
        manual_seed(5);
        auto net = std::make_shared<Sequential>(Linear(3, 8), Tanh(), Dropout(0.3), Linear(8, 1));
        net->to(DType::f64);
        return net;
    };
    auto once = [&](std::vector<std::shared_ptr<Callback>> callbacks) {
        auto net = build();
        optim::Adam opt(net->parameters(), 0.02);
        optim::StepLR sched(opt, 2, 0.5);
        History h = fit(*net, MSELoss(), opt, data,
                        {.epochs = 6, .batch_size = 16, .shuffle = true, .seed = 4, .validation = validation,
                         .callbacks = callbacks, .scheduler = &sched, .verbose = 0, .backup = backup});
        std::vector<double> w;
        for (const Tensor& p : net->parameters())
            for (double v : p.to_vector()) w.push_back(v);
        return Run{w, h};
    };
    if (stop_at >= 0) CHECK_THROWS_AS(once({std::make_shared<InterruptAt>(stop_at)}), Interrupt);
    return once({});
}

}  // namespace

TEST_CASE("fit backup: interrupted and resumed equals uninterrupted (weights, history) in double") {
    const std::string path = temp_path("backup.safetensors");
    std::filesystem::remove(path);
    const Run whole = train("", -1);
    const Run resumed = train(path, 3);
    REQUIRE(resumed.weights.size() == whole.weights.size());
    for (std::size_t i = 0; i < whole.weights.size(); ++i)
        CHECK(resumed.weights[i] == doctest::Approx(whole.weights[i]).epsilon(1e-12));
    REQUIRE(resumed.history.epochs() == 6);
    for (const std::string key : {"loss", "val_loss", "lr"})
        for (std::size_t e = 0; e < 6; ++e) CHECK(resumed.history[key][e] == doctest::Approx(whole.history[key][e]).epsilon(1e-12));
    CHECK_FALSE(std::filesystem::exists(path));  // removed once training ended
}

TEST_CASE("fit backup: a backup of another training is refused and changes nothing") {
    const std::string path = temp_path("backup_other.safetensors");
    std::filesystem::remove(path);
    const Dataset data = make_data(32, 3);
    manual_seed(1);
    Linear lin(3, 1);
    lin.to(DType::f64);
    optim::SGD opt(lin.parameters(), 0.1);
    CHECK_THROWS_AS(fit(lin, MSELoss(), opt, data,
                        {.epochs = 3, .callbacks = {std::make_shared<InterruptAt>(1)}, .verbose = 0, .backup = path}),
                    Interrupt);
    REQUIRE(std::filesystem::exists(path));
    const std::vector<double> before = lin.weight.to_vector();
    optim::StepLR sched(opt, 1, 0.5);  // the backup was made without a scheduler
    CHECK_THROWS_WITH_AS(fit(lin, MSELoss(), opt, data, {.epochs = 3, .scheduler = &sched, .verbose = 0, .backup = path}),
                         doctest::Contains("not a training backup of this run"), IoError);
    CHECK(lin.weight.to_vector() == before);
    std::filesystem::remove(path);
}

TEST_CASE("generator state: a generator set to a saved state continues the same stream") {
    Generator a(17);
    (void)a.normal();  // leaves a spare value
    const std::string saved = a.state();
    std::vector<double> expected;
    for (int i = 0; i < 5; ++i) expected.push_back(a.normal());
    Generator b(1);
    b.set_state(saved);
    for (int i = 0; i < 5; ++i) CHECK(b.normal() == expected[static_cast<std::size_t>(i)]);
    CHECK_THROWS_AS(b.set_state("not a state"), std::invalid_argument);
}
