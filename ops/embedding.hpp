#pragma once
/// @defgroup embedding Embedding lookup
/// @{
#include <cstdint>
#include <source_location>
#include <vector>

#include "../graph/tensor.hpp"

namespace tg {

/// Rows of an embedding table: weight [V, D], indices of any shape S holding integral
/// values in [0, V) (tapegrad stores them as float or double) -> [S..., D].
/// dweight scatters g back onto the rows, adding for repeated indices (a recorded op;
/// its backward is the lookup again). The indices get no gradient.
/// Throws ShapeError for a weight that is not 2-D, or an index that is not an integer in [0, V)
/// (NaN, infinities and values like 1e30 included: each is checked as a number before it is
/// converted to an integer, and the message names it as given).
Tensor embedding(const Tensor& weight, const Tensor& indices,
                 std::source_location loc = std::source_location::current());
/// The same with the indices given as integers and the output shape as `shape` + [D]
/// (shape empty: [indices.size(), D]).
Tensor embedding(const Tensor& weight, const std::vector<std::int64_t>& indices, const Shape& shape = {},
                 std::source_location loc = std::source_location::current());

}  // namespace tg
/// @}
