#pragma once
// Tutorial 2: XOR, in the lesson's ±1 encoding. The perceptron never converges;
// a two-layer MLP solves it.
#include <memory>
#include <vector>

#include <tapegrad/tapegrad.hpp>

#include "../common/report.hpp"

namespace tut::xor_gate {

/// The lesson's XOR table: (−1,−1)→−1, (−1,1)→1, (1,−1)→1, (1,1)→−1; x [4, 2], d [4, 1], float64.
struct Table {
    tg::Tensor x, d;
};
Table xor_table();

/// The perceptron's weights at the end of an epoch, and its accuracy then.
struct Epoch {
    int epoch;
    double w1, w2, b;
    double accuracy;
};

/// Online perceptron training (bipolar, zero weights, SGD on the perceptron
/// criterion) for at most cap epochs, stopping early only on an epoch without
/// error. cycle_start/cycle_end: the first epochs whose end weights repeat
/// (−1 when none did).
/// One update inside an epoch: the row seen, the answer y before the update, the weights after.
struct Update {
    int epoch;
    std::size_t row;
    double y, w1, w2, b;
};

struct PerceptronRun {
    std::vector<Epoch> epochs;
    std::vector<Update> updates;  ///< of the first two epochs
    int cycle_start = -1, cycle_end = -1;
    double best_accuracy = 0;  ///< best accuracy seen after any single update
    double final_accuracy = 0;
    bool converged = false;
};
PerceptronRun train_perceptron(tg::nn::Perceptron& p, const Table& t, double eta, int cap);

/// A 2-4-1 MLP, tanh hidden and tanh output (outputs in (−1, 1)), trained by
/// full-batch Adam on the MSE until all four signs are right and the MSE is
/// below 0.01, or max_steps.
struct MlpRun {
    std::shared_ptr<tg::nn::Sequential> net;
    int steps = 0;
    double loss = 0, accuracy = 0;
    std::vector<double> outputs;  ///< for the four rows
    std::vector<std::pair<int, double>> losses;  ///< (step, MSE) now and then
};
MlpRun train_mlp(const Table& t, int max_steps = 2000);

struct Result {
    PerceptronRun perceptron;
    MlpRun mlp;
};

/// The whole tutorial.
Result run(Report& report);

}  // namespace tut::xor_gate
