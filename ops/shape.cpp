// Shape and indexing ops: each forward with its backward rule. All copy.
#include "shape.hpp"

#include <numeric>

#include <fmt/format.h>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xstrided_view.hpp>

#include "detail.hpp"
#include "../graph/numel.hpp"

namespace tg {

using detail::normalize_axis;

namespace {

/// A copy of x's values with a new shape (same element count; not recorded).
Tensor with_shape(const Tensor& x, const Shape& shape) {
    return dispatch_all(x.dtype(), [&](auto z) {
        using T = decltype(z);
        const Array<T>& a = values<T>(x);
        Array<T> r = Array<T>::from_shape(kernels::to_xshape(shape));
        std::copy(a.data(), a.data() + a.size(), r.data());
        return make_tensor(std::move(r));
    });
}

/// Record a pure reshape (the gradient is reshaped back).
Tensor recorded_reshape(const char* op, const Tensor& x, const Shape& shape) {
    const Shape in_shape = x.shape();
    return record(op, {x}, with_shape(x, shape),
                  [in_shape](BackwardContext& ctx) { ctx.add(0, reshape(ctx.grad_out(), in_shape)); });
}

std::size_t count(const Shape& s) { return std::accumulate(s.begin(), s.end(), std::size_t{1}, std::multiplies<>()); }

}  // namespace

Tensor reshape(const Tensor& x, const ShapeArg& target, std::source_location loc) {
    check_defined("reshape", x);
    const std::size_t n = x.size();
    Shape shape;
    int infer = -1;
    std::size_t known = 1;
    for (std::size_t k = 0; k < target.dims.size(); ++k) {
        const std::int64_t d = target.dims[k];
        if (d == -1) {
            if (infer >= 0) throw_shape_error("reshape", "only one dimension may be -1", loc);
            infer = static_cast<int>(k);
            shape.push_back(1);
        } else if (d < 0) {
            throw_shape_error("reshape", fmt::format("dimension {} is negative ({})", k, d), loc);
        } else {
            shape.push_back(static_cast<std::size_t>(d));
        }
    }
    known = checked_numel(shape, "reshape");  // the -1 axis counts 1 here (Note [checked element counts])
    if (infer >= 0) {
        if (known == 0 || n % known != 0)
            throw_shape_error("reshape", fmt::format("cannot infer the -1 dimension: {} elements of {} into {}", n,
                                                     shape_str(x.shape()), fmt::join(target.dims, ", ")),
                              loc);
        shape[static_cast<std::size_t>(infer)] = n / known;
    }
    if (checked_numel(shape, "reshape") != n)
        throw_shape_error("reshape", fmt::format("cannot reshape {} ({} elements) to {} ({} elements)",
                                                 shape_str(x.shape()), n, shape_str(shape), count(shape)),
                          loc);
    if (shape == x.shape()) return x;
    return recorded_reshape("reshape", x, shape);
}

Tensor flatten(const Tensor& x, int start_axis, int end_axis) {
    check_defined("flatten", x);
    const Shape s = x.shape();
    if (s.empty()) return recorded_reshape("flatten", x, {1});
    const std::size_t a = normalize_axis(start_axis, s.size(), "flatten");
    const std::size_t b = normalize_axis(end_axis, s.size(), "flatten");
    if (a > b) throw ShapeError(fmt::format("flatten: start axis {} comes after end axis {}", start_axis, end_axis));
    Shape out(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(a));
    std::size_t merged = 1;
    for (std::size_t k = a; k <= b; ++k) merged *= s[k];
    out.push_back(merged);
    out.insert(out.end(), s.begin() + static_cast<std::ptrdiff_t>(b) + 1, s.end());
    if (out == s) return x;
    return recorded_reshape("flatten", x, out);
}

Tensor squeeze(const Tensor& x) {
    check_defined("squeeze", x);
    Shape out;
    for (std::size_t d : x.shape())
        if (d != 1) out.push_back(d);
    if (out == x.shape()) return x;
    return recorded_reshape("squeeze", x, out);
}

Tensor squeeze(const Tensor& x, int axis) {
    check_defined("squeeze", x);
    Shape s = x.shape();
    const std::size_t a = normalize_axis(axis, s.size(), "squeeze");
    if (s[a] != 1)
        throw ShapeError(fmt::format("squeeze: axis {} of shape {} has size {}, not 1", axis, shape_str(s), s[a]));
    s.erase(s.begin() + static_cast<std::ptrdiff_t>(a));
    return recorded_reshape("squeeze", x, s);
}

Tensor unsqueeze(const Tensor& x, int axis) {
    check_defined("unsqueeze", x);
    Shape s = x.shape();
    const std::size_t a = normalize_axis(axis, s.size() + 1, "unsqueeze");
    s.insert(s.begin() + static_cast<std::ptrdiff_t>(a), 1);
    return recorded_reshape("unsqueeze", x, s);
}

namespace {

/// dst = src with its axes in the order perm (dst axis k is src axis perm[k]),
/// both contiguous row-major. Output rows (the last axis) are independent copies,
/// so large tensors are shared among the pool's threads with the same result.
/// When the last axis stays last, each row is one contiguous run of the source.
template <class T>
void permute_values(const T* src, const Shape& in, const std::vector<std::size_t>& perm, T* dst) {
    const std::size_t rank = in.size();
    std::vector<std::size_t> in_stride(rank, 1), out_shape(rank), stride(rank);
    for (std::size_t k = rank - 1; k-- > 0;) in_stride[k] = in_stride[k + 1] * in[k + 1];
    for (std::size_t k = 0; k < rank; ++k) {
        out_shape[k] = in[perm[k]];
        stride[k] = in_stride[perm[k]];  // source step for a step along output axis k
    }
    const std::size_t row = out_shape[rank - 1], row_step = stride[rank - 1];
    std::size_t rows = row == 0 ? 0 : 1;
    for (std::size_t k = 0; k + 1 < rank; ++k) rows *= out_shape[k];
    kernels::for_unit_ranges(rows, row, [&](std::size_t lo, std::size_t hi) {
        // the output index of row lo over the axes before the last, and its source offset
        std::vector<std::size_t> idx(rank, 0);
        std::size_t offset = 0;
        for (std::size_t k = rank - 1, rest = lo; k-- > 0;) {
            idx[k] = rest % out_shape[k];
            rest /= out_shape[k];
            offset += idx[k] * stride[k];
        }
        for (std::size_t r = lo; r < hi; ++r) {
            T* d = dst + r * row;
            const T* s0 = src + offset;
            if (row_step == 1) std::copy(s0, s0 + row, d);
            else
                for (std::size_t i = 0; i < row; ++i) d[i] = s0[i * row_step];
            for (std::size_t k = rank - 1; k-- > 0;) {  // next row: odometer over the leading axes
                offset += stride[k];
                if (++idx[k] < out_shape[k]) break;
                offset -= idx[k] * stride[k];
                idx[k] = 0;
            }
        }
    });
}

}  // namespace

Tensor permute(const Tensor& x, const std::vector<int>& dims) {
    check_defined("permute", x);
    const std::size_t rank = x.dim();
    if (dims.size() != rank)
        throw ShapeError(fmt::format("permute: {} axes given for a tensor of rank {} (shape {})", dims.size(), rank,
                                     shape_str(x.shape())));
    std::vector<std::size_t> perm(rank);
    std::vector<bool> seen(rank, false);
    for (std::size_t k = 0; k < rank; ++k) {
        perm[k] = normalize_axis(dims[k], rank, "permute");
        if (seen[perm[k]]) throw ShapeError(fmt::format("permute: axis {} appears twice", dims[k]));
        seen[perm[k]] = true;
    }
    bool identity = true;
    for (std::size_t k = 0; k < rank; ++k) identity = identity && perm[k] == k;
    if (identity) return x;
    Shape out_shape(rank);
    for (std::size_t k = 0; k < rank; ++k) out_shape[k] = x.shape()[perm[k]];
    Tensor out = dispatch_all(x.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> r = Array<T>::from_shape(kernels::to_xshape(out_shape));
        permute_values(values<T>(x).data(), x.shape(), perm, r.data());
        return make_tensor(std::move(r));
    });
    std::vector<int> inverse(rank);
    for (std::size_t k = 0; k < rank; ++k) inverse[perm[k]] = static_cast<int>(k);
    return record("permute", {x}, out, [inverse](BackwardContext& ctx) { ctx.add(0, permute(ctx.grad_out(), inverse)); });
}

