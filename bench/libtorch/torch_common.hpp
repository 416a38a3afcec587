#pragma once
// Helpers of the libtorch programs: thread settings and copying the shared
// random data into tensors.
#include <torch/torch.h>

#include <vector>

#include "../bench_common.hpp"

namespace bench {

/// Both of libtorch's pools: its intra-op (OpenMP) pool and OpenBLAS's.
inline void set_torch_threads(int n) {
    torch::set_num_threads(n);
    set_blas_threads(n);
}

inline torch::Tensor to_torch(const std::vector<float>& v, std::vector<std::int64_t> shape) {
    return torch::from_blob(const_cast<float*>(v.data()), shape, torch::kFloat32).clone();
}

inline torch::Tensor to_torch(const std::vector<std::int64_t>& v, std::vector<std::int64_t> shape) {
    return torch::from_blob(const_cast<std::int64_t*>(v.data()), shape, torch::kInt64).clone();
}

/// Overwrite a Linear layer's parameters with the shared initial values (U(-1/sqrt(in), 1/sqrt(in)),
/// the same numbers the tapegrad program starts from).
inline void init_linear(torch::nn::Linear& l, std::int64_t in, std::int64_t out, int layer) {
    torch::NoGradGuard no_grad;
    const float bound = 1.0f / std::sqrt(float(in));
    l->weight.copy_(to_torch(uniform_floats(std::size_t(in * out), 10 + layer, -bound, bound), {out, in}));
    l->bias.copy_(to_torch(uniform_floats(std::size_t(out), 20 + layer, -bound, bound), {out}));
}

}  // namespace bench
