#include "loader.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "split.hpp"

namespace tg::nn {

DataLoader::DataLoader(Dataset data, LoaderOptions options)
    : data_(std::move(data)), options_(options), gen_(options.seed) {
    if (options.batch_size == 0) throw std::invalid_argument("DataLoader: batch_size must be positive");
    if (options.workers == 0 || options.worker >= options.workers)
        throw std::invalid_argument(
            fmt::format("DataLoader: worker {} of {} (workers are 0 .. workers-1)", options.worker, options.workers));
    if (options_.sampler) take_sampled_order(0);
    else take_order(in_order(data_.size()));
}

std::vector<std::size_t> DataLoader::in_order(std::size_t rows) {
    std::vector<std::size_t> order(rows);
    for (std::size_t i = 0; i < rows; ++i) order[i] = i;
    return order;
}

void DataLoader::take_order(std::vector<std::size_t> order) {
    const std::size_t w = options_.workers;
    if (w == 1) {
        order_ = std::move(order);
        return;
    }
    const std::size_t n = order.size() / w * w;  // every worker gets the same count
    order_.clear();
    for (std::size_t i = options_.worker; i < n; i += w) order_.push_back(order[i]);
}

void DataLoader::take_sampled_order(std::size_t epoch) {
    std::vector<std::size_t> order = options_.sampler(epoch, data_.size());
    for (std::size_t i : order)
        if (i >= data_.size())
            throw std::out_of_range(fmt::format("DataLoader: the sampler gave row {} of a data set of {} rows (epoch {})",
                                                i, data_.size(), epoch));
    take_order(std::move(order));
}

std::size_t DataLoader::size() const {
    const std::size_t n = order_.size(), b = options_.batch_size;
    return options_.drop_last ? n / b : (n + b - 1) / b;
}

void DataLoader::new_epoch() {
    if (options_.sampler) {
        take_sampled_order(epoch_++);
        return;
    }
    if (options_.shuffle) take_order(permutation(data_.size(), gen_));
}

DataLoader::iterator DataLoader::begin() {
    new_epoch();
    return iterator(this, 0);
}

Batch DataLoader::batch(std::size_t b) const {
    if (b >= size()) throw std::out_of_range(fmt::format("DataLoader: batch {} of {}", b, size()));
    const std::size_t start = b * options_.batch_size;
    const std::size_t stop = std::min(start + options_.batch_size, order_.size());
    const std::vector<std::size_t> idx(order_.begin() + static_cast<std::ptrdiff_t>(start),
                                       order_.begin() + static_cast<std::ptrdiff_t>(stop));
    return Batch(data_.subset(idx));
}

Batch::Batch(const Dataset& rows) : x(rows.x), y(rows.y) {
    const Tensors in = rows.inputs(), out = rows.targets();
    if (in.size() > 1) more_inputs_.assign(in.begin() + 1, in.end());
    if (out.size() > 1) more_targets_.assign(out.begin() + 1, out.end());
}

Tensors Batch::inputs() const { return first_and_rest(x, more_inputs_); }
Tensors Batch::targets() const { return first_and_rest(y, more_targets_); }

}  // namespace tg::nn
