#pragma once
/// @ingroup nn
/// History: the per-epoch numbers fit() logs (Keras' History.history). Plots of
/// it are drawn by plot_history (nn/io/plot.hpp).
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace tg::nn {

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
    /// Record which way is better for key (fit does this for the loss and each metric,
    /// from Metric::higher_is_better, and for their "val_" forms).
    void set_higher_is_better(const std::string& key, bool higher_is_better);
    /// Is a larger value of key better? std::invalid_argument when nobody said
    /// (a key a callback added): then give the callback an explicit Mode.
    bool higher_is_better(const std::string& key) const;
    /// Index (0-based epoch) of the best value of key, in the direction recorded for it.
    std::size_t best_epoch(const std::string& key) const;
    /// CSV with columns epoch,<keys...>; written atomically. Throws IoError.
    void write_csv(const std::string& path) const;
    /// Everything above as JSON, and back (training backups carry the history of
    /// the epochs before an interruption). from_json throws std::invalid_argument
    /// on text that to_json did not make.
    std::string to_json() const;
    static History from_json(const std::string& text);
    /// Why training stopped early ("" when it ran all epochs).
    std::string stop_reason;

private:
    std::vector<std::string> keys_;
    std::map<std::string, std::vector<double>> values_;
    std::map<std::string, bool> higher_is_better_;
    std::size_t epochs_ = 0;
};

}  // namespace tg::nn
