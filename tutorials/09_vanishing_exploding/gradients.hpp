#pragma once
// Tutorial 9: vanishing and exploding gradients in deep networks, and the fixes.
#include <memory>
#include <string>
#include <vector>

#include <tapegrad/tapegrad.hpp>

#include "../common/report.hpp"

namespace tut::gradients {

/// The breast-cancer data, standardised: x [569, 30] float32, y [569, 1] (1 = benign).
tg::nn::Dataset load_data();

/// A deep network: 30 inputs, `hidden` layers of `width` neurons, one output (a logit).
struct Config {
    std::string name;        ///< for the tables
    std::string activation;  ///< "sigmoid", "tanh", "relu"
    std::string init;        ///< tg::nn::init::initialize scheme, or "normal1" for N(0, 1) weights
};
std::shared_ptr<tg::nn::Sequential> make_net(const Config& c, int hidden = 10, std::size_t width = 32,
                                            std::uint64_t seed = 1);

/// The L2 norm of each Linear layer's weight gradient after one backward pass
/// of the BCE loss on the whole data set, from the input layer to the output layer.
std::vector<double> layer_gradient_norms(tg::nn::Sequential& net, const tg::nn::Dataset& data);

/// Full-batch SGD training. clip > 0 clips the global gradient norm to it
/// before each step. Stops when the loss stops being finite.
struct Training {
    std::vector<double> losses;  ///< one per step (the last may be inf or nan)
    double accuracy = 0;         ///< on the data after training (0 when it diverged)
    bool diverged = false;
    std::vector<double> first_layer_change;  ///< |ΔW of the first layer| per step
};
Training train(tg::nn::Sequential& net, const tg::nn::Dataset& data, int steps, double lr, double clip = 0);

struct Result {
    std::vector<Config> configs;
    std::vector<std::vector<double>> norms;  ///< norms[config][layer]
    std::vector<Training> trained;           ///< per config, no clipping
    Training clipped;                        ///< the badly initialised net, with clipping
};

/// The whole tutorial.
Result run(Report& report);

}  // namespace tut::gradients
