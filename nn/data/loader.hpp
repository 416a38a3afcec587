#pragma once
/// @ingroup nn
/// Mini-batches of a Dataset: DataLoader.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <tuple>
#include <utility>
#include <vector>

#include "../../graph/random.hpp"
#include "dataset.hpp"

namespace tg::nn {

/// One mini-batch: `for (const auto& [x, y] : loader)`. x and y are the first
/// input and target; with a Dataset of several tensors, inputs() and targets()
/// give them all. (Batch is tuple-like, so a structured binding names x and y.)
struct Batch {
    Tensor x;
    Tensor y;

    Batch() = default;
    Batch(Tensor x, Tensor y) : x(std::move(x)), y(std::move(y)) {}
    /// The rows of a Dataset: all of its inputs and targets.
    explicit Batch(const Dataset& rows);
    Tensors inputs() const;
    Tensors targets() const;

    /// get<0> is x, get<1> is y (for structured bindings).
    template <std::size_t I>
    const Tensor& get() const& {
        static_assert(I < 2, "a Batch binds to two names: [x, y]");
        if constexpr (I == 0) return x;
        else return y;
    }
    template <std::size_t I>
    Tensor& get() & {
        static_assert(I < 2, "a Batch binds to two names: [x, y]");
        if constexpr (I == 0) return x;
        else return y;
    }
    template <std::size_t I>
    Tensor&& get() && {
        return std::move(get<I>());
    }

private:
    Tensors more_inputs_, more_targets_;  // after x and y
};

/// Each epoch's row order: sampler(epoch, rows) -> the rows to visit, in order
/// (any subset, repeats allowed). For weighting rare classes, reproducing another
/// library's batch order, or a shard per worker (tg::dist::DistributedSampler).
/// Make it a function of its arguments: the loader may ask for an epoch twice.
using Sampler = std::function<std::vector<std::size_t>(std::size_t epoch, std::size_t rows)>;

struct LoaderOptions {
    std::size_t batch_size = 32;
    bool shuffle = false;    ///< a new order each epoch (each begin()), from `seed`
    bool drop_last = false;  ///< skip a last batch smaller than batch_size
    std::uint64_t seed = 0;
    Sampler sampler{};       ///< when set, it gives each epoch's order (shuffle is then ignored)
    /// Data-parallel training: this worker's share of every epoch's order, rows
    /// order[worker], order[worker + workers], ... The order is the one a single
    /// process would visit, so `workers` workers with batch b together take exactly
    /// the batches of one process with batch workers*b. When the rows are not a
    /// multiple of workers, the last rows (rows mod workers) of each epoch's order
    /// are left out, so every worker's batches hold the same number of rows.
    std::size_t worker = 0;
    std::size_t workers = 1;
};

/// Mini-batches of a Dataset. Each begin() starts an epoch: with shuffle, a new
/// permutation drawn from the loader's own generator, so the sequence of epochs is
/// reproducible from the seed. The loader holds its own Dataset (a copy of the
/// handles, so no data is copied): `DataLoader loader(Dataset(x, y))` is safe.
class DataLoader {
public:
    DataLoader(Dataset data, LoaderOptions options = {});
    /// Batches per epoch.
    std::size_t size() const;
    const LoaderOptions& options() const { return options_; }
    /// Batch b of the current epoch's order.
    Batch batch(std::size_t b) const;

    class iterator {
    public:
        iterator(const DataLoader* loader, std::size_t b) : loader_(loader), b_(b) {}
        Batch operator*() const { return loader_->batch(b_); }
        iterator& operator++() {
            ++b_;
            return *this;
        }
        bool operator!=(const iterator& o) const { return b_ != o.b_; }
        bool operator==(const iterator& o) const { return b_ == o.b_; }

    private:
        const DataLoader* loader_;
        std::size_t b_;
    };
    /// Starts a new epoch (reshuffling when shuffle is on).
    iterator begin();
    iterator end() const { return iterator(this, size()); }
    /// Start a new epoch explicitly (begin() does it too).
    void new_epoch();
    /// The current epoch's row order.
    const std::vector<std::size_t>& order() const { return order_; }
    /// The generator of shuffled orders, and the next epoch a sampler is asked
    /// for: what a training backup saves to continue with the same batches.
    Generator& generator() { return gen_; }
    std::size_t next_epoch() const { return epoch_; }
    void set_next_epoch(std::size_t epoch) { epoch_ = epoch; }

private:
    void take_sampled_order(std::size_t epoch);
    void take_order(std::vector<std::size_t> order);  // keeps this worker's share
    static std::vector<std::size_t> in_order(std::size_t rows);
    Dataset data_;
    LoaderOptions options_;
    Generator gen_;
    std::vector<std::size_t> order_;
    std::size_t epoch_ = 0;  // the next epoch a sampler is asked for
};

}  // namespace tg::nn

template <>
struct std::tuple_size<tg::nn::Batch> : std::integral_constant<std::size_t, 2> {};
template <std::size_t I>
struct std::tuple_element<I, tg::nn::Batch> {
    using type = tg::Tensor;
};
