// nn: fit, evaluate, predict, History, callbacks.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <tapegrad/graph/allocator.hpp>

#include "helpers.hpp"

using namespace tg;
using namespace tg::nn;

namespace {

/// The breast-cancer data, standardised on the training part, split 80/20 (stratified).
std::pair<Dataset, Dataset> breast_cancer() {
    const CsvData csv = read_csv("tutorials/data/breast_cancer.csv", {.label = "target", .ignore = {"target_name"}});
    auto [train, test] = train_test_split(csv.dataset(), 0.2, {.seed = 7, .stratify = true});
    Standardizer s;
    s.fit(train.x);
    return {Dataset(s.transform(train.x), train.y), Dataset(s.transform(test.x), test.y)};
}

}  // namespace

TEST_CASE("train: fit an MLP on real data; History, evaluate, predict") {
    auto [train, test] = breast_cancer();
    manual_seed(1);
    auto net = mlp({30, 16, 1}, MlpActivations{.hidden = Activation::relu});  // nn/README.md's example
    optim::Adam opt(net->parameters(), 1e-2);
    std::ostringstream log;
    const History h = fit(net, BCEWithLogitsLoss(), opt, train,
                          {.epochs = 20, .batch_size = 32, .validation = test,
                           .metrics = {Metric(MetricKind::accuracy, 0.0), MetricKind::roc_auc}, .verbose = 2,
                           .out = &log});
    CHECK(h.epochs() == 20);
    CHECK(h.keys() == std::vector<std::string>{"loss", "accuracy", "roc_auc", "val_loss", "val_accuracy",
                                               "val_roc_auc", "lr"});
    CHECK(h["loss"].back() < h["loss"].front());
    CHECK(h["val_accuracy"].back() > 0.94);
    CHECK(h["val_roc_auc"].back() > 0.98);
    MESSAGE("breast cancer 30-16-1: val accuracy " << h["val_accuracy"].back() << ", val ROC-AUC "
                                                   << h["val_roc_auc"].back());
    // one line per epoch when not on a terminal
    const std::string text = log.str();
    CHECK(std::count(text.begin(), text.end(), '\n') == 20);
    CHECK(text.find("epoch 20/20  loss ") != std::string::npos);
    CHECK(text.find("val_roc_auc") != std::string::npos);

    const Logs e = evaluate(*net, BCEWithLogitsLoss(), test, {.metrics = {Metric("accuracy", 0.0)}});
    CHECK(e.at("loss") == doctest::Approx(h["val_loss"].back()));
    CHECK(e.at("accuracy") == doctest::Approx(h["val_accuracy"].back()));
    const Tensor p = predict(*net, test.x, 50);
    CHECK(p.shape() == Shape{test.size(), 1});
    CHECK(accuracy(p, test.y, 0.0) == doctest::Approx(e.at("accuracy")));
    CHECK(net->is_training());  // predict and evaluate restore the mode

    const std::string csv = temp_path("history.csv");
    h.write_csv(csv);
    std::ifstream in(csv);
    std::string header;
    std::getline(in, header);
    CHECK(header == "epoch,loss,accuracy,roc_auc,val_loss,val_accuracy,val_roc_auc,lr");
    std::size_t lines = 0;
    for (std::string l; std::getline(in, l);) ++lines;
    CHECK(lines == 20);
    std::remove(csv.c_str());
    // gnuplot may be absent: then plot says so and writes nothing
    const std::string png = temp_path("history.png");
    const bool plotted = tg::nn::plot_history(h, png);
    CHECK(std::filesystem::exists(png) == plotted);
    std::remove(png.c_str());
    CHECK_THROWS_AS(h["nope"], std::out_of_range);
}

TEST_CASE("train: fit is reproducible bit for bit from the seeds") {
    auto [train, test] = breast_cancer();
    std::vector<double> losses[2];
    for (int run = 0; run < 2; ++run) {
        manual_seed(3);
        auto net = mlp({30, 8, 1}, {"tanh"}, {.dropout = 0.2});
        optim::SGD opt(net->parameters(), {.lr = 0.05, .momentum = 0.9});
        losses[run] = fit(*net, BCEWithLogitsLoss(), opt, train, {.epochs = 3, .seed = 11, .verbose = 0})["loss"];
    }
    CHECK(losses[0] == losses[1]);
}

