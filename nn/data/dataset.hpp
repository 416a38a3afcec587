#pragma once
/// @ingroup nn
/// In-memory data: Dataset.
#include <cstddef>
#include <vector>

#include "../module.hpp"

namespace tg::nn {

/// Features x [N, ...] and targets y [N, ...] (y may be undefined for unlabelled
/// data), held in memory. Rows are examples. Copying a Dataset copies handles.
/// Throws ShapeError when x and y disagree on N.
struct Dataset {
    Tensor x;
    Tensor y;

    Dataset() = default;
    Dataset(Tensor x, Tensor y = {});
    std::size_t size() const { return x.defined() ? x.size(0) : 0; }
    bool empty() const { return size() == 0; }
    /// The rows at the given indices (a copy), in that order.
    Dataset subset(const std::vector<std::size_t>& indices) const;
    /// Rows begin..end-1.
    Dataset slice(std::size_t begin, std::size_t end) const;
};

}  // namespace tg::nn

// For code that included this header for all of the data tools.
#include "loader.hpp"
#include "split.hpp"
#include "standardizer.hpp"
