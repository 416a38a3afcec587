#pragma once
/// @ingroup nn
/// Callbacks of fit(): the hooks a callback can override, and the built-in
/// EarlyStopping and ModelCheckpoint.
#include <functional>
#include <string>
#include <vector>

#include "../module.hpp"
#include "../optim/optimizer.hpp"
#include "history.hpp"

namespace tg::nn {

/// What callbacks see and may change.
struct TrainState {
    Module& model;
    optim::Optimizer& optimizer;
    History& history;
    int epoch = 0;        ///< 0-based, the current epoch
    int epochs = 0;       ///< total asked for
    bool stop_training = false;  ///< set to end training after this epoch
    bool is_chief = true;        ///< false on workers other than the chief: write no files
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

/// Which way a monitored value should go. automatic: as the History records for
/// the key (the loss goes down; a Metric says which way it goes).
enum class Mode { automatic, min, max };

struct EarlyStoppingOptions {
    std::string monitor = "val_loss";
    int patience = 5;         ///< epochs without improvement before stopping
    double min_delta = 0;     ///< smaller changes do not count as improvement
    Mode mode = Mode::automatic;
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

}  // namespace tg::nn
