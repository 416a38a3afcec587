#pragma once
/// @defgroup linalg Matrix products (through BLAS)
/// @{
#include <source_location>

#include "../graph/tensor.hpp"

namespace tg {

/// Matrix product. 1-D and 2-D as numpy; for rank >= 3 a batch of matrices,
/// the batch axes broadcast (a (B, M, K) with a (K, N) is allowed).
/// [M,K] @ [K,N] -> [M,N];  da = g @ b^T, db = a^T @ g (transposes are BLAS flags,
/// never copies). Throws ShapeError, e.g. "matmul: (3, 4) @ (5, 2): inner dimensions 4 and 5 differ".
Tensor matmul(const Tensor& a, const Tensor& b, std::source_location loc = std::source_location::current());
/// op(a) @ op(b) for 2-D or batched a, b, with op = transpose of the last two axes when the flag is set.
Tensor gemm(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b,
            std::source_location loc = std::source_location::current());
/// x @ w^T + b, the dense layer (PyTorch's linear: w is [out, in], b is [out] or undefined).
/// One fused op: one BLAS call, one node.
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b = {},
              std::source_location loc = std::source_location::current());

}  // namespace tg
/// @}
