// Embedding lookup: index_select on the table's rows (scatter-add is its recorded gradient).
#include "embedding.hpp"

#include <cmath>

#include <fmt/format.h>

#include "detail.hpp"
#include "shape.hpp"

namespace tg {

Tensor embedding(const Tensor& weight, const std::vector<std::int64_t>& indices, const Shape& shape,
                 std::source_location loc) {
    check_float("embedding", weight);
    if (weight.dim() != 2)
        throw_shape_error("embedding", fmt::format("weight must be 2-D [num_embeddings, embedding_dim], got shape {}",
                                                   shape_str(weight.shape())),
                          loc);
    const auto v = static_cast<std::int64_t>(weight.size(0));
    for (std::size_t j = 0; j < indices.size(); ++j)
        if (indices[j] < 0 || indices[j] >= v)
            throw_shape_error("embedding", fmt::format("index {} (position {}) is out of range for weight {} ({} "
                                                       "embeddings, valid 0 to {})",
                                                       indices[j], j, shape_str(weight.shape()), v, v - 1),
                              loc);
    Shape out = shape.empty() ? Shape{indices.size()} : shape;
    std::size_t count = 1;
    for (std::size_t d : out) count *= d;
    if (count != indices.size())
        throw_shape_error("embedding", fmt::format("{} indices do not fill the shape {}", indices.size(), shape_str(out)),
                          loc);
    out.push_back(weight.size(1));
    const Tensor rows = index_select(weight, 0, indices);
    return out.size() == 2 ? rows : reshape(rows, out);
}

Tensor embedding(const Tensor& weight, const Tensor& indices, std::source_location loc) {
    check_defined("embedding", indices);
    check_float("embedding", weight);
    if (weight.dim() != 2)
        throw_shape_error("embedding", fmt::format("weight must be 2-D [num_embeddings, embedding_dim], got shape {}",
                                                   shape_str(weight.shape())),
                          loc);
    const std::vector<std::int64_t> idx = detail::index_values("embedding", indices);
    const auto rows = static_cast<std::int64_t>(weight.size(0));
    for (std::size_t j = 0; j < idx.size(); ++j)
        if (idx[j] < 0 || idx[j] >= rows)
            throw_shape_error("embedding", fmt::format("index {} at flat position {} of indices {} is out of range for "
                                                       "weight {} ({} embeddings, valid 0 to {})",
                                                       idx[j], j, shape_str(indices.shape()),
                                                       shape_str(weight.shape()), rows, rows - 1),
                              loc);
    Shape shape = indices.shape();
    if (shape.empty()) {  // a single index: one row [D]
        const Tensor rows = embedding(weight, idx, {1}, loc);
        return reshape(rows, {static_cast<std::int64_t>(weight.size(1))});
    }
    return embedding(weight, idx, shape, loc);
}

}  // namespace tg
