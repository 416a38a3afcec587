#include "embedding.hpp"

#include <fmt/format.h>

#include "../../ops/embedding.hpp"

namespace tg::nn {

Embedding::Embedding(std::size_t num_embeddings, std::size_t embedding_dim)
    : num_(num_embeddings), dim_(embedding_dim) {
    weight = register_parameter("weight", normal({num_embeddings, embedding_dim}));
}

Tensor Embedding::forward(const Tensor& indices) {
    try {
        return embedding(weight, indices);
    } catch (const ShapeError& e) {
        throw ShapeError(fmt::format("Embedding({}): {}", extra_repr(), e.what()));
    }
}

std::string Embedding::extra_repr() const { return fmt::format("{}, {}", num_, dim_); }

}  // namespace tg::nn
