#pragma once
// Helpers of the tapegrad programs: the shared random data as tensors, and the
// shared initial values of a Linear layer (the same numbers the libtorch
// programs start from).
#include <cmath>
#include <vector>

#include <tapegrad/tapegrad.hpp>

#include "../bench_common.hpp"

namespace bench {

/// The threads a run may use: tapegrad's pool (tg::set_num_threads), which
/// also runs large products in bands. OpenBLAS is left alone: tapegrad sets it
/// to one thread itself, and asking it for more would start threads that only
/// sit idle (bench/run also starts tapegrad programs with OPENBLAS_NUM_THREADS=1).
inline void set_threads(int n) { tg::set_num_threads(n); }

inline tg::Tensor to_tg(const std::vector<float>& v, const tg::Shape& shape) { return tg::from_vector(v, shape); }

/// Class labels as the [N] float tensor tapegrad's cross_entropy takes.
inline tg::Tensor labels_tg(std::size_t n, std::int64_t classes, std::uint64_t seed) {
    std::vector<float> v;
    for (auto c : labels(n, classes, seed)) v.push_back(static_cast<float>(c));
    return tg::from_vector(v, {n});
}

/// Overwrite a Linear layer's parameters with U(-1/sqrt(in), 1/sqrt(in)) values from the shared seeds.
inline void init_linear(tg::nn::Linear& l, int layer) {
    tg::NoGradGuard no_grad;
    const std::size_t in = l.in_features(), out = l.out_features();
    const float bound = 1.0f / std::sqrt(float(in));
    l.weight.copy_(to_tg(uniform_floats(in * out, 10 + layer, -bound, bound), {out, in}));
    l.bias.copy_(to_tg(uniform_floats(out, 20 + layer, -bound, bound), {out}));
}

/// A Linear layer created and initialised from the shared seeds.
inline std::shared_ptr<tg::nn::Linear> make_linear(std::size_t in, std::size_t out, int layer) {
    auto l = std::make_shared<tg::nn::Linear>(in, out);
    init_linear(*l, layer);
    return l;
}

}  // namespace bench
