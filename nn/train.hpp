#pragma once
/// @ingroup nn
/// A Keras-like training loop: fit, evaluate, predict, History and callbacks.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "data.hpp"
#include "metrics.hpp"
#include "module.hpp"
#include "optim/optimizer.hpp"
#include "optim/schedulers.hpp"

namespace tg::nn {

/// loss(output, target) -> a one-element tensor. Loss objects (MSELoss(),
/// BCEWithLogitsLoss(pos_weight), ...) and lambdas both fit.
using LossFn = std::function<Tensor(const Tensor& output, const Tensor& target)>;
/// One epoch's numbers: "loss", metric names, "val_loss", "val_<metric>", "lr".
using Logs = std::map<std::string, double>;

/// Per-epoch values of every logged quantity (Keras' History.history).
class History {
public:
    /// Add one epoch. New keys are placed in `order` first (fit passes loss, metrics,
    /// val_loss, val_metrics, lr, as Keras), then alphabetically.
    void append(const Logs& logs, const std::vector<std::string>& order = {});
    std::size_t epochs() const { return epochs_; }
    bool has(const std::string& key) const { return values_.count(key) > 0; }
    /// The values of key, one per epoch; std::out_of_range naming the known keys otherwise.
    const std::vector<double>& operator[](const std::string& key) const;
    /// Keys in order of first appearance.
    const std::vector<std::string>& keys() const { return keys_; }
    /// Index (0-based epoch) of the best value of key (min for losses/mse/mae, else max).
    std::size_t best_epoch(const std::string& key) const;
    /// CSV with columns epoch,<keys...>; written atomically. Throws IoError.
    void write_csv(const std::string& path) const;
    /// Plot the keys (default: every key holding "loss") against the epoch into a
    /// PNG with gnuplot. Returns false, doing nothing, when gnuplot is not on PATH;
    /// throws IoError when gnuplot fails.
    bool plot(const std::string& png_path, const std::vector<std::string>& keys = {},
              const std::string& title = "training history") const;
    /// Why training stopped early ("" when it ran all epochs).
    std::string stop_reason;

private:
    std::vector<std::string> keys_;
    std::map<std::string, std::vector<double>> values_;
    std::size_t epochs_ = 0;
};

/// What callbacks see and may change.
struct TrainState {
    Module& model;
    optim::Optimizer& optimizer;
    History& history;
    int epoch = 0;        ///< 0-based, the current epoch
    int epochs = 0;       ///< total asked for
    bool stop_training = false;  ///< set to end training after this epoch
};

class Callback {
public:
    virtual ~Callback() = default;
    virtual void on_train_begin(TrainState&) {}
    virtual void on_epoch_begin(TrainState&) {}
    virtual void on_batch_end(TrainState&, std::size_t /*batch*/, double /*loss*/) {}
    /// logs hold the epoch's numbers; a callback may add entries.
    virtual void on_epoch_end(TrainState&, Logs& /*logs*/) {}
    virtual void on_train_end(TrainState&) {}
};

/// A callback from a lambda called at each epoch's end, e.g. to print weights.
class LambdaCallback : public Callback {
public:
    explicit LambdaCallback(std::function<void(TrainState&, Logs&)> on_epoch_end) : fn_(std::move(on_epoch_end)) {}
    void on_epoch_end(TrainState& s, Logs& logs) override { fn_(s, logs); }

private:
    std::function<void(TrainState&, Logs&)> fn_;
};

enum class Mode { automatic, min, max };

struct EarlyStoppingOptions {
    std::string monitor = "val_loss";
    int patience = 5;         ///< epochs without improvement before stopping
    double min_delta = 0;     ///< smaller changes do not count as improvement
    Mode mode = Mode::automatic;  ///< automatic: min for losses, mse, mae; max otherwise
    bool restore_best_weights = true;
};

/// Stop when the monitored value has not improved for `patience` epochs; at the
/// end, put back the weights of the best epoch (if restore_best_weights).
class EarlyStopping : public Callback {
public:
    explicit EarlyStopping(EarlyStoppingOptions options = {}) : o_(std::move(options)) {}
    void on_train_begin(TrainState&) override;
    void on_epoch_end(TrainState&, Logs&) override;
    void on_train_end(TrainState&) override;
    int best_epoch() const { return best_epoch_; }      ///< 0-based, -1 before any epoch
    int stopped_epoch() const { return stopped_epoch_; }  ///< -1 when it did not stop training
    double best() const { return best_; }

private:
    EarlyStoppingOptions o_;
    double best_ = 0;
    int best_epoch_ = -1, stopped_epoch_ = -1, wait_ = 0;
    bool minimize_ = true;
    NamedTensors best_state_;
};

struct CheckpointOptions {
    /// File to write; "{epoch}" is replaced by the 1-based epoch number.
    std::string path = "checkpoint.safetensors";
    std::string monitor = "val_loss";
    bool save_best_only = true;
    Mode mode = Mode::automatic;
    bool save_optimizer = false;
};

/// Save the model (safetensors, atomically) after each epoch, or only when the
/// monitored value improves.
class ModelCheckpoint : public Callback {
public:
    explicit ModelCheckpoint(CheckpointOptions options) : o_(std::move(options)) {}
    void on_train_begin(TrainState&) override;
    void on_epoch_end(TrainState&, Logs&) override;
    /// Files written so far.
    const std::vector<std::string>& saved() const { return saved_; }

private:
    CheckpointOptions o_;
    double best_ = 0;
    bool have_best_ = false, minimize_ = true;
    std::vector<std::string> saved_;
};

struct FitOptions {
    int epochs = 10;
    std::size_t batch_size = 32;
    bool shuffle = true;
    std::uint64_t seed = 0;  ///< of the batch order
    /// Data to evaluate after each epoch (val_loss, val_<metric>); empty: none.
    Dataset validation{};
    /// Without `validation`: hold out this fraction of the training rows (the last ones, as Keras).
    double validation_split = 0;
    std::vector<Metric> metrics{};
    std::vector<std::shared_ptr<Callback>> callbacks{};
    /// Stepped after each epoch (with val_loss, or loss, when it needs a metric).
    optim::LRScheduler* scheduler = nullptr;
    /// Clip the global gradient norm to this before each step (0: off).
    double clip_grad_norm = 0;
    /// 0 silent; 1 a progress bar on a terminal, else one line per epoch; 2 one line per epoch.
    int verbose = 1;
    /// Where progress goes (default std::cout; the bar is drawn only on a terminal).
    std::ostream* out = nullptr;
};

/// Train model on train with optimiser and loss for options.epochs epochs, in
/// mini-batches; returns the History. Each batch: zero_grad, forward, loss,
/// backward, (clip), step. A non-finite loss stops training (History::stop_reason
/// says where) instead of running on with NaN weights.
History fit(Module& model, const LossFn& loss, optim::Optimizer& optimizer, const Dataset& train,
            const FitOptions& options = {});
template <class M>
History fit(const std::shared_ptr<M>& model, const LossFn& loss, optim::Optimizer& optimizer, const Dataset& train,
            const FitOptions& options = {}) {
    return fit(*model, loss, optimizer, train, options);
}

struct EvaluateOptions {
    std::size_t batch_size = 256;
    std::vector<Metric> metrics{};
};
/// Loss and metrics on data, in eval mode without recording ({"loss": ..., "accuracy": ...}).
Logs evaluate(Module& model, const LossFn& loss, const Dataset& data, const EvaluateOptions& options = {});
/// The model's outputs for x, in eval mode without recording, batch by batch.
Tensor predict(Module& model, const Tensor& x, std::size_t batch_size = 256);

/// Is this file descriptor's stream a terminal (for progress bars)?
bool is_terminal(int fd);

}  // namespace tg::nn
