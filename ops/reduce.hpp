#pragma once
/// @defgroup reduce Reductions
/// Axes may be negative (counted from the end). keepdims keeps reduced axes with size 1.
/// @{
#include <vector>

#include "../graph/tensor.hpp"

namespace tg {

using Axes = std::vector<int>;

/// Sum of all elements (a rank-0 tensor);  dx = g broadcast
Tensor sum(const Tensor& x);
/// Sum over the given axes;  dx = g broadcast back
Tensor sum(const Tensor& x, const Axes& axes, bool keepdims = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, const Axes& axes, bool keepdims = false);
/// Largest element; the gradient goes to the maxima (split evenly between ties).
Tensor max(const Tensor& x);
Tensor max(const Tensor& x, const Axes& axes, bool keepdims = false);
Tensor min(const Tensor& x);
Tensor min(const Tensor& x, const Axes& axes, bool keepdims = false);
/// log(sum(exp(x))) over axes, stable;  dx = g * softmax(x)
Tensor logsumexp(const Tensor& x, const Axes& axes, bool keepdims = false);
/// Index of the largest (smallest) element along axis, the first on ties, as an
/// int64 tensor (as PyTorch). A NaN wins in both (the first NaN), as in max/min,
/// so it is never hidden. Not differentiable.
Tensor argmax(const Tensor& x, int axis = -1, bool keepdims = false);
Tensor argmin(const Tensor& x, int axis = -1, bool keepdims = false);

}  // namespace tg
/// @}
