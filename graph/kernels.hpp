#pragma once
// Elementwise loops over contiguous row-major arrays, used by the ops' forward
// and backward rules. Same-shape and scalar operands take a flat loop the
// compiler vectorises; other broadcasts walk the output once with per-input
// strides (0 along broadcast axes). Internal: includes xtensor.
#include <array>
#include <cmath>
#include <cstddef>

#include "broadcast.hpp"
#include "tensor_impl.hpp"
#include "thread_pool.hpp"

namespace tg::kernels {

/// Elements each thread's share of an elementwise loop must have (parallel::min_share).
inline constexpr std::size_t parallel_grain = parallel::min_share;

/// fn(i) for i in [0, n), shared among the pool's threads when n is large.
/// fn writes element i only, so the result does not depend on the thread count.
template <class F>
void for_each_index(std::size_t n, F fn) {
    if (n < 2 * parallel_grain) {
        for (std::size_t i = 0; i < n; ++i) fn(i);
        return;
    }
    parallel::for_ranges(n, parallel_grain, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) fn(i);
    });
}

/// fn(lo, hi) over units [0, units) of unit_size elements each (rows, lines,
/// planes), shared among the pool's threads in ranges of at least
/// parallel_grain elements; on the calling thread alone when the whole is
/// below 2 * parallel_grain. Units must be independent.
template <class F>
void for_unit_ranges(std::size_t units, std::size_t unit_size, F&& fn) {
    const std::size_t size = unit_size == 0 ? 1 : unit_size;
    if (units * size < 2 * parallel_grain) {
        if (units > 0) fn(std::size_t(0), units);
        return;
    }
    parallel::for_ranges(units, parallel_grain / size == 0 ? 1 : parallel_grain / size, fn);
}

template <class S>
Array<double>::shape_type to_xshape(const S& s) {
    return Array<double>::shape_type(s.begin(), s.end());
}

template <class T, class F>
Array<T> map(const Array<T>& a, F f) {
    Array<T> out = Array<T>::from_shape(a.shape());
    const T* pa = a.data();
    T* po = out.data();
    for_each_index(a.size(), [&](std::size_t i) { po[i] = f(pa[i]); });
    return out;
}

/// Strides (in elements) of an array of shape `in` seen through broadcast to `out`.
template <class S>
std::array<std::ptrdiff_t, 16> broadcast_strides(const S& in, const Shape& out) {
    std::array<std::ptrdiff_t, 16> strides{};
    const std::size_t offset = out.size() - in.size();
    std::ptrdiff_t stride = 1;
    for (std::size_t k = in.size(); k-- > 0;) {
        strides[k + offset] = in[k] == 1 ? 0 : stride;
        stride *= static_cast<std::ptrdiff_t>(in[k]);
    }
    return strides;
}

/// Visit every element of a broadcast of N arrays to shape `out`, calling
/// f(out_index, offset_0, ..., offset_{N-1}) in row-major order.
template <std::size_t N, class F>
void for_each_broadcast(const Shape& out, const std::array<std::array<std::ptrdiff_t, 16>, N>& strides, F f) {
    const std::size_t rank = out.size();
    std::size_t total = 1;
    for (auto d : out) total *= d;
    if (total == 0) return;
    if (rank > 16) throw ShapeError("broadcast: tensors of rank above 16 are not supported");
    std::array<std::size_t, 16> idx{};
    std::array<std::ptrdiff_t, N> off{};
    const std::size_t inner = rank == 0 ? 1 : out[rank - 1];
    std::array<std::ptrdiff_t, N> inner_stride{};
    for (std::size_t k = 0; k < N; ++k) inner_stride[k] = rank == 0 ? 0 : strides[k][rank - 1];
    std::size_t flat = 0;
    while (flat < total) {
        std::array<std::ptrdiff_t, N> o = off;
        for (std::size_t j = 0; j < inner; ++j) {
            f(flat + j, o);
            for (std::size_t k = 0; k < N; ++k) o[k] += inner_stride[k];
        }
        flat += inner;
        if (flat >= total) break;
        // advance the outer index (all axes but the last)
        for (std::size_t ax = rank - 1; ax-- > 0;) {
            ++idx[ax];
            for (std::size_t k = 0; k < N; ++k) off[k] += strides[k][ax];
            if (idx[ax] < out[ax]) break;
            for (std::size_t k = 0; k < N; ++k) off[k] -= strides[k][ax] * static_cast<std::ptrdiff_t>(out[ax]);
            idx[ax] = 0;
        }
    }
}

/// out[i] = f(a[i], b[i]) with numpy broadcasting.
template <class T, class F>
Array<T> zip(const Array<T>& a, const Array<T>& b, F f, const char* op) {
    const T* pa = a.data();
    const T* pb = b.data();
    if (a.shape() == b.shape()) {
        Array<T> out = Array<T>::from_shape(a.shape());
        T* po = out.data();
        for_each_index(a.size(), [&](std::size_t i) { po[i] = f(pa[i], pb[i]); });
        return out;
    }
    if (b.size() == 1 && b.dimension() <= a.dimension()) {
        Array<T> out = Array<T>::from_shape(a.shape());
        T* po = out.data();
        const T s = pb[0];
        for_each_index(a.size(), [&](std::size_t i) { po[i] = f(pa[i], s); });
        return out;
    }
    if (a.size() == 1 && a.dimension() <= b.dimension()) {
        Array<T> out = Array<T>::from_shape(b.shape());
        T* po = out.data();
        const T s = pa[0];
        for_each_index(b.size(), [&](std::size_t i) { po[i] = f(s, pb[i]); });
        return out;
    }
    const Shape out_shape = broadcast_shapes(shape_of(a), shape_of(b), op);
    Array<T> out = Array<T>::from_shape(to_xshape(out_shape));
    T* po = out.data();
    std::array<std::array<std::ptrdiff_t, 16>, 2> strides{broadcast_strides(a.shape(), out_shape),
                                                         broadcast_strides(b.shape(), out_shape)};
    for_each_broadcast<2>(out_shape, strides,
                          [&](std::size_t i, const std::array<std::ptrdiff_t, 2>& o) { po[i] = f(pa[o[0]], pb[o[1]]); });
    return out;
}

/// out[i] = f(a[i], b[i], c[i]) with numpy broadcasting.
template <class T, class F>
Array<T> zip3(const Array<T>& a, const Array<T>& b, const Array<T>& c, F f, const char* op) {
    const Shape out_shape = broadcast_shapes(broadcast_shapes(shape_of(a), shape_of(b), op), shape_of(c), op);
    Array<T> out = Array<T>::from_shape(to_xshape(out_shape));
    T* po = out.data();
    const T* pa = a.data();
    const T* pb = b.data();
    const T* pc = c.data();
    std::array<std::array<std::ptrdiff_t, 16>, 3> strides{broadcast_strides(a.shape(), out_shape),
                                                         broadcast_strides(b.shape(), out_shape),
                                                         broadcast_strides(c.shape(), out_shape)};
    for_each_broadcast<3>(out_shape, strides, [&](std::size_t i, const std::array<std::ptrdiff_t, 3>& o) {
        po[i] = f(pa[o[0]], pb[o[1]], pc[o[2]]);
    });
    return out;
}

}  // namespace tg::kernels
