#pragma once
/// @defgroup shape Shape and indexing ops
/// All copy (tapegrad has no aliasing views). Axes may be negative. They move values
/// without computing, so they take tensors of every dtype (int64 and bool included).
/// @{
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <source_location>
#include <vector>

#include "../graph/tensor.hpp"

namespace tg {

/// A target shape for reshape: sizes, one of which may be -1 (inferred).
struct ShapeArg {
    std::vector<std::int64_t> dims;
    ShapeArg(std::initializer_list<std::int64_t> d) : dims(d) {}
    ShapeArg(const Shape& s) : dims(s.begin(), s.end()) {}
    ShapeArg(ShapeView s) : dims(s.begin(), s.end()) {}  // reshape(x, y.shape())
};

/// Same values in a new shape with the same number of elements;  dx = reshape(g, x.shape)
Tensor reshape(const Tensor& x, const ShapeArg& shape, std::source_location loc = std::source_location::current());
/// Merge axes start..end (inclusive) into one (PyTorch's flatten).
Tensor flatten(const Tensor& x, int start_axis = 0, int end_axis = -1);
/// Remove an axis of size 1 (or all size-1 axes when axis is omitted).
Tensor squeeze(const Tensor& x);
Tensor squeeze(const Tensor& x, int axis);
/// Insert an axis of size 1 at position axis (0..rank).
Tensor unsqueeze(const Tensor& x, int axis);
/// Swap the last two axes (a matrix transpose for 2-D).
Tensor transpose(const Tensor& x);
/// Swap two axes.
Tensor transpose(const Tensor& x, int axis0, int axis1);
/// Reorder axes: out axis k is x's axis dims[k];  dx = permute(g, inverse)
Tensor permute(const Tensor& x, const std::vector<int>& dims);
/// Elements start, start+step, ... before stop along axis, as Python's x[start:stop:step]:
/// negative start/stop count from the end and are clamped like Python; a negative step
/// walks backward (x[::-1] is slice(x, axis, n - 1, -n - 1, -1)). Step 0 is a ShapeError.
Tensor slice(const Tensor& x, int axis, std::int64_t start, std::int64_t stop, std::int64_t step = 1);
/// Rows (along axis) picked by indices, repeats allowed;  dx scatters g back (adding on repeats)
Tensor index_select(const Tensor& x, int axis, const std::vector<std::int64_t>& indices);
/// The same with a 1-D index tensor: int64, or float holding whole numbers.
Tensor index_select_tensor(const Tensor& x, int axis, const Tensor& indices);
/// (a template so that `index_select(x, 0, {})` still means no indices, not an undefined tensor)
template <std::same_as<Tensor> T>
Tensor index_select(const Tensor& x, int axis, const T& indices) {
    return index_select_tensor(x, axis, indices);
}
/// out[i][j] = x[i][index[i][j]] along axis (torch.gather); index is int64 (or a float
/// tensor of whole numbers) with x's shape but for axis.
Tensor gather(const Tensor& x, int axis, const Tensor& index);
/// Join along an existing axis; all other axes must agree.
Tensor concat(const std::vector<Tensor>& xs, int axis = 0);
/// Join along a new axis; all shapes must agree.
Tensor stack(const std::vector<Tensor>& xs, int axis = 0);
/// Split into pieces of the given sizes along axis (differentiable; inverse of concat).
std::vector<Tensor> split(const Tensor& x, const std::vector<std::size_t>& sizes, int axis = 0);
/// Split into n equal pieces along axis.
std::vector<Tensor> chunk(const Tensor& x, std::size_t n, int axis = 0);

}  // namespace tg
/// @}
