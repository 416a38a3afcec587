#include "detail.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace tg::detail {

std::size_t normalize_axis(int axis, std::size_t rank, const char* op) {
    const int r = static_cast<int>(rank);
    const int a = axis < 0 ? axis + r : axis;
    if (a < 0 || a >= r) {
        if (r == 0)
            throw ShapeError(fmt::format("{}: axis {} is out of range for a tensor of rank 0 (it has no axes)", op, axis));
        throw ShapeError(fmt::format("{}: axis {} is out of range for a tensor of rank {} (valid: {} to {})", op, axis,
                                     rank, -r, r - 1));
    }
    return static_cast<std::size_t>(a);
}

std::vector<std::int64_t> index_values(const char* op, const Tensor& index) {
    check_defined(op, index);
    if (index.dtype() == DType::i64) return index.to_vector<std::int64_t>();
    if (index.dtype() == DType::boolean)
        throw DTypeError(fmt::format("{}: indices must be int64 (or whole numbers in a float tensor), got a bool tensor "
                                     "{}",
                                     op, shape_str(index.shape())));
    const std::vector<double> raw = index.to_vector();
    std::vector<std::int64_t> out(raw.size());
    for (std::size_t j = 0; j < raw.size(); ++j) {
        // checked as a double: casting NaN or a value beyond int64's range is undefined behaviour
        if (!std::isfinite(raw[j]) || raw[j] != std::floor(raw[j]))
            throw ShapeError(fmt::format("{}: index {} at flat position {} of the {} indices {} is not an integer", op,
                                         raw[j], j, dtype_name(index.dtype()), shape_str(index.shape())));
        if (std::abs(raw[j]) > 0x1p62)
            throw ShapeError(fmt::format("{}: index {} at flat position {} of the {} indices {} is out of range", op,
                                         raw[j], j, dtype_name(index.dtype()), shape_str(index.shape())));
        out[j] = static_cast<std::int64_t>(raw[j]);
    }
    return out;
}

}  // namespace tg::detail

namespace tg::detail {

AxisView axis_view(const Shape& shape, std::size_t axis) {
    AxisView v;
    for (std::size_t k = 0; k < axis; ++k) v.outer *= shape[k];
    v.n = shape[axis];
    for (std::size_t k = axis + 1; k < shape.size(); ++k) v.inner *= shape[k];
    return v;
}

Shape keepdims_shape(const Shape& shape, const std::vector<std::size_t>& axes) {
    Shape out = shape;
    for (std::size_t a : axes) out[a] = 1;
    return out;
}

std::vector<std::size_t> normalize_axes(const std::vector<int>& axes, std::size_t rank, const char* op) {
    std::vector<std::size_t> out;
    if (axes.empty()) {
        for (std::size_t k = 0; k < rank; ++k) out.push_back(k);
        return out;
    }
    for (int a : axes) out.push_back(normalize_axis(a, rank, op));
    std::sort(out.begin(), out.end());
    if (std::adjacent_find(out.begin(), out.end()) != out.end())
        throw ShapeError(fmt::format("{}: an axis is repeated in the list of axes", op));
    return out;
}

}  // namespace tg::detail
