#pragma once
// Tutorial 12: recurrent networks: the hidden state as memory, and a forecast
// of a real time series.
#include <memory>
#include <vector>

#include <tapegrad/tapegrad.hpp>

#include "../common/report.hpp"

namespace tut::rnn {

/// The memory task: sequences of `length` steps, each input +1 or −1 at random;
/// the target (0 or 1) is whether the FIRST input was +1. x [n, length, 1], y [n, 1].
tg::nn::Dataset first_input_task(std::size_t n, std::size_t length, std::uint64_t seed);

/// An Elman RNN (tanh) that reads a sequence step by step; a linear layer turns its
/// last hidden state into one score (a logit).
struct Recaller : tg::nn::Module {
    std::shared_ptr<tg::nn::RNN> rnn;
    std::shared_ptr<tg::nn::Linear> head;
    explicit Recaller(std::size_t hidden);
    tg::Tensor forward(const tg::Tensor& x) override;  ///< [batch, time, 1] -> [batch, 1]
    /// The hidden state after every step: [batch, time, hidden].
    tg::Tensor states(const tg::Tensor& x);
};

/// A feed-forward network that sees one step at a time, as the RNN does, but keeps
/// nothing between steps: it answers from the last input only (its size cannot help).
std::shared_ptr<tg::nn::Sequential> make_memoryless(std::size_t hidden);

/// Yearly sunspot numbers 1700–2008 (tutorials/data/sm_sunspots_yearly.csv).
std::vector<double> load_sunspots();

/// A GRU that reads a window of past years, then a linear layer on its last state.
struct Forecaster : tg::nn::Module {
    std::shared_ptr<tg::nn::GRU> gru;
    std::shared_ptr<tg::nn::Linear> head;
    explicit Forecaster(std::size_t hidden);
    tg::Tensor forward(const tg::Tensor& x) override;  ///< [batch, window, 1] -> [batch, 1]
};

struct Result {
    double rnn_accuracy = 0, memoryless_accuracy = 0;  ///< on fresh test sequences
    std::vector<double> state_gap;  ///< |h(+1 first) − h(−1 first)| after each step, same later inputs
    double gru_rmse = 0, last_value_rmse = 0;  ///< sunspots, the last 61 years
    int first_test_year = 0;
};

/// The whole tutorial.
Result run(Report& report);

}  // namespace tut::rnn
