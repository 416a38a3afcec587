// sort and topk (sort.hpp): positions by std::stable_sort per line, values by gather.
#include "sort.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "detail.hpp"
#include "shape.hpp"

namespace tg {

namespace {

/// The positions of the first k (all when k is empty) of each line along axis, in
/// the order `descending` asks (NaN counts as the largest value), as an int64 tensor.
Tensor order_along(const char* op, const Tensor& x, int axis, std::optional<std::size_t> first, bool descending) {
    check_float(op, x);
    if (x.dim() == 0) throw_shape_error(op, "needs at least one dimension, got a scalar");
    const std::size_t ax = detail::normalize_axis(axis, x.dim(), op);
    const detail::AxisView v = detail::axis_view(x.shape(), ax);
    const std::size_t k = first.value_or(v.n);
    if (k > v.n)
        throw_shape_error(op, fmt::format("k = {} is larger than the size {} of axis {} of {}", k, v.n, axis,
                                          shape_str(x.shape())));
    Shape out_shape = x.shape();
    out_shape[ax] = k;
    std::vector<std::int64_t> out(v.outer * k * v.inner);
    const std::vector<double> values = x.to_vector();
    std::vector<std::int64_t> line(v.n);
    for (std::size_t o = 0; o < v.outer; ++o) {
        for (std::size_t i = 0; i < v.inner; ++i) {
            const double* base = values.data() + o * v.n * v.inner + i;
            auto at = [&](std::int64_t j) { return base[static_cast<std::size_t>(j) * v.inner]; };
            // a < b in the requested order, NaN above every number
            auto before = [&](std::int64_t a, std::int64_t b) {
                const double va = at(a), vb = at(b);
                if (std::isnan(va) || std::isnan(vb)) return descending ? std::isnan(va) && !std::isnan(vb)
                                                                        : !std::isnan(va) && std::isnan(vb);
                return descending ? va > vb : va < vb;
            };
            std::iota(line.begin(), line.end(), std::int64_t{0});
            std::stable_sort(line.begin(), line.end(), before);
            for (std::size_t j = 0; j < k; ++j) out[(o * k + j) * v.inner + i] = line[j];
        }
    }
    return from_vector(out, out_shape);
}

}  // namespace

SortResult sort(const Tensor& x, int axis, bool descending) {
    Tensor indices = order_along("sort", x, axis, std::nullopt, descending);
    return {gather(x, axis, indices), std::move(indices)};
}

SortResult topk(const Tensor& x, std::size_t k, int axis, bool largest) {
    Tensor indices = order_along("topk", x, axis, k, largest);
    return {gather(x, axis, indices), std::move(indices)};
}

}  // namespace tg
