// The fused LSTM cell ops (lstm_cell.hpp).
#include "lstm_cell.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "activation.hpp"
#include "detail.hpp"
#include "elementwise.hpp"
#include "fast_math.hpp"
#include "shape.hpp"

namespace tg {

namespace {

template <class T>
T sigmoid_of(T v) {
    if constexpr (std::is_same_v<T, float>) {
        return fast::sigmoid(v);
    } else {
        const T e = std::exp(v < 0 ? v : -v);  // never overflows
        return v >= 0 ? 1 / (1 + e) : e / (1 + e);
    }
}

template <class T>
T tanh_of(T v) {
    if constexpr (std::is_same_v<T, float>) return fast::tanh(v);
    else return std::tanh(v);
}

// The four passes, over n = H·N elements; the gate blocks of a are n apart.
// Written once for both dtypes, and cloned for AVX2 in float (TG_CLONES): with
// restrict pointers and the branch-free fast_math functions they vectorise.

template <class T>
inline void state_forward(const T* __restrict a, const T* __restrict c, T* __restrict out, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k)
        out[k] = sigmoid_of(a[n + k]) * c[k] + sigmoid_of(a[k]) * tanh_of(a[2 * n + k]);
}

template <class T>
inline void state_backward(const T* __restrict a, const T* __restrict c, const T* __restrict g, T* __restrict da,
                           T* __restrict dc, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) {
        const T i = sigmoid_of(a[k]), f = sigmoid_of(a[n + k]), gg = tanh_of(a[2 * n + k]);
        da[k] = g[k] * gg * (i * (1 - i));
        da[n + k] = g[k] * c[k] * (f * (1 - f));
        da[2 * n + k] = g[k] * i * (1 - gg * gg);
        da[3 * n + k] = 0;
        dc[k] = g[k] * f;
    }
}

template <class T>
inline void output_forward(const T* __restrict a_o, const T* __restrict c, T* __restrict out, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) out[k] = sigmoid_of(a_o[k]) * tanh_of(c[k]);
}

template <class T>
inline void output_backward(const T* __restrict a_o, const T* __restrict c, const T* __restrict g,
                            T* __restrict da_o, T* __restrict dc, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) {
        const T o = sigmoid_of(a_o[k]), tc = tanh_of(c[k]);
        da_o[k] = g[k] * tc * (o * (1 - o));
        dc[k] = g[k] * o * (1 - tc * tc);
    }
}

TG_CLONES void state_forward_f32(const float* a, const float* c, float* out, std::size_t n) {
    state_forward(a, c, out, n);
}
TG_CLONES void state_backward_f32(const float* a, const float* c, const float* g, float* da, float* dc, std::size_t n) {
    state_backward(a, c, g, da, dc, n);
}
TG_CLONES void output_forward_f32(const float* a_o, const float* c, float* out, std::size_t n) {
    output_forward(a_o, c, out, n);
}
TG_CLONES void output_backward_f32(const float* a_o, const float* c, const float* g, float* da_o, float* dc,
                                   std::size_t n) {
    output_backward(a_o, c, g, da_o, dc, n);
}

/// A kernel on T's arrays: float through its AVX2-cloned instance, double through the template.
template <class T, class Float32, class Generic, class... Args>
void run_kernel(Float32 float32, Generic generic, Args... args) {
    if constexpr (std::is_same_v<T, float>) float32(args...);
    else generic(args...);
}

/// a must be [4H, N] and the state [H, N].
void check_cell(const char* op, const Tensor& a, const Tensor& c) {
    check_float(op, a);
    check_float(op, c);
    check_same_dtype(op, a, c);
    if (a.dim() != 2 || c.dim() != 2 || a.size(0) != 4 * c.size(0) || a.size(1) != c.size(1))
        throw_shape_error(op, fmt::format("gates {} and state {}: expected gates [4H, N] and state [H, N]",
                                          shape_str(a.shape()), shape_str(c.shape())));
}

/// The gate pre-activations' blocks as tapegrad ops (for the create_graph rules).
struct Gates {
    Tensor i, f, g, o;
};
Gates gates_of(const Tensor& a) {
    const std::vector<Tensor> blocks = chunk(a, 4, 0);
    return {sigmoid(blocks[0]), sigmoid(blocks[1]), tanh(blocks[2]), sigmoid(blocks[3])};
}

