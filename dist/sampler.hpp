#pragma once
// DistributedSampler: each rank's share of every epoch's rows.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tg::dist {

struct SamplerOptions {
    bool shuffle = true;     ///< a new seeded permutation each epoch (the same on every rank)
    std::uint64_t seed = 0;
    /// When the rows do not divide evenly: false pads by repeating rows from the
    /// start of the permutation (every row is seen; a few twice), true drops the
    /// last rows (each rank the same count; a few rows unseen this epoch).
    bool drop_last = false;
};

/// The rows of epoch e for one rank: the epoch's permutation of 0..n-1 (seed + e)
/// cut into world_size interleaved shards (rank r takes positions r, r+W, ...),
/// as PyTorch's DistributedSampler. Shards are disjoint (apart from padding) and
/// together cover the data set; every rank gets the same number of rows, so all
/// ranks take the same number of steps.
class DistributedSampler {
public:
    DistributedSampler(std::size_t rows, int rank, int world_size, SamplerOptions options = {});
    /// Shorthand: this process's rank and world (needs a running Environment).
    explicit DistributedSampler(std::size_t rows, SamplerOptions options = {});

    std::vector<std::size_t> indices(std::size_t epoch) const;
    /// Rows each rank gets per epoch.
    std::size_t rows_per_rank() const { return per_rank_; }
    /// A callable for DataLoader's sampler option: epoch -> row order.
    auto as_function() const {
        return [self = *this](std::size_t epoch, std::size_t /*rows*/) { return self.indices(epoch); };
    }

private:
    std::size_t rows_;
    int rank_, world_;
    SamplerOptions options_;
    std::size_t per_rank_;
};

}  // namespace tg::dist
