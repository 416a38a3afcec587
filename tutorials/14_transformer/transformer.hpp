#pragma once
// Tutorial 14: self-attention and the Transformer encoder, on a task where every
// output depends on the whole input: sorting short sequences of digits.
#include <memory>
#include <vector>

#include <tapegrad/tapegrad.hpp>

#include "../common/report.hpp"

namespace tut::transformer {

/// n sequences of `length` digits 0-9 (x [n, length]) and the same digits sorted (y [n, length]).
tg::nn::Dataset sort_task(std::size_t n, std::size_t length, std::uint64_t seed);

/// Embedding + (optional) sinusoidal positional encoding + a Transformer encoder +
/// a linear layer that classifies each position into a digit: [batch, length] -> [batch, length, 10].
struct SortTransformer : tg::nn::Module {
    std::shared_ptr<tg::nn::Embedding> embed;
    std::shared_ptr<tg::nn::SinusoidalPositionalEncoding> position;  ///< null when left out
    std::shared_ptr<tg::nn::TransformerEncoder> encoder;
    std::shared_ptr<tg::nn::Linear> head;
    SortTransformer(std::size_t d_model, std::size_t heads, std::size_t layers, bool positional);
    /// The encoder's input: embedded digits plus their positions, [batch, length, d_model].
    tg::Tensor embedded(const tg::Tensor& x);
    tg::Tensor forward(const tg::Tensor& x) override;
};

/// A GRU reads the digits one by one; a linear layer turns its last state into the
/// whole answer (length x 10 scores): [batch, length] -> [batch, length, 10].
struct SortGRU : tg::nn::Module {
    std::shared_ptr<tg::nn::Embedding> embed;
    std::shared_ptr<tg::nn::GRU> gru;
    std::shared_ptr<tg::nn::Linear> head;
    std::size_t length;
    SortGRU(std::size_t embed_dim, std::size_t hidden, std::size_t length);
    tg::Tensor forward(const tg::Tensor& x) override;
};

/// Share of digits, and of whole sequences, put in the right place.
struct Accuracy {
    double digits = 0, sequences = 0;
};
Accuracy sort_accuracy(tg::nn::Module& model, const tg::nn::Dataset& data);

struct Result {
    Accuracy transformer, no_position, gru;
    std::size_t transformer_parameters = 0, gru_parameters = 0;
    std::vector<double> causal_weights;   ///< [length, length] of the example, with is_causal
    std::vector<double> padding_weights;  ///< [length, length] of the example, the last 2 keys padding
};

/// The whole tutorial.
Result run(Report& report);

}  // namespace tut::transformer
