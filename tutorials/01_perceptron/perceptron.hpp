#pragma once
// Tutorial 1: the artificial neuron and the perceptron, trained on AND and OR.
#include <string>
#include <vector>

#include <tapegrad/tapegrad.hpp>

#include "../common/report.hpp"

namespace tut::perceptron {

/// A truth table: inputs (one row each) and desired outputs d.
struct Gate {
    std::string name;
    std::vector<std::vector<double>> x;
    std::vector<double> d;
};
Gate and_gate();
Gate or_gate();

/// The weights at the end of one epoch (one pass over the four rows).
struct Epoch {
    int epoch;
    double w1, w2, b;
    int errors;  ///< rows the perceptron got wrong during this epoch (each made an update)
};

/// Train a zero-initialised tg::nn::Perceptron online (one row at a time, in
/// order) by SGD with learning rate eta on the perceptron criterion, until an
/// epoch has no error or max_epochs have run. The perceptron is left trained.
std::vector<Epoch> train(tg::nn::Perceptron& p, const Gate& gate, double eta, int max_epochs);

/// Fraction of rows the perceptron gets right.
double accuracy(tg::nn::Perceptron& p, const Gate& gate);

struct GateResult {
    std::vector<Epoch> epochs;
    double accuracy = 0;
    double w1 = 0, w2 = 0, b = 0;
};

struct Result {
    double neuron_sum_a = 0, neuron_out_a = 0, neuron_sum_b = 0, neuron_out_b = 0;
    std::vector<double> first_gradient;  ///< dL/d(w1, w2, b) for the first update on AND
    GateResult and_result, or_result;
};

/// The whole tutorial.
Result run(Report& report);

}  // namespace tut::perceptron