Tensor transpose(const Tensor& x, int axis0, int axis1) {
    check_defined("transpose", x);
    const std::size_t rank = x.dim();
    const std::size_t a = normalize_axis(axis0, rank, "transpose");
    const std::size_t b = normalize_axis(axis1, rank, "transpose");
    std::vector<int> dims(rank);
    std::iota(dims.begin(), dims.end(), 0);
    std::swap(dims[a], dims[b]);
    return permute(x, dims);
}

Tensor transpose(const Tensor& x) {
    check_defined("transpose", x);
    if (x.dim() < 2)
        throw ShapeError(fmt::format("transpose: needs at least 2 dimensions, got shape {}", shape_str(x.shape())));
    return transpose(x, -2, -1);
}

namespace {

/// Copy rows (along one axis, seen as [outer, n, inner]) from src to dst:
/// dst row dst_rows[j] (+)= src row src_rows[j].
template <class T>
void move_rows(const T* src, std::size_t src_n, T* dst, std::size_t dst_n, const detail::AxisView& v,
               const std::vector<std::size_t>& src_rows, const std::vector<std::size_t>& dst_rows, bool accumulate) {
    for (std::size_t o = 0; o < v.outer; ++o)
        for (std::size_t j = 0; j < src_rows.size(); ++j) {
            const T* s = src + (o * src_n + src_rows[j]) * v.inner;
            T* d = dst + (o * dst_n + dst_rows[j]) * v.inner;
            if (accumulate)
                for (std::size_t i = 0; i < v.inner; ++i) d[i] += s[i];
            else
                std::copy(s, s + v.inner, d);
        }
}

/// out = rows of x (along axis) picked by `rows`; scatter-add is its gradient.
Tensor pick_rows(const char* op, const Tensor& x, std::size_t axis, const std::vector<std::size_t>& rows);

Tensor scatter_rows(const Tensor& g, std::size_t axis, const std::vector<std::size_t>& rows, std::size_t n) {
    Shape out_shape = g.shape();
    out_shape[axis] = n;
    Tensor out = dispatch(g.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> r = Array<T>::from_shape(kernels::to_xshape(out_shape));
        r.fill(T(0));
        const auto v = detail::axis_view(out_shape, axis);
        std::vector<std::size_t> src(rows.size());
        std::iota(src.begin(), src.end(), 0);
        move_rows(values<T>(g).data(), rows.size(), r.data(), n, v, src, rows, true);
        return make_tensor(std::move(r));
    });
    return record("scatter_rows", {g}, out, [axis, rows](BackwardContext& ctx) {
        ctx.add(0, pick_rows("index_select", ctx.grad_out(), axis, rows));
    });
}

