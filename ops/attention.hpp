#pragma once
/// @defgroup attention Scaled dot-product attention
/// @{
#include <optional>

#include "../graph/tensor.hpp"

namespace tg {

class Generator;

/// What attention() may take besides q, k, v. Every mask broadcasts to the
/// scores' shape [batch..., L, S] and has q's dtype; masks are constants (no gradient).
struct AttentionOptions {
    /// Added to the scores before the softmax (PyTorch's float attn_mask); -inf removes a position.
    Tensor attn_mask;
    /// 1 = masked out (the score becomes -inf), 0 = kept: PyTorch's boolean attn_mask
    /// (True = not allowed to attend) written as a float tensor of 0 and 1, since
    /// tapegrad has no bool dtype yet. Any other value is an error.
    Tensor masked_out;
    /// Query i attends to keys j <= i only (the top-left aligned lower triangle, as PyTorch's is_causal).
    bool is_causal = false;
    /// Multiplies q k^T; unset: 1 / sqrt(E).
    std::optional<double> scale;
    /// Dropout on the attention weights (inverted: kept weights scaled by 1 / (1 - p)).
    double dropout_p = 0;
    /// Where the dropout mask is drawn from (the calling thread's generator when null).
    Generator* generator = nullptr;
    /// Also return the attention weights (after dropout), detached.
    bool need_weights = false;
};

struct AttentionOutput {
    Tensor output;   ///< [batch..., L, Ev]
    Tensor weights;  ///< [batch..., L, S] when need_weights, else undefined
};

/// Scaled dot-product attention over q [..., L, E], k [..., S, E], v [..., S, Ev]
/// (the batch axes broadcast as matmul's):
///     scores = scale q k^T + attn_mask (+ -inf where masked_out or above the causal diagonal)
///     P = softmax(scores) along S (the row's maximum subtracted first)
///     output = dropout(P) v
/// One recorded node. Its backward rule, in tapegrad ops (so second derivatives work):
///     dv = P^T g,  dP = g v^T,  dS = P (dP - rowsum(dP P)),  dq = scale dS k,  dk = scale dS^T q
/// A row whose every position is masked has no weights to spread: its output (and
/// gradient) is NaN, as PyTorch's, never a made-up number.
/// Throws ShapeError naming the op and shapes for operands or masks that do not fit,
/// DTypeError for mixed dtypes, std::invalid_argument for a masked_out value other
/// than 0 and 1 or dropout_p outside [0, 1).
AttentionOutput attention(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& options);

/// PyTorch's F.scaled_dot_product_attention(q, k, v, attn_mask, dropout_p=0, is_causal, scale):
/// attention(...).output with an additive float mask.
Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& attn_mask = {},
                                    bool is_causal = false, std::optional<double> scale = {});

}  // namespace tg
/// @}
