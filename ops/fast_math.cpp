// Array forms of the fast float kernels. Each is compiled twice (GCC's
// target_clones): for the portable x86-64 baseline (SSE2, 4 floats a step) and
// for AVX2 (8 floats a step), picked once at load time by the processor's
// features. Not with FMA: fused multiply-adds round differently, and results
// must not depend on the processor (the tutorials' printed numbers are tested).
#include "fast_math.hpp"

namespace tg::fast {


TG_CLONES void tanh_array(const float* __restrict x, float* __restrict out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out[i] = tanh(x[i]);
}

TG_CLONES void sigmoid_array(const float* __restrict x, float* __restrict out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out[i] = sigmoid(x[i]);
}

TG_CLONES void tanh_in_place(float* x, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) x[i] = tanh(x[i]);
}

TG_CLONES void sigmoid_in_place(float* x, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) x[i] = sigmoid(x[i]);
}

}  // namespace tg::fast