Tensor pick_rows(const char* op, const Tensor& x, std::size_t axis, const std::vector<std::size_t>& rows) {
    Shape out_shape = x.shape();
    const std::size_t n = out_shape[axis];
    out_shape[axis] = rows.size();
    Tensor out = dispatch_all(x.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> r = Array<T>::from_shape(kernels::to_xshape(out_shape));
        const auto v = detail::axis_view(x.shape(), axis);
        std::vector<std::size_t> dst(rows.size());
        std::iota(dst.begin(), dst.end(), 0);
        move_rows(values<T>(x).data(), n, r.data(), rows.size(), v, rows, dst, false);
        return make_tensor(std::move(r));
    });
    return record(op, {x}, out, [axis, rows, n](BackwardContext& ctx) {
        ctx.add(0, scatter_rows(ctx.grad_out(), axis, rows, n));
    });
}

}  // namespace

Tensor slice(const Tensor& x, int axis, std::int64_t start, std::int64_t stop, std::int64_t step) {
    check_defined("slice", x);
    const std::size_t a = normalize_axis(axis, x.dim(), "slice");
    if (step == 0) throw ShapeError("slice: step must not be zero");
    const auto n = static_cast<std::int64_t>(x.size(axis));
    // Python's slice.indices: a negative bound counts from the end, then it is
    // clamped to [0, n] going forward and to [-1, n - 1] going backward
    const std::int64_t lo = step > 0 ? 0 : -1, hi = step > 0 ? n : n - 1;
    auto clampi = [&](std::int64_t i) { return std::clamp(i < 0 ? i + n : i, lo, hi); };
    std::vector<std::size_t> rows;
    if (step > 0)
        for (std::int64_t i = clampi(start); i < clampi(stop); i += step) rows.push_back(static_cast<std::size_t>(i));
    else
        for (std::int64_t i = clampi(start); i > clampi(stop); i += step) rows.push_back(static_cast<std::size_t>(i));
    return pick_rows("slice", x, a, rows);
}

