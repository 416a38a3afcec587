#pragma once
/// @ingroup nn
/// In-memory data: Dataset, DataLoader, train/test split, Standardizer.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../../graph/random.hpp"
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

/// One mini-batch: `for (const auto& [x, y] : loader)`.
struct Batch {
    Tensor x;
    Tensor y;
};

struct LoaderOptions {
    std::size_t batch_size = 32;
    bool shuffle = false;    ///< a new order each epoch (each begin()), from `seed`
    bool drop_last = false;  ///< skip a last batch smaller than batch_size
    std::uint64_t seed = 0;
};

/// Mini-batches of a Dataset. Each begin() starts an epoch: with shuffle, a new
/// permutation drawn from the loader's own generator, so the sequence of epochs is
/// reproducible from the seed. The dataset must outlive the loader.
class DataLoader {
public:
    DataLoader(const Dataset& data, LoaderOptions options = {});
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

private:
    const Dataset* data_;
    LoaderOptions options_;
    Generator gen_;
    std::vector<std::size_t> order_;
};

struct SplitOptions {
    std::uint64_t seed = 0;
    bool shuffle = true;
    /// Keep each class's share in both parts (y holds class labels). For imbalanced
    /// data such as fraud, so the test part has its share of the rare class.
    bool stratify = false;
};

/// Split into (train, test), with ceil(test_fraction · N) test rows (as scikit-learn);
/// when stratified, shared out among the classes in proportion (each class gets the
/// floor of its share, the largest remainders one more).
/// Throws std::invalid_argument unless 0 < test_fraction < 1 and both parts are non-empty.
std::pair<Dataset, Dataset> train_test_split(const Dataset& data, double test_fraction, SplitOptions options = {});

/// A random permutation of 0..n-1 (Fisher-Yates on gen).
std::vector<std::size_t> permutation(std::size_t n, Generator& gen);

/// Per-column standardisation z = (x − mean) / std, as scikit-learn's
/// StandardScaler (population std; a constant column gets std 1). Fit it on the
/// training part only, then transform every part with the same numbers.
class Standardizer {
public:
    Standardizer() = default;
    /// Learn mean and std of each column of x [N, F]. Throws for N = 0 or rank != 2.
    Standardizer& fit(const Tensor& x);
    /// (x − mean) / std, in x's dtype; not recorded. Throws if not fitted or F differs.
    Tensor transform(const Tensor& x) const;
    Tensor fit_transform(const Tensor& x) { return fit(x).transform(x); }
    /// x · std + mean.
    Tensor inverse_transform(const Tensor& z) const;
    /// Standardise one row in place (for streaming scorers).
    void transform_row(double* row) const;
    bool fitted() const { return !mean_.empty(); }
    const std::vector<double>& mean() const { return mean_; }
    const std::vector<double>& scale() const { return scale_; }
    /// {prefix + "mean", prefix + "scale"} as float64 tensors, to save with a model.
    NamedTensors state(const std::string& prefix = "standardizer.") const;
    /// Restore from state(); throws std::invalid_argument when an entry is missing or malformed.
    void load_state(const NamedTensors& state, const std::string& prefix = "standardizer.");

private:
    std::vector<double> mean_, scale_;
};

}  // namespace tg::nn
