#pragma once
// Tutorial 11: a convolutional network classifies 8x8 handwritten digits.
#include <memory>
#include <string>
#include <vector>

#include <tapegrad/tapegrad.hpp>

#include "../common/report.hpp"

namespace tut::cnn {

/// scikit-learn's 8x8 digits (tutorials/data/sklearn_digits_8x8.csv.gz):
/// images [1797, 1, 8, 8] with pixels scaled from 0..16 to 0..1, labels [1797] (0..9).
/// Throws std::runtime_error naming the file and line on a malformed row.
tg::nn::Dataset load_digits();

/// The CNN: two blocks of 3x3 convolution + ReLU + 2x2 max pooling, then a
/// linear layer to the 10 classes:
/// [N,1,8,8] -> conv 16 -> [N,16,8,8] -> pool -> [N,16,4,4] -> conv 32 -> pool -> [N,32,2,2] -> 128 -> 10.
std::shared_ptr<tg::nn::Sequential> make_cnn();

struct Misclassified {
    std::size_t index;  ///< row of the test part
    int truth, predicted;
    double probability;  ///< the model's probability for its (wrong) answer
};

struct Result {
    std::size_t train_size = 0, test_size = 0;
    tg::nn::History history;
    double test_accuracy = 0;
    tg::nn::ConfusionMatrix confusion;
    std::vector<Misclassified> mistakes;
    double edge_response_max = 0;  ///< largest response of the hand-made vertical-edge filter
};

/// The whole tutorial.
Result run(Report& report);

}  // namespace tut::cnn