Tensor index_select(const Tensor& x, int axis, const std::vector<std::int64_t>& indices) {
    check_defined("index_select", x);
    const std::size_t a = normalize_axis(axis, x.dim(), "index_select");
    const auto n = static_cast<std::int64_t>(x.size(axis));
    std::vector<std::size_t> rows;
    rows.reserve(indices.size());
    for (std::size_t j = 0; j < indices.size(); ++j) {
        const std::int64_t i = indices[j];
        if (i < -n || i >= n)
            throw ShapeError(fmt::format("index_select: index {} (position {}) is out of range for axis {} of size {} "
                                         "(shape {})",
                                         i, j, axis, n, shape_str(x.shape())));
        rows.push_back(static_cast<std::size_t>(i < 0 ? i + n : i));
    }
    return pick_rows("index_select", x, a, rows);
}

Tensor index_select_tensor(const Tensor& x, int axis, const Tensor& indices) {
    check_defined("index_select", x);
    check_defined("index_select", indices);
    if (indices.dim() != 1)
        throw ShapeError(fmt::format("index_select: indices must be 1-D, got shape {}", shape_str(indices.shape())));
    return index_select(x, axis, detail::index_values("index_select", indices));
}

namespace {

/// Flat source offsets of gather along axis, validated.
std::vector<std::size_t> gather_offsets(const Tensor& x, std::size_t axis, const Tensor& index) {
    const Shape xs = x.shape(), is = index.shape();
    if (xs.size() != is.size())
        throw ShapeError(fmt::format("gather: index {} must have the rank of the input {}", shape_str(is), shape_str(xs)));
    for (std::size_t k = 0; k < xs.size(); ++k)
        if (k != axis && is[k] != xs[k])
            throw ShapeError(fmt::format("gather: index {} and input {} differ on axis {} (only axis {} may differ)",
                                         shape_str(is), shape_str(xs), k, axis));
    const auto vi = detail::axis_view(is, axis);
    const std::size_t n = xs[axis];
    const std::vector<std::int64_t> idx = detail::index_values("gather", index);
    std::vector<std::size_t> offsets(idx.size());
    for (std::size_t o = 0; o < vi.outer; ++o)
        for (std::size_t j = 0; j < vi.n; ++j)
            for (std::size_t i = 0; i < vi.inner; ++i) {
                const std::size_t flat = (o * vi.n + j) * vi.inner + i;
                const std::int64_t v = idx[flat];
                if (v < 0 || v >= static_cast<std::int64_t>(n))
                    throw ShapeError(fmt::format("gather: index value {} at flat position {} is not in [0, {})", v,
                                                 flat, n));
                offsets[flat] = (o * n + static_cast<std::size_t>(v)) * vi.inner + i;
            }
    return offsets;
}

Tensor gather_flat(const Tensor& x, const std::vector<std::size_t>& offsets, const Shape& out_shape);

Tensor scatter_flat(const Tensor& g, const std::vector<std::size_t>& offsets, const Shape& x_shape) {
    Tensor out = dispatch(g.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> r = Array<T>::from_shape(kernels::to_xshape(x_shape));
        r.fill(T(0));
        const T* pg = values<T>(g).data();
        for (std::size_t j = 0; j < offsets.size(); ++j) r.data()[offsets[j]] += pg[j];
        return make_tensor(std::move(r));
    });
    const Shape g_shape = g.shape();
    return record("scatter_add", {g}, out, [offsets, g_shape](BackwardContext& ctx) {
        ctx.add(0, gather_flat(ctx.grad_out(), offsets, g_shape));
    });
}

Tensor gather_flat(const Tensor& x, const std::vector<std::size_t>& offsets, const Shape& out_shape) {
    Tensor out = dispatch_all(x.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> r = Array<T>::from_shape(kernels::to_xshape(out_shape));
        const T* px = values<T>(x).data();
        for (std::size_t j = 0; j < offsets.size(); ++j) r.data()[j] = px[offsets[j]];
        return make_tensor(std::move(r));
    });
    const Shape x_shape = x.shape();
    return record("gather", {x}, out, [offsets, x_shape](BackwardContext& ctx) {
        ctx.add(0, scatter_flat(ctx.grad_out(), offsets, x_shape));
    });
}

}  // namespace

Tensor gather(const Tensor& x, int axis, const Tensor& index) {
    check_defined("gather", x);
    check_defined("gather", index);
    const std::size_t a = normalize_axis(axis, x.dim(), "gather");
    return gather_flat(x, gather_offsets(x, a, index), index.shape());
}

