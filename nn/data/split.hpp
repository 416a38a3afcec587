#pragma once
/// @ingroup nn
/// Train/test split and random permutations.
#include <cstdint>
#include <utility>
#include <vector>

#include "../../graph/random.hpp"
#include "dataset.hpp"

namespace tg::nn {

struct SplitOptions {
    std::uint64_t seed = 0;
    bool shuffle = true;
    /// Keep each class's share in both parts (y, the first target, holds class
    /// labels; every input and target is split alike). For imbalanced
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

}  // namespace tg::nn
