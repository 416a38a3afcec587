#pragma once
/// @ingroup shape
/// Sorting along an axis: sort and topk. The indices come first (int64, no
/// gradient); the values are then gather(x, axis, indices), so their gradient is
/// gather's: each value's gradient goes back to the position it came from, and
/// second derivatives work. NaN sorts as the largest value, as in PyTorch.
#include <cstddef>

#include "../graph/tensor.hpp"

namespace tg {

/// Values and their positions along the axis (int64, x's shape but k along the axis for topk).
struct SortResult {
    Tensor values;
    Tensor indices;
};

/// x sorted along axis, ascending (or descending); stable: equal values keep their order.
SortResult sort(const Tensor& x, int axis = -1, bool descending = false);

/// The k largest (or smallest) values along axis, in sorted order (largest first
/// when largest). ShapeError naming "topk" when k exceeds the axis's size.
SortResult topk(const Tensor& x, std::size_t k, int axis = -1, bool largest = true);

}  // namespace tg
