#include "dataset.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "../../graph/grad_mode.hpp"
#include "../../ops/ops.hpp"

namespace tg::nn {

namespace {

Tensor rows_of(const Tensor& t, const std::vector<std::size_t>& indices) {
    if (!t.defined()) return t;
    NoGradGuard no_grad;
    return index_select(t, 0, std::vector<std::int64_t>(indices.begin(), indices.end()));
}

}  // namespace

Dataset::Dataset(Tensor x_, Tensor y_) : x(std::move(x_)), y(std::move(y_)) {
    check_defined("Dataset", x);
    if (x.dim() == 0) throw ShapeError("Dataset: features must have a row axis, got a scalar");
    if (y.defined() && (y.dim() == 0 || y.size(0) != x.size(0)))
        throw ShapeError(fmt::format("Dataset: features {} and targets {} must have the same number of rows",
                                     shape_str(x.shape()), shape_str(y.shape())));
}

Dataset Dataset::subset(const std::vector<std::size_t>& indices) const {
    for (std::size_t i : indices)
        if (i >= size())
            throw std::out_of_range(fmt::format("Dataset::subset: row {} is out of range (size {})", i, size()));
    Dataset d;
    d.x = rows_of(x, indices);
    d.y = rows_of(y, indices);
    return d;
}

Dataset Dataset::slice(std::size_t begin, std::size_t end) const {
    if (begin > end || end > size())
        throw std::out_of_range(fmt::format("Dataset::slice: [{}, {}) is not within [0, {})", begin, end, size()));
    std::vector<std::size_t> idx(end - begin);
    for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = begin + i;
    return subset(idx);
}

}  // namespace tg::nn
