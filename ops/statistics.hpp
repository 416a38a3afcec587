#pragma once
/// @defgroup statistics Variance, standard deviation, norms, cumulative sums
/// Built from recorded ops (or with backward rules written in them), so second
/// derivatives are exact too. Axes as for the reductions (empty: all).
/// @{
#include "reduce.hpp"

namespace tg {

/// Variance over axes: sum((x - mean)^2) / (n - correction), n the elements
/// reduced (PyTorch's var(x, dim, correction)). correction 1 is the unbiased
/// estimate, 0 the population's. n <= correction gives NaN or infinity, as PyTorch.
Tensor var(const Tensor& x, const Axes& axes = {}, double correction = 1, bool keepdims = false);
/// sqrt(var(x, axes, correction)) (PyTorch's std; named so as not to hide namespace std).
/// Its gradient is 0 where the variance is 0 (a constant slice), as PyTorch 1.13's
/// std_backward, and NaN where the variance is NaN (n <= correction).
Tensor stddev(const Tensor& x, const Axes& axes = {}, double correction = 1, bool keepdims = false);

/// The order of a vector norm: 1, 2, or the largest absolute value.
enum class NormOrder { l1, l2, inf };
/// Vector norm over axes (PyTorch's linalg.vector_norm with ord 1, 2, inf).
/// l1: sum |x| (gradient g sign(x), 0 at 0); l2: sqrt(sum x^2) (gradient g x / out,
/// and 0 where the norm is 0, as PyTorch); inf: max |x| (gradient to the largest,
/// split evenly between ties).
Tensor norm(const Tensor& x, NormOrder order = NormOrder::l2, const Axes& axes = {}, bool keepdims = false);

/// Running sum along axis: out[i] = x[0] + ... + x[i];  dx = the running sum of g
/// from the end (reverse cumsum).
Tensor cumsum(const Tensor& x, int axis);

/// x with the positions where mask is true set to value (mask, bool or of x's dtype
/// with nonzero meaning true, broadcasts to x);
/// the gradient reaches x where mask is 0.
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value);

}  // namespace tg
/// @}
