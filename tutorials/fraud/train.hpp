#pragma once
// Training a fraud model with tapegrad's nn library: stratified validation
// split, standardisation fitted on the training part, class weighting, Adam
// (SGD for the perceptron), fit() with early stopping on validation PR-AUC,
// and the alert threshold chosen on the validation part.
#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tapegrad/nn/training/fit.hpp>

#include "dataset.hpp"
#include "model_file.hpp"

namespace fraud {

struct TrainOptions {
    Arch arch = Arch::mlp;
    std::vector<std::size_t> hidden{64, 32};
    int epochs = 30;
    std::uint64_t seed = 1;
    std::size_t batch_size = 256;
    double lr = 0;                       ///< 0: 3e-3 (Adam) or 1e-2 (perceptron, SGD)
    int patience = 4;                    ///< early stopping on val_pr_auc
    double val_fraction = 0.2;
    std::optional<double> pos_weight;    ///< default: legit/fraud ratio of the training part, capped at 50
    int verbose = 1;                     ///< as FitOptions::verbose
    std::ostream* out = nullptr;         ///< progress output (default std::cout)
    const std::atomic<bool>* stop = nullptr;  ///< when it becomes true, training ends after the epoch
    /// Train on several workers (tg::dist::data_parallel() under mpirun). Every worker
    /// holds all rows (load_labelled_everywhere) and trains on its shard of each
    /// batch: batch_size rows in all, batch_size / workers on each, so the model is
    /// the one-process model up to float rounding.
    std::shared_ptr<tg::nn::DistributionStrategy> strategy{};
};

struct TrainResult {
    FraudModel model;
    tg::nn::History history;
    tg::nn::Dataset validation;          ///< the validation part, standardised
    std::vector<double> val_scores;      ///< the model's fraud probabilities on it
    std::vector<double> val_labels;
    double pos_weight = 1;
    int best_epoch = -1;                 ///< 0-based epoch whose weights were kept
    bool interrupted = false;
    double seconds = 0;
};

/// Train a model on labelled data. Throws std::invalid_argument for bad options
/// or data without both classes.
TrainResult train_model(const LabelledData& data, const TrainOptions& options);

/// The threshold on the probability that maximises F1 on (scores, labels).
double best_f1_threshold(const std::vector<double>& scores, const std::vector<double>& labels);

}  // namespace fraud
