#include "train.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <stdexcept>

#include <fmt/format.h>
#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>

#include "schema.hpp"

namespace fraud {

namespace {

/// Ends training at the end of the epoch in which *stop became true (Ctrl-C) on
/// any worker: all stop in the same epoch, or the others would wait for it forever.
class StopOnFlag : public tg::nn::Callback {
public:
    StopOnFlag(const std::atomic<bool>* stop, tg::nn::DistributionStrategy* workers) : stop_(stop), workers_(workers) {}
    void on_epoch_end(tg::nn::TrainState& s, tg::nn::Logs&) override {
        std::vector<double> asked{stop_ && stop_->load() ? 1.0 : 0.0};
        if (workers_) workers_->sum(asked);
        if (asked[0] > 0) {
            s.stop_training = true;
            stopped = true;
        }
    }
    bool stopped = false;

private:
    const std::atomic<bool>* stop_;
    tg::nn::DistributionStrategy* workers_;
};

std::vector<double> flat(const tg::Tensor& t) { return t.to_vector(); }

}  // namespace

double best_f1_threshold(const std::vector<double>& scores, const std::vector<double>& labels) {
    const auto curve = tg::nn::precision_recall_curve(scores, labels);
    double best = -1, threshold = 0.5;
    for (const auto& p : curve) {
        const double f1 = p.x + p.y > 0 ? 2 * p.x * p.y / (p.x + p.y) : 0;
        if (f1 > best && std::isfinite(p.threshold)) {
            best = f1;
            threshold = p.threshold;
        }
    }
    return threshold;
}

TrainResult train_model(const LabelledData& data, const TrainOptions& o) {
    if (o.epochs < 1) throw std::invalid_argument("train: epochs must be at least 1");
    if (!(o.val_fraction > 0 && o.val_fraction < 1)) throw std::invalid_argument("train: val fraction must be in (0, 1)");
    const auto t0 = std::chrono::steady_clock::now();
    TrainResult r;
    FraudModel& m = r.model;
    m.arch = o.arch;
    m.hidden = o.arch == Arch::mlp ? o.hidden : std::vector<std::size_t>{};
    m.features = feature_names();

    // Same seed, same split: models trained with one seed are compared on the same rows.
    auto [train, val] = tg::nn::train_test_split(data.data, o.val_fraction, {.seed = o.seed, .stratify = true});
    m.standardizer.fit(train.x);
    train.x = m.standardizer.transform(train.x);
    val.x = m.standardizer.transform(val.x);
    double pos = 0;
    const std::vector<double> ytrain = flat(train.y);
    for (double v : ytrain) pos += v;
    const double neg = double(ytrain.size()) - pos;
    if (pos == 0 || neg == 0)
        throw std::invalid_argument(fmt::format("train: the training part needs both classes ({} fraud, {} legit)", pos, neg));
    r.pos_weight = o.pos_weight.value_or(std::min(50.0, neg / pos));

    tg::manual_seed(o.seed);  // the initial weights
    m.net = build_net(o.arch, m.hidden, m.features.size());

    tg::nn::LossFn loss;
    std::unique_ptr<tg::optim::Optimizer> opt;
    if (o.arch == Arch::perceptron) {
        // The perceptron criterion, with fraud rows weighted up as in the BCE losses:
        // without it the rule settles on "never fraud".
        const double w = r.pos_weight;
        loss = [w](const tg::Tensor& z, const tg::Tensor& t) {
            const tg::Tensor per_row = tg::nn::perceptron_criterion(z, t, tg::nn::Reduction::none);
            return tg::mean(per_row * (t * (w - 1.0) + 1.0));
        };
        opt = std::make_unique<tg::optim::SGD>(m.net->parameters(), tg::optim::SGDOptions{.lr = o.lr > 0 ? o.lr : 1e-2});
    } else {
        loss = tg::nn::BCEWithLogitsLoss(r.pos_weight);
        opt = std::make_unique<tg::optim::Adam>(m.net->parameters(), tg::optim::AdamOptions{.lr = o.lr > 0 ? o.lr : 3e-3});
    }

    auto early = std::make_shared<tg::nn::EarlyStopping>(tg::nn::EarlyStoppingOptions{
        .monitor = "val_pr_auc", .patience = o.patience, .mode = tg::nn::Mode::max, .restore_best_weights = true});
    auto stop = std::make_shared<StopOnFlag>(o.stop, o.strategy.get());
    tg::nn::FitOptions fo;
    fo.epochs = o.epochs;
    fo.batch_size = o.batch_size;
    if (o.strategy) {  // fit's batch size is per worker
        const auto workers = std::size_t(o.strategy->workers());
        if (o.batch_size % workers != 0)
            throw std::invalid_argument(fmt::format(
                "train: the batch of {} rows is shared by {} processes; give a --batch-size that is a multiple of {}",
                o.batch_size, workers, workers));
        fo.batch_size = o.batch_size / workers;
        fo.strategy = o.strategy;
    }
    fo.seed = o.seed;
    fo.validation = val;
    fo.metrics = {tg::nn::Metric("pr_auc"), tg::nn::Metric("roc_auc")};
    fo.callbacks = {early, stop};
    fo.verbose = o.verbose;
    fo.out = o.out;
    r.history = tg::nn::fit(*m.net, loss, *opt, train, fo);
    r.best_epoch = early->best_epoch();
    r.interrupted = stop->stopped;

    m.net->eval();
    r.validation = val;
    const std::vector<float> p = m.probabilities(val.x);
    r.val_scores.assign(p.begin(), p.end());
    r.val_labels = flat(val.y);
    // The perceptron's own decision is z > 0, i.e. probability > 0.5; the others
    // alert at the threshold with the best F1 on the validation part.
    m.threshold = o.arch == Arch::perceptron ? 0.5 : best_f1_threshold(r.val_scores, r.val_labels);

    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    m.info["train_rows"] = std::to_string(train.size());
    m.info["val_rows"] = std::to_string(val.size());
    m.info["pos_weight"] = fmt::format("{:.4g}", r.pos_weight);
    m.info["epochs_run"] = std::to_string(r.history.epochs());
    m.info["best_epoch"] = std::to_string(r.best_epoch + 1);
    m.info["val_pr_auc"] = fmt::format("{:.6f}", tg::nn::average_precision(r.val_scores, r.val_labels));
    m.info["val_roc_auc"] = fmt::format("{:.6f}", tg::nn::roc_auc(r.val_scores, r.val_labels));
    m.info["seed"] = std::to_string(o.seed);
    m.info["train_seconds"] = fmt::format("{:.1f}", r.seconds);
    return r;
}

}  // namespace fraud
