#pragma once
// Tutorial 4: forward propagation, layer by layer: y = f(W·x + b).
#include <vector>

#include <tapegrad/tapegrad.hpp>

#include "../common/report.hpp"

namespace tut::forward {

/// A small fixed network that scores card transactions: 3 inputs (amount in
/// $1000, 1 when at night, distance from home in 100 km) → 4 hidden ReLU
/// neurons → 2 outputs (softmax: legitimate, fraud). Weights chosen by hand.
struct Weights {
    tg::Tensor w1, b1;  ///< [4, 3], [4]
    tg::Tensor w2, b2;  ///< [2, 4], [2]
};
Weights hand_weights();

/// Every value of one forward pass of a batch x [N, 3].
struct Pass {
    tg::Tensor net1, out1;  ///< hidden layer: net input W1·x + b1, output relu(net)
    tg::Tensor net2, out2;  ///< output layer: net input W2·h + b2, output softmax(net)
};
Pass forward(const Weights& w, const tg::Tensor& x);

/// The same network built from layers: Sequential(Linear(3, 4), ReLU, Linear(4, 2), Softmax),
/// with the hand weights copied in.
std::shared_ptr<tg::nn::Sequential> as_layers(const Weights& w);

struct Result {
    std::vector<double> hidden;         ///< out1 of the first transaction
    std::vector<double> probabilities;  ///< [legitimate, fraud] of the first transaction
    std::vector<double> batch_fraud;    ///< fraud probability of each transaction of the batch
    double layers_gap = 0;              ///< largest |Sequential − hand-written forward| on the batch
};

/// The whole tutorial.
Result run(Report& report);

}  // namespace tut::forward
