#pragma once
/// @ingroup nn
/// In-memory data: Dataset.
#include <cstddef>
#include <vector>

#include "../module.hpp"

namespace tg::nn {

/// {first, rest...}, or {} when first is undefined: the inputs (or targets) of a
/// Dataset or Batch, which keep the first one apart as x (or y).
Tensors first_and_rest(const Tensor& first, const Tensors& rest);

/// Features x [N, ...] and targets y [N, ...] (y may be undefined for unlabelled
/// data), held in memory. Rows are examples. Copying a Dataset copies handles.
/// Throws ShapeError when x and y disagree on N.
///
/// A model with several inputs (or outputs) takes a Dataset of several tensors:
/// `Dataset({a, b}, {t})`. x and y are then the first input and the first target;
/// inputs() and targets() give them all, in order.
struct Dataset {
    Tensor x;  ///< the (first) input
    Tensor y;  ///< the (first) target, or undefined

    Dataset() = default;
    Dataset(Tensor x, Tensor y = {});
    /// Several inputs (at least one) and targets (maybe none), all with the same
    /// number of rows N (else ShapeError naming the tensor and the shapes).
    /// Without targets write `Dataset(Tensors{a, b})`: `Dataset({a, b})` alone
    /// could also mean Dataset(Dataset(a, b)), and does not compile.
    Dataset(Tensors inputs, Tensors targets = {});
    /// {x, more inputs...}; {y, more targets...} ({} without targets).
    Tensors inputs() const;
    Tensors targets() const;
    std::size_t input_count() const { return x.defined() ? 1 + more_inputs_.size() : 0; }
    std::size_t target_count() const { return y.defined() ? 1 + more_targets_.size() : 0; }
    std::size_t size() const { return x.defined() ? x.size(0) : 0; }
    bool empty() const { return size() == 0; }
    /// The rows at the given indices (a copy), in that order.
    Dataset subset(const std::vector<std::size_t>& indices) const;
    /// Rows begin..end-1.
    Dataset slice(std::size_t begin, std::size_t end) const;

private:
    Tensors more_inputs_;   // inputs after x
    Tensors more_targets_;  // targets after y
};

}  // namespace tg::nn

// For code that included this header for all of the data tools.
#include "loader.hpp"
#include "split.hpp"
#include "standardizer.hpp"