/// σ'(x) from σ(x) = s, as an op: s (1 − s).
Tensor sigmoid_slope(const Tensor& s) { return mul(s, rsub(1.0, s)); }

}  // namespace

Tensor lstm_cell_state(const Tensor& a, const Tensor& c) {
    check_cell("lstm_cell_state", a, c);
    const std::size_t h = c.size(0), n = c.size(1), hn = h * n;
    Tensor out = dispatch(a.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> r = Array<T>::from_shape({h, n});
        run_kernel<T>(state_forward_f32, state_forward<T>, values<T>(a).data(), values<T>(c).data(), r.data(), hn);
        return make_tensor(std::move(r));
    });
    return record("lstm_cell_state", {a, c}, out, [](BackwardContext& ctx) {
        const Tensor& gc = ctx.grad_out();
        const Tensor& a = ctx.input(0);
        const Tensor& c = ctx.input(1);
        if (GradMode::enabled()) {  // create_graph: the same rule in recorded ops
            const Gates s = gates_of(a);
            if (ctx.needs(0)) {
                const Tensor da_i = mul(mul(gc, s.g), sigmoid_slope(s.i));
                const Tensor da_f = mul(mul(gc, c), sigmoid_slope(s.f));
                const Tensor da_g = mul(mul(gc, s.i), rsub(1.0, mul(s.g, s.g)));
                ctx.add(0, concat({da_i, da_f, da_g, zeros_like(gc)}, 0));
            }
            if (ctx.needs(1)) ctx.add(1, mul(gc, s.f));
            return;
        }
        const std::size_t hn = c.size();
        dispatch(a.dtype(), [&](auto z) {
            using T = decltype(z);
            Array<T> da = Array<T>::from_shape({4 * c.size(0), c.size(1)});
            Array<T> dc = Array<T>::from_shape(values<T>(c).shape());
            run_kernel<T>(state_backward_f32, state_backward<T>, values<T>(a).data(), values<T>(c).data(),
                          values<T>(gc).data(), da.data(), dc.data(), hn);
            if (ctx.needs(0)) ctx.add(0, make_tensor(std::move(da)));
            if (ctx.needs(1)) ctx.add(1, make_tensor(std::move(dc)));
            return 0;
        });
    });
}

Tensor lstm_cell_output(const Tensor& a, const Tensor& c_new) {
    check_cell("lstm_cell_output", a, c_new);
    const std::size_t h = c_new.size(0), n = c_new.size(1), hn = h * n;
    Tensor out = dispatch(a.dtype(), [&](auto z) {
        using T = decltype(z);
        Array<T> r = Array<T>::from_shape({h, n});
        run_kernel<T>(output_forward_f32, output_forward<T>, values<T>(a).data() + 3 * hn, values<T>(c_new).data(), r.data(),
                      hn);
        return make_tensor(std::move(r));
    });
    return record("lstm_cell_output", {a, c_new}, out, [](BackwardContext& ctx) {
        const Tensor& gh = ctx.grad_out();
        const Tensor& a = ctx.input(0);
        const Tensor& c = ctx.input(1);
        if (GradMode::enabled()) {  // create_graph: the same rule in recorded ops
            const Tensor o = sigmoid(chunk(a, 4, 0)[3]);
            const Tensor tc = tanh(c);
            if (ctx.needs(0)) {
                const Tensor z = zeros_like(gh);
                ctx.add(0, concat({z, z, z, mul(mul(gh, tc), sigmoid_slope(o))}, 0));
            }
            if (ctx.needs(1)) ctx.add(1, mul(mul(gh, o), rsub(1.0, mul(tc, tc))));
            return;
        }
        const std::size_t hn = c.size();
        dispatch(a.dtype(), [&](auto z) {
            using T = decltype(z);
            Array<T> da = Array<T>::from_shape({4 * c.size(0), c.size(1)});
            Array<T> dc = Array<T>::from_shape(values<T>(c).shape());
            std::fill(da.data(), da.data() + 3 * hn, T(0));
            run_kernel<T>(output_backward_f32, output_backward<T>, values<T>(a).data() + 3 * hn, values<T>(c).data(),
                          values<T>(gh).data(), da.data() + 3 * hn, dc.data(), hn);
            if (ctx.needs(0)) ctx.add(0, make_tensor(std::move(da)));
            if (ctx.needs(1)) ctx.add(1, make_tensor(std::move(dc)));
            return 0;
        });
    });
}

}  // namespace tg
