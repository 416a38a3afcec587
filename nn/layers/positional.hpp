#pragma once
/// @ingroup nn
/// Positional encodings for sequence models: attention alone does not see the
/// order of its inputs, so a vector that depends on the position is added to each.
#include <cstddef>
#include <string>

#include "../module.hpp"

namespace tg::nn {

/// The fixed encoding of "Attention Is All You Need" (Vaswani et al., 2017):
///     pe[pos, 2i] = sin(pos / 10000^(2i / d_model)),  pe[pos, 2i + 1] = cos(pos / 10000^(2i / d_model))
/// kept as the non-trainable buffer "pe" [max_len, d_model] (as PyTorch's tutorial does).
/// forward(x) = x + pe[:seq], x [batch, seq, d_model] (batch_first) or [seq, batch, d_model].
/// Throws ShapeError naming the layer when x is not 3-D with d_model features or seq > max_len.
class SinusoidalPositionalEncoding : public Module {
public:
    explicit SinusoidalPositionalEncoding(std::size_t d_model, std::size_t max_len = 5000, bool batch_first = true);
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "SinusoidalPositionalEncoding"; }
    std::string extra_repr() const override;

    Tensor pe;  ///< [max_len, d_model], a buffer

private:
    std::size_t d_model_, max_len_;
    bool batch_first_;
};

/// A learned vector per position: parameter "weight" [max_len, d_model], N(0, 1) as
/// Embedding's; forward(x) = x + weight[:seq], the layouts and errors as above.
class LearnedPositionalEmbedding : public Module {
public:
    LearnedPositionalEmbedding(std::size_t max_len, std::size_t d_model, bool batch_first = true);
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "LearnedPositionalEmbedding"; }
    std::string extra_repr() const override;

    Tensor weight;  ///< [max_len, d_model]

private:
    std::size_t max_len_, d_model_;
    bool batch_first_;
};

}  // namespace tg::nn
