#pragma once
// Tutorial 10: a deep neural network on real tabular data (breast cancer),
// against the perceptron.
#include <memory>
#include <string>
#include <vector>

#include <tapegrad/tapegrad.hpp>

#include "../common/report.hpp"

namespace tut::deep {

/// The breast-cancer data split 80/20 (stratified, seeded), standardised with the
/// training part's mean and std. y is [N, 1], 1 = benign, 0 = malignant.
struct Split {
    tg::nn::Dataset train, test;
};
Split load_split(std::uint64_t seed = 1);

/// Scores on the test part.
struct Scores {
    double accuracy = 0, precision = 0, recall = 0, f1 = 0, roc_auc = 0;
    tg::nn::ConfusionMatrix confusion;
};

/// The perceptron: online SGD on the perceptron criterion (the textbook rule),
/// zero weights, `epochs` passes. Returns its test scores.
Scores train_perceptron(const Split& s, int epochs = 20, double eta = 0.1);

/// The DNN: mlp 30-32-16-1 with ReLU and He initialisation, BCE with logits,
/// Adam, trained by tg::nn::fit. Returns its test scores and history.
struct DnnRun {
    std::shared_ptr<tg::nn::Sequential> net;
    tg::nn::History history;
    Scores scores;
};
DnnRun train_dnn(const Split& s, int epochs = 60);

/// Both models on one split.
struct SplitResult {
    std::uint64_t seed;
    double perceptron_accuracy, dnn_accuracy, perceptron_auc, dnn_auc;
};

struct Result {
    Scores perceptron;  ///< on the first split (seed 1)
    DnnRun dnn;         ///< on the first split
    std::vector<SplitResult> splits;  ///< seeds 1..10
    double perceptron_mean = 0, dnn_mean = 0;
};

/// The whole tutorial.
Result run(Report& report);

}  // namespace tut::deep