TEST_CASE("train: early stopping stops after `patience` bad epochs and restores the best weights") {
    const Dataset d(rand({16, 2}), rand({16, 1}));
    manual_seed(4);
    Linear lin(2, 1);
    optim::SGD opt(lin.parameters(), 0.1);
    // a scripted monitored value: best at epoch 2 (index 1), then worse
    const std::vector<double> script = {1.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
    std::vector<std::vector<double>> weights;
    auto scripted = std::make_shared<LambdaCallback>([&](TrainState& s, Logs& logs) {
        logs["scripted_loss"] = script[static_cast<std::size_t>(s.epoch)];
        s.history.set_higher_is_better("scripted_loss", false);  // a key fit does not know
        weights.push_back(lin.weight.to_vector());
    });
    auto stop = std::make_shared<EarlyStopping>(EarlyStoppingOptions{.monitor = "scripted_loss", .patience = 3});
    const History h = fit(lin, MSELoss(), opt, d, {.epochs = 7, .batch_size = 4, .callbacks = {scripted, stop}, .verbose = 0});
    CHECK(h.epochs() == 5);  // epochs 3, 4, 5 did not improve on epoch 2
    CHECK(stop->best_epoch() == 1);
    CHECK(stop->stopped_epoch() == 4);
    CHECK(h.stop_reason.find("scripted_loss did not improve for 3 epochs") != std::string::npos);
    CHECK(lin.weight.to_vector() == weights[1]);
    CHECK(h.best_epoch("scripted_loss") == 1);
    auto unsaid = std::make_shared<LambdaCallback>([](TrainState&, Logs& logs) { logs["mystery"] = 1; });
    auto guess = std::make_shared<EarlyStopping>(EarlyStoppingOptions{.monitor = "mystery"});
    CHECK_THROWS_WITH_AS(fit(lin, MSELoss(), opt, d, {.epochs = 1, .callbacks = {unsaid, guess}, .verbose = 0}),
                         doctest::Contains("whether a higher or lower 'mystery' is better"), std::invalid_argument);
    auto bad = std::make_shared<EarlyStopping>(EarlyStoppingOptions{.monitor = "val_auc"});
    CHECK_THROWS_WITH_AS(fit(lin, MSELoss(), opt, d, {.epochs = 1, .callbacks = {bad}, .verbose = 0}),
                         doctest::Contains("no 'val_auc' in the epoch's logs"), std::invalid_argument);
}

TEST_CASE("train: callbacks take the direction of a metric from the metric, not from its name") {
    const Dataset d(rand({16, 2}), rand({16, 1}));
    manual_seed(4);
    Linear lin(2, 1);
    optim::SGD opt(lin.parameters(), 0.1);
    // "loss_of_face" is a higher-is-better metric whose name holds "loss"
    int calls = 0;
    const std::vector<double> script = {0.1, 0.5, 0.4, 0.3, 0.2};
    Metric rising("loss_of_face", [&](const Tensor&, const Tensor&) { return script[static_cast<std::size_t>(calls++ % 5)]; },
                  /*higher_is_better=*/true);
    auto stop = std::make_shared<EarlyStopping>(EarlyStoppingOptions{.monitor = "loss_of_face", .patience = 2});
    const History h = fit(lin, MSELoss(), opt, d,
                          {.epochs = 5, .batch_size = 16, .metrics = {rising}, .callbacks = {stop}, .verbose = 0});
    CHECK(stop->best_epoch() == 1);  // 0.5 is the best: higher wins
    CHECK(h.best_epoch("loss_of_face") == 1);
    CHECK(h.epochs() == 4);
    CHECK_FALSE(h.higher_is_better("loss"));
}

TEST_CASE("train: checkpoints, schedulers, clipping, validation_split and a diverging loss") {
    const Dataset d(rand({40, 3}), rand({40, 1}));
    manual_seed(5);
    auto net = mlp({3, 4, 1}, {"tanh"});
    optim::SGD opt(net->parameters(), 0.1);
    optim::StepLR sched(opt, 1, 0.5);
    const std::string path = temp_path("ckpt_{epoch}.safetensors");
    auto ckpt = std::make_shared<ModelCheckpoint>(CheckpointOptions{.path = path, .monitor = "loss", .save_best_only = false});
    const History h = fit(net, MSELoss(), opt, d,
                          {.epochs = 3, .batch_size = 8, .validation_split = 0.25, .callbacks = {ckpt},
                           .scheduler = &sched, .clip_grad_norm = 0.5, .verbose = 0});
    CHECK(h["lr"] == std::vector<double>{0.1, 0.05, 0.025});
    CHECK(h.has("val_loss"));
    REQUIRE(ckpt->saved().size() == 3);
    auto copy = mlp({3, 4, 1}, {"tanh"});
    const LoadResult r = load(*copy, ckpt->saved().back());
    CHECK(r.metadata.at("epoch") == "3");
    CHECK((*copy)(d.x).to_vector() == (*net)(d.x).to_vector());
    for (const auto& f : ckpt->saved()) std::remove(f.c_str());

    Linear lin(3, 1);
    optim::SGD sgd(lin.parameters(), 0.1);
    const LossFn exploding = [](const Tensor& o, const Tensor& y) { return mse_loss(o, y) * INFINITY; };
    std::ostringstream log;
    const History bad = fit(lin, exploding, sgd, d, {.epochs = 3, .verbose = 2, .out = &log});
    CHECK(bad.epochs() == 0);
    CHECK(bad.stop_reason.find("the loss became inf at epoch 1, batch 1") != std::string::npos);
    CHECK(log.str().find("training stopped") != std::string::npos);
    CHECK_THROWS_AS(fit(lin, MSELoss(), sgd, Dataset(rand({4, 3})), {}), std::invalid_argument);
}

TEST_CASE("train: predict called again with the same shapes takes every buffer from the allocator's cache") {
    // The caching allocator keeps freed blocks per thread (graph/allocator.hpp), so
    // repeated inference reuses the last call's buffers: after a warm-up call,
    // further calls of the same shape allocate nothing new from the system.
    nn::Sequential model(nn::Linear(30, 64), nn::ReLU(), nn::Linear(64, 32), nn::ReLU(), nn::Linear(32, 1));
    const Tensor x = uniform({1000, 30}, -1, 1);
    (void)nn::predict(model, x, 256);  // warm-up: blocks for every intermediate and output size
    const std::size_t owned = memory::owned_bytes();
    for (int call = 0; call < 10; ++call) {
        const Tensor y = nn::predict(model, x, 256);
        CHECK(y.shape() == Shape{1000, 1});
    }
    CHECK(memory::owned_bytes() == owned);
}
