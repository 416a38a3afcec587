#pragma once
/// @ingroup linalg
/// Fused affine maps: a sum of matrix products, a bias and an activation in one
/// op. The products accumulate into one buffer (BLAS's β = 1) that already holds
/// the bias, and the activation runs in place in the pass that leaves the last
/// product: one output tensor and one recorded node where the separate ops make
/// three to five of each. Dense layers followed by an activation (Sequential
/// fuses Linear + ReLU/Tanh/Sigmoid) and recurrent cells use it.
#include <cstdint>
#include <source_location>
#include <vector>

#include "../graph/tensor.hpp"

namespace tg {

/// The activation an affine op applies to its result.
enum class Epilogue : std::uint8_t { none, relu, tanh, sigmoid };

/// "none", "relu", "tanh" or "sigmoid".
const char* epilogue_name(Epilogue e);

/// One term op(a) @ op(b) of an affine sum; a and b are 2-D, op transposes when the flag is set.
struct Product {
    Tensor a, b;
    bool transpose_a = false;
    bool transpose_b = false;
};

/// epilogue(Σₖ op(aₖ) @ op(bₖ) + bias), [M, N]. Every product must be [M, N]; the
/// bias (optional) broadcasts to [M, N]: [N] or [1, N] per column, [M, 1] per row.
/// Values equal the separate ops' (the same BLAS products, summed in the same
/// order, the same activation kernels); the ReLU, tanh and sigmoid gradients are
/// taken from the output, so no pre-activation tensor is kept. Backward: with
/// g' = g · epilogue'(out), each product's gradients as matmul's, the bias's
/// g' summed over its broadcast axes; recorded ops, so second derivatives work.
/// Throws ShapeError naming "affine" and the shapes for a product that is not
/// 2-D, inner sizes that differ, products of different shapes, or a bias that
/// does not broadcast; DTypeError for mixed dtypes.
Tensor affine(const std::vector<Product>& products, const Tensor& bias = {}, Epilogue epilogue = Epilogue::none,
              std::source_location loc = std::source_location::current());

/// epilogue(linear(x, w, b)) as one op: x [..., in], w [out, in], b [out] or undefined.
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b, Epilogue epilogue,
              std::source_location loc = std::source_location::current());

}  // namespace tg
