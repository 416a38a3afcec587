#pragma once
// exp, tanh and sigmoid for float32 in straight-line code the compiler
// vectorises (glibc's expf/tanhf are scalar calls: tanh alone was 38% of an
// RNN training step). Accurate to a few ulp (tests/test_fast_math.cpp sweeps
// them against double precision). Float64 keeps the C library's functions,
// so gradcheck sees the exact ones. Internal.
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>

/// Compile a float kernel twice (GCC's target_clones): for the portable x86-64
/// baseline (SSE2, 4 floats a step) and for AVX2 (8 floats a step), picked once
/// at load time. Not with FMA: fused multiply-adds round differently, and results
/// must not depend on the processor.
/// Sanitizer builds compile one version: a clone's resolver runs while the
/// dynamic loader relocates the library, before ThreadSanitizer's runtime has
/// started, and the instrumented resolver then crashes the process.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__) && \
    !defined(__SANITIZE_ADDRESS__)
#define TG_CLONES [[gnu::target_clones("avx2", "default")]]
#else
#define TG_CLONES
#endif

namespace tg::fast {

/// e^x for x <= 0 (0 below -87.3, where e^x leaves float's normal range).
/// x = n·ln2 + r with |r| <= ln2/2; e^r by its Taylor series to r^7
/// (truncation < 1e-9 relative); 2^n built in the exponent bits.
inline float exp_nonpositive(float x) {
    const float xc = x < -87.3f ? -87.3f : x;
    const float t = xc * 1.44269504f;  // log2(e)
    const int n = static_cast<int>(t - 0.5f);  // round to nearest (t <= 0)
    const float fn = static_cast<float>(n);
    float r = xc - fn * 0.693359375f;  // ln2 in two parts (Cody and Waite): the first is exact in float
    r = r - fn * -2.12194440e-4f;
    float p = 1.0f / 5040;
    p = p * r + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const float scale = std::bit_cast<float>(static_cast<std::uint32_t>(n + 127) << 23);
    // (a multiplication by 0 or 1, not a second select on the same comparison: GCC
    // vectorises that only for plain SSE2, not when SSE4.1 or AVX are enabled)
    return p * scale * static_cast<float>(x >= -87.3f);
}

/// tanh(x). Near 0 its odd Taylor series to x^15 (|x| < 0.5, where the series'
/// next term is below 1e-8 relative); elsewhere (1 - e) / (1 + e) with
/// e = e^(-2|x|) <= 0.34, which has no cancellation. |x| >= 9 gives ±1 (tanh(9)
/// rounds to 1 in float). NaN stays NaN.
inline float tanh(float x) {
    const float a = x < 0 ? -x : x;
    const float x2 = x * x;
    float s = 929569.0f / 638512875;
    s = s * x2 - 21844.0f / 6081075;
    s = s * x2 + 1382.0f / 155925;
    s = s * x2 - 62.0f / 2835;
    s = s * x2 + 17.0f / 315;
    s = s * x2 - 2.0f / 15;
    s = s * x2 + 1.0f / 3;
    const float series = x * (1.0f - x2 * s);  // (keeps the sign of -0)
    const float e = exp_nonpositive(-2.0f * (a < 9.0f ? a : 9.0f));
    const float far = (1.0f - e) / (1.0f + e);
    return !(a >= 0.5f) ? series : std::copysign(far, x);  // NaN takes the series: NaN
}

/// 1 / (1 + e^-x) without overflow: with e = e^(-|x|), 1 / (1 + e) for x >= 0
/// and e / (1 + e) for x < 0. NaN stays NaN.
inline float sigmoid(float x) {
    const float e = exp_nonpositive(x < 0 ? x : -x);
    const float s = 1.0f / (1.0f + e);
    return x >= 0 || x != x ? s : e * s;  // NaN: e and s are NaN
}

/// out[i] = tanh(x[i]) and sigmoid(x[i]) over arrays, vectorised for the
/// processor at hand (fast_math.cpp).
void tanh_array(const float* x, float* out, std::size_t n);
void sigmoid_array(const float* x, float* out, std::size_t n);
/// The same in place (x[i] = tanh(x[i])): for fused ops that activate their own output.
void tanh_in_place(float* x, std::size_t n);
void sigmoid_in_place(float* x, std::size_t n);

}  // namespace tg::fast
