#include "sampler.hpp"

#include <numeric>
#include <stdexcept>

#include <fmt/format.h>
#include <tapegrad/graph/random.hpp>

#include "environment.hpp"

namespace tg::dist {

DistributedSampler::DistributedSampler(std::size_t rows, int rank, int world_size, SamplerOptions options)
    : rows_(rows), rank_(rank), world_(world_size), options_(options) {
    if (world_size < 1 || rank < 0 || rank >= world_size)
        throw std::invalid_argument(fmt::format("DistributedSampler: rank {} of a world of {}", rank, world_size));
    const auto w = static_cast<std::size_t>(world_);
    per_rank_ = options_.drop_last ? rows_ / w : (rows_ + w - 1) / w;
    if (per_rank_ == 0)
        throw std::invalid_argument(fmt::format("DistributedSampler: {} rows cannot give each of {} ranks a row{}", rows_,
                                                world_, options_.drop_last ? " (drop_last is on)" : ""));
}

DistributedSampler::DistributedSampler(std::size_t rows, SamplerOptions options)
    : DistributedSampler(rows, rank(), world_size(), options) {}

std::vector<std::size_t> DistributedSampler::indices(std::size_t epoch) const {
    std::vector<std::size_t> order(rows_);
    std::iota(order.begin(), order.end(), std::size_t{0});
    if (options_.shuffle) {
        Generator gen(options_.seed + epoch);
        for (std::size_t i = rows_; i > 1; --i) std::swap(order[i - 1], order[gen.below(i)]);  // Fisher-Yates
    }
    const std::size_t total = per_rank_ * static_cast<std::size_t>(world_);
    for (std::size_t i = 0; order.size() < total; ++i) order.push_back(order[i % rows_]);  // pad by wrapping
    std::vector<std::size_t> mine;
    mine.reserve(per_rank_);
    for (std::size_t i = static_cast<std::size_t>(rank_); i < total; i += static_cast<std::size_t>(world_))
        mine.push_back(order[i]);
    return mine;
}

}  // namespace tg::dist
