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

Dataset::Dataset(Tensors inputs, Tensors targets) {
    if (inputs.empty()) throw std::invalid_argument("Dataset: needs at least one input tensor, got none");
    auto name = [&](std::size_t i) {
        return i < inputs.size() ? fmt::format("input {}", i) : fmt::format("target {}", i - inputs.size());
    };
    Tensors all = inputs;
    all.insert(all.end(), targets.begin(), targets.end());
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (!all[i].defined()) throw std::invalid_argument(fmt::format("Dataset: {} is undefined", name(i)));
        if (all[i].dim() == 0)
            throw ShapeError(fmt::format("Dataset: {} must have a row axis, got a scalar", name(i)));
        if (all[i].size(0) != all[0].size(0))
            throw ShapeError(fmt::format("Dataset: {} {} and input 0 {} must have the same number of rows", name(i),
                                         shape_str(all[i].shape()), shape_str(all[0].shape())));
    }
    x = inputs[0];
    more_inputs_.assign(inputs.begin() + 1, inputs.end());
    if (!targets.empty()) {
        y = targets[0];
        more_targets_.assign(targets.begin() + 1, targets.end());
    }
}

Tensors first_and_rest(const Tensor& first, const Tensors& rest) {
    if (!first.defined()) return {};
    Tensors all{first};
    all.insert(all.end(), rest.begin(), rest.end());
    return all;
}

Tensors Dataset::inputs() const { return first_and_rest(x, more_inputs_); }
Tensors Dataset::targets() const { return first_and_rest(y, more_targets_); }

Dataset Dataset::subset(const std::vector<std::size_t>& indices) const {
    for (std::size_t i : indices)
        if (i >= size())
            throw std::out_of_range(fmt::format("Dataset::subset: row {} is out of range (size {})", i, size()));
    Dataset d;
    d.x = rows_of(x, indices);
    d.y = rows_of(y, indices);
    for (const Tensor& t : more_inputs_) d.more_inputs_.push_back(rows_of(t, indices));
    for (const Tensor& t : more_targets_) d.more_targets_.push_back(rows_of(t, indices));
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
