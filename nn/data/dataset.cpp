#include "dataset.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "../../graph/grad_mode.hpp"
#include "../../ops/ops.hpp"

namespace tg::nn {

namespace {

std::vector<std::int64_t> as_index(const std::vector<std::size_t>& v) {
    return std::vector<std::int64_t>(v.begin(), v.end());
}

Tensor rows_of(const Tensor& t, const std::vector<std::size_t>& idx) {
    if (!t.defined()) return t;
    NoGradGuard no_grad;
    return index_select(t, 0, as_index(idx));
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

std::vector<std::size_t> permutation(std::size_t n, Generator& gen) {
    std::vector<std::size_t> p(n);
    for (std::size_t i = 0; i < n; ++i) p[i] = i;
    for (std::size_t i = n; i > 1; --i) std::swap(p[i - 1], p[gen.below(i)]);
    return p;
}

// ---- DataLoader ---------------------------------------------------------------

DataLoader::DataLoader(const Dataset& data, LoaderOptions options)
    : data_(&data), options_(options), gen_(options.seed) {
    if (options.batch_size == 0) throw std::invalid_argument("DataLoader: batch_size must be positive");
    order_.resize(data.size());
    for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = i;
}

std::size_t DataLoader::size() const {
    const std::size_t n = data_->size(), b = options_.batch_size;
    return options_.drop_last ? n / b : (n + b - 1) / b;
}

void DataLoader::new_epoch() {
    if (order_.size() != data_->size()) {
        order_.resize(data_->size());
        for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = i;
    }
    if (options_.shuffle) order_ = permutation(data_->size(), gen_);
}

DataLoader::iterator DataLoader::begin() {
    new_epoch();
    return iterator(this, 0);
}

Batch DataLoader::batch(std::size_t b) const {
    if (b >= size()) throw std::out_of_range(fmt::format("DataLoader: batch {} of {}", b, size()));
    const std::size_t start = b * options_.batch_size;
    const std::size_t stop = std::min(start + options_.batch_size, data_->size());
    const std::vector<std::size_t> idx(order_.begin() + static_cast<std::ptrdiff_t>(start),
                                       order_.begin() + static_cast<std::ptrdiff_t>(stop));
    return {rows_of(data_->x, idx), rows_of(data_->y, idx)};
}

// ---- split --------------------------------------------------------------------

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

// ---- Standardizer ---------------------------------------------------------------

Standardizer& Standardizer::fit(const Tensor& x) {
    check_defined("Standardizer::fit", x);
    if (x.dim() != 2 || x.size(0) == 0)
        throw ShapeError(fmt::format("Standardizer::fit: expects [N, F] with N > 0, got {}", shape_str(x.shape())));
    const std::size_t n = x.size(0), f = x.size(1);
    const std::vector<double> v = x.to_vector();
    std::vector<double> mean(f, 0.0), scale(f, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < f; ++j) mean[j] += v[i * f + j];
    for (double& m : mean) m /= static_cast<double>(n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < f; ++j) {
            const double d = v[i * f + j] - mean[j];
            scale[j] += d * d;
        }
    for (double& s : scale) {
        s = std::sqrt(s / static_cast<double>(n));
        if (!(s > 0) || !std::isfinite(s)) s = 1.0;  // constant column: leave it centred
    }
    mean_ = std::move(mean);
    scale_ = std::move(scale);
    return *this;
}

namespace {
void check_fitted(const char* op, const std::vector<double>& mean, const Tensor& x) {
    if (mean.empty()) throw std::logic_error(fmt::format("{}: the Standardizer has not been fitted", op));
    check_defined(op, x);
    if (x.dim() != 2 || x.size(1) != mean.size())
        throw ShapeError(fmt::format("{}: expects [N, {}], got {}", op, mean.size(), shape_str(x.shape())));
}
}  // namespace

Tensor Standardizer::transform(const Tensor& x) const {
    check_fitted("Standardizer::transform", mean_, x);
    NoGradGuard no_grad;
    const Shape row{1, mean_.size()};
    return (x - from_vector(mean_, row, {x.dtype()})) / from_vector(scale_, row, {x.dtype()});
}

Tensor Standardizer::inverse_transform(const Tensor& z) const {
    check_fitted("Standardizer::inverse_transform", mean_, z);
    NoGradGuard no_grad;
    const Shape row{1, mean_.size()};
    return z * from_vector(scale_, row, {z.dtype()}) + from_vector(mean_, row, {z.dtype()});
}

void Standardizer::transform_row(double* row) const {
    for (std::size_t j = 0; j < mean_.size(); ++j) row[j] = (row[j] - mean_[j]) / scale_[j];
}

NamedTensors Standardizer::state(const std::string& prefix) const {
    if (mean_.empty()) throw std::logic_error("Standardizer::state: not fitted");
    return {{prefix + "mean", from_vector(mean_, {mean_.size()}, {DType::f64})},
            {prefix + "scale", from_vector(scale_, {scale_.size()}, {DType::f64})}};
}

void Standardizer::load_state(const NamedTensors& state, const std::string& prefix) {
    const Tensor* m = nullptr;
    const Tensor* s = nullptr;
    for (const auto& [name, t] : state) {
        if (name == prefix + "mean") m = &t;
        if (name == prefix + "scale") s = &t;
    }
    if (!m || !s)
        throw std::invalid_argument(
            fmt::format("Standardizer::load_state: needs '{}mean' and '{}scale'", prefix, prefix));
    if (m->dim() != 1 || s->dim() != 1 || m->size() != s->size())
        throw std::invalid_argument(fmt::format("Standardizer::load_state: mean {} and scale {} must be equal 1-D",
                                                shape_str(m->shape()), shape_str(s->shape())));
    std::vector<double> mean = m->to_vector(), scale = s->to_vector();
    for (double v : scale)
        if (!(v > 0) || !std::isfinite(v))
            throw std::invalid_argument(fmt::format("Standardizer::load_state: scale {} must be positive", v));
    mean_ = std::move(mean);
    scale_ = std::move(scale);
}

}  // namespace tg::nn
