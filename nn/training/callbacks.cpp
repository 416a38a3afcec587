#include "callbacks.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "../../graph/grad_mode.hpp"
#include "../io/checkpoint.hpp"

namespace tg::nn {

namespace {

bool minimizes(Mode mode, const History& history, const std::string& key) {
    return mode == Mode::automatic ? !history.higher_is_better(key) : mode == Mode::min;
}

double monitored(const Logs& logs, const std::string& key, const char* who) {
    auto it = logs.find(key);
    if (it == logs.end()) {
        std::vector<std::string> known;
        for (const auto& [k, v] : logs) known.push_back(k);
        throw std::invalid_argument(fmt::format("{}: no '{}' in the epoch's logs (known: {}); add validation data or "
                                                "the metric, or monitor another key",
                                                who, key, fmt::join(known, ", ")));
    }
    return it->second;
}

NamedTensors snapshot(const Module& model) {
    NoGradGuard no_grad;
    NamedTensors out;
    for (const auto& [n, t] : model.state_dict()) out.emplace_back(n, t.clone());
    return out;
}

}  // namespace

void EarlyStopping::on_train_begin(TrainState&) {
    best_epoch_ = stopped_epoch_ = -1;
    wait_ = 0;
    best_state_.clear();
}

void EarlyStopping::on_epoch_end(TrainState& s, Logs& logs) {
    const double v = monitored(logs, o_.monitor, "EarlyStopping");
    if (best_epoch_ < 0) {  // the first epoch: every key is known by now
        minimize_ = minimizes(o_.mode, s.history, o_.monitor);
        best_ = minimize_ ? HUGE_VAL : -HUGE_VAL;
    }
    const bool better = minimize_ ? v < best_ - o_.min_delta : v > best_ + o_.min_delta;
    if (better) {
        best_ = v;
        best_epoch_ = s.epoch;
        wait_ = 0;
        if (o_.restore_best_weights) best_state_ = snapshot(s.model);
        return;
    }
    if (++wait_ >= o_.patience) {
        stopped_epoch_ = s.epoch;
        s.stop_training = true;
        s.history.stop_reason = fmt::format("early stopping: {} did not improve for {} epochs (best {:.6g} at epoch {})",
                                            o_.monitor, o_.patience, best_, best_epoch_ + 1);
    }
}

void EarlyStopping::on_train_end(TrainState& s) {
    if (o_.restore_best_weights && !best_state_.empty() && best_epoch_ != s.epoch)
        s.model.load_state_dict(best_state_);
}

void ModelCheckpoint::on_train_begin(TrainState&) { have_best_ = false; }

void ModelCheckpoint::on_epoch_end(TrainState& s, Logs& logs) {
    if (o_.save_best_only) {
        const double v = monitored(logs, o_.monitor, "ModelCheckpoint");
        if (!have_best_) minimize_ = minimizes(o_.mode, s.history, o_.monitor);
        const bool better = !have_best_ || (minimize_ ? v < best_ : v > best_);
        if (!better) return;
        best_ = v;
        have_best_ = true;
    }
    if (!s.is_chief) return;  // one writer when several workers train
    std::string path = o_.path;
    for (std::size_t at; (at = path.find("{epoch}")) != std::string::npos;)
        path.replace(at, 7, std::to_string(s.epoch + 1));
    SaveOptions so;
    so.optimizer = o_.save_optimizer ? &s.optimizer : nullptr;
    so.metadata["epoch"] = std::to_string(s.epoch + 1);
    for (const auto& [k, v] : logs) so.metadata["logs." + k] = fmt::format("{:.9g}", v);
    save(s.model, path, so);
    saved_.push_back(path);
}

}  // namespace tg::nn
