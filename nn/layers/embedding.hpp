#pragma once
/// @ingroup nn
/// Embedding: a learnable lookup table.
#include <cstddef>
#include <string>

#include "../module.hpp"

namespace tg::nn {

/// weight [num_embeddings, embedding_dim], initialised N(0, 1) as PyTorch does.
/// forward(indices) with indices of any shape S holding integers in [0, num_embeddings)
/// (as float or double values) returns [S..., embedding_dim] (see tg::embedding).
/// Throws ShapeError naming the layer for an index out of range or not an integer.
class Embedding : public Module {
public:
    Embedding(std::size_t num_embeddings, std::size_t embedding_dim);
    Tensor forward(const Tensor& indices) override;
    std::string type_name() const override { return "Embedding"; }
    std::string extra_repr() const override;

    Tensor weight;  ///< [num_embeddings, embedding_dim]

private:
    std::size_t num_, dim_;
};

}  // namespace tg::nn
