#pragma once
/// @ingroup activation
/// The elementwise part of an LSTM step as two fused ops. With the gate
/// pre-activations a = [a_i; a_f; a_g; a_o] stacked along axis 0 ([4H, N], PyTorch's
/// gate order) and the cell state c ([H, N]):
///
///     c' = σ(a_f) ⊙ c + σ(a_i) ⊙ tanh(a_g)      lstm_cell_state(a, c)
///     h  = σ(a_o) ⊙ tanh(c')                     lstm_cell_output(a, c')
///
/// Each is one pass and one recorded node where the separate ops make nine
/// (four gate slices, four activations, the products and sums). Their backward
/// rules are one pass too; under create_graph they are written with tapegrad ops
/// instead, so second derivatives work. The LSTM layers and LSTMCell use them.
#include "../graph/tensor.hpp"

namespace tg {

/// c' = σ(a_f) ⊙ c + σ(a_i) ⊙ tanh(a_g). a [4H, N], c [H, N]; ShapeError otherwise.
Tensor lstm_cell_state(const Tensor& a, const Tensor& c);
/// h = σ(a_o) ⊙ tanh(c'). a [4H, N], c' [H, N]; ShapeError otherwise.
Tensor lstm_cell_output(const Tensor& a, const Tensor& c_new);

}  // namespace tg
