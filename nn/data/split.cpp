#include "split.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

namespace tg::nn {

std::vector<std::size_t> permutation(std::size_t n, Generator& gen) {
    std::vector<std::size_t> p(n);
    for (std::size_t i = 0; i < n; ++i) p[i] = i;
    for (std::size_t i = n; i > 1; --i) std::swap(p[i - 1], p[gen.below(i)]);
    return p;
}

std::pair<Dataset, Dataset> train_test_split(const Dataset& data, double test_fraction, SplitOptions options) {
    if (!(test_fraction > 0 && test_fraction < 1))
        throw std::invalid_argument(
            fmt::format("train_test_split: test_fraction {} must be in (0, 1)", test_fraction));
    const std::size_t n = data.size();
    Generator gen(options.seed);
    std::vector<std::size_t> order;
    if (options.shuffle) order = permutation(n, gen);
    else
        for (std::size_t i = 0; i < n; ++i) order.push_back(i);

    std::vector<std::size_t> train, test;
    if (!options.stratify) {
        const auto n_test = static_cast<std::size_t>(std::ceil(test_fraction * static_cast<double>(n)));
        if (n_test >= n)
            throw std::invalid_argument(
                fmt::format("train_test_split: a test fraction of {} leaves no training rows out of {}", test_fraction, n));
        test.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_test));
        train.assign(order.begin() + static_cast<std::ptrdiff_t>(n_test), order.end());
    } else {
        if (!data.y.defined() || data.y.size() != n)
            throw std::invalid_argument("train_test_split: stratify needs one class label per row in y");
        const std::vector<double> labels = data.y.to_vector();
        std::map<double, std::vector<std::size_t>> by_class;  // in shuffled order
        for (std::size_t i : order) by_class[labels[i]].push_back(i);
        // ceil(fraction * N) test rows in all, shared out in proportion to the classes:
        // each class gets the floor of its share, the rest go to the largest remainders.
        const auto n_test = static_cast<std::size_t>(std::ceil(test_fraction * static_cast<double>(n)));
        std::vector<std::size_t> take;
        std::vector<std::pair<double, std::size_t>> remainders;
        std::size_t given = 0;
        for (auto& [label, rows] : by_class) {
            const double share = test_fraction * static_cast<double>(rows.size());
            take.push_back(static_cast<std::size_t>(std::floor(share)));
            given += take.back();
            remainders.emplace_back(share - std::floor(share), take.size() - 1);
        }
        std::stable_sort(remainders.begin(), remainders.end(),
                         [](const auto& a, const auto& b) { return a.first > b.first; });
        for (std::size_t k = 0; given < n_test && k < remainders.size(); ++k, ++given) ++take[remainders[k].second];
        std::size_t c = 0;
        for (auto& [label, rows] : by_class) {
            const auto t = static_cast<std::ptrdiff_t>(std::min(take[c++], rows.size()));
            test.insert(test.end(), rows.begin(), rows.begin() + t);
            train.insert(train.end(), rows.begin() + t, rows.end());
        }
        if (train.empty())
            throw std::invalid_argument(
                fmt::format("train_test_split: a test fraction of {} leaves no training rows out of {}", test_fraction, n));
        // mix the classes again, so batches are not sorted by class
        if (options.shuffle) {
            const auto pt = permutation(train.size(), gen), ps = permutation(test.size(), gen);
            std::vector<std::size_t> a(train.size()), b(test.size());
            for (std::size_t i = 0; i < a.size(); ++i) a[i] = train[pt[i]];
            for (std::size_t i = 0; i < b.size(); ++i) b[i] = test[ps[i]];
            train = std::move(a);
            test = std::move(b);
        } else {
            std::sort(train.begin(), train.end());
            std::sort(test.begin(), test.end());
        }
    }
    return {data.subset(train), data.subset(test)};
}

}  // namespace tg::nn