Tensor concat(const std::vector<Tensor>& xs, int axis) {
    if (xs.empty()) throw ShapeError("concat: needs at least one tensor");
    for (const Tensor& t : xs) check_same_dtype("concat", xs[0], t);
    const Shape first = xs[0].shape();
    if (first.empty()) throw ShapeError("concat: cannot join rank-0 tensors (use stack)");
    const std::size_t a = normalize_axis(axis, first.size(), "concat");
    Shape out_shape = first;
    out_shape[a] = 0;
    std::vector<std::size_t> sizes;
    for (std::size_t j = 0; j < xs.size(); ++j) {
        const Shape s = xs[j].shape();
        bool ok = s.size() == first.size();
        for (std::size_t k = 0; ok && k < s.size(); ++k) ok = k == a || s[k] == first[k];
        if (!ok)
            throw ShapeError(fmt::format("concat: tensor {} has shape {}, which differs from tensor 0's {} on an axis "
                                         "other than {}",
                                         j, shape_str(s), shape_str(first), axis));
        out_shape[a] += s[a];
        sizes.push_back(s[a]);
    }
    Tensor out = dispatch_all(xs[0].dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> r = Array<T>::from_shape(kernels::to_xshape(out_shape));
        const auto v = detail::axis_view(out_shape, a);
        std::size_t at = 0;
        for (std::size_t j = 0; j < xs.size(); ++j) {
            std::vector<std::size_t> src(sizes[j]), dst(sizes[j]);
            std::iota(src.begin(), src.end(), 0);
            std::iota(dst.begin(), dst.end(), at);
            move_rows(values<T>(xs[j]).data(), sizes[j], r.data(), out_shape[a], v, src, dst, false);
            at += sizes[j];
        }
        return make_tensor(std::move(r));
    });
    return record("concat", xs, out, [sizes, a](BackwardContext& ctx) {
        std::size_t at = 0;
        for (std::size_t j = 0; j < sizes.size(); ++j) {
            if (ctx.needs(j))
                ctx.add(j, slice(ctx.grad_out(), static_cast<int>(a), static_cast<std::int64_t>(at),
                                 static_cast<std::int64_t>(at + sizes[j])));
            at += sizes[j];
        }
    });
}

Tensor stack(const std::vector<Tensor>& xs, int axis) {
    if (xs.empty()) throw ShapeError("stack: needs at least one tensor");
    for (const Tensor& t : xs) check_defined("stack", t);
    const Shape first = xs[0].shape();
    // the new axis is counted in the result's rank; named here so the message says stack, not unsqueeze
    normalize_axis(axis, first.size() + 1, "stack");
    for (std::size_t j = 0; j < xs.size(); ++j)
        if (xs[j].shape() != first)
            throw ShapeError(fmt::format("stack: tensor {} has shape {} but tensor 0 has {} (all must match)", j,
                                         shape_str(xs[j].shape()), shape_str(first)));
    std::vector<Tensor> expanded;
    expanded.reserve(xs.size());
    for (const Tensor& t : xs) expanded.push_back(unsqueeze(t, axis));
    return concat(expanded, axis);
}

std::vector<Tensor> split(const Tensor& x, const std::vector<std::size_t>& sizes, int axis) {
    check_defined("split", x);
    const std::size_t a = normalize_axis(axis, x.dim(), "split");
    const std::size_t total = std::accumulate(sizes.begin(), sizes.end(), std::size_t{0});
    if (total != x.size(axis))
        throw ShapeError(fmt::format("split: sizes add up to {} but axis {} of shape {} has {}", total, axis,
                                     shape_str(x.shape()), x.size(axis)));
    std::vector<Tensor> parts;
    std::size_t at = 0;
    for (std::size_t s : sizes) {
        parts.push_back(slice(x, static_cast<int>(a), static_cast<std::int64_t>(at), static_cast<std::int64_t>(at + s)));
        at += s;
    }
    return parts;
}

std::vector<Tensor> chunk(const Tensor& x, std::size_t n, int axis) {
    check_defined("chunk", x);
    const std::size_t len = x.shape()[normalize_axis(axis, x.dim(), "chunk")];
    if (n == 0 || len % n != 0)
        throw ShapeError(fmt::format("chunk: axis {} of shape {} (size {}) does not split into {} equal parts", axis,
                                     shape_str(x.shape()), len, n));
    return split(x, std::vector<std::size_t>(n, len / n), axis);
}

}  // namespace tg
