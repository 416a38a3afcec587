#pragma once
/// @ingroup nn
/// Recurrent networks: the cells RNNCell (tanh or relu), LSTMCell and GRUCell, and the
/// layers RNN, LSTM and GRU over whole sequences (batch first), stacked and with an
/// optional initial state. Equations, parameter names, layouts and initialisation are
/// PyTorch's, so state dicts map one to one:
///
///     RNN:  h' = tanh(W_ih x + b_ih + W_hh h + b_hh)
///     LSTM: i, f, g, o = split(W_ih x + b_ih + W_hh h + b_hh) (this order, each hidden_size rows)
///           i, f, o = sigmoid(.), g = tanh(.);  c' = f * c + i * g;  h' = o * tanh(c')
///     GRU:  r, z, n_i = split(W_ih x + b_ih);  r_h, z_h, n_h = split(W_hh h + b_hh)
///           r = sigmoid(r + r_h), z = sigmoid(z + z_h), n = tanh(n_i + r * n_h);  h' = (1 - z) * n + z * h
///
/// with every weight and bias uniform on ±1/sqrt(hidden_size). Backpropagation through
/// time is the tape: a sequence is unrolled into ordinary ops and backward() walks them.
/// Internally the layers keep states as [hidden, batch] so that splitting the gates is a
/// copy of contiguous rows; inputs and outputs are in the usual [batch, ...] layout.
#include <cstddef>
#include <string>
#include <vector>

#include "../module.hpp"

namespace tg::nn {

/// The state of an LSTM: hidden h and cell c.
struct LSTMState {
    Tensor h;
    Tensor c;
};

/// What a recurrent layer returns for a sequence.
struct RecurrentOutput {
    Tensor output;  ///< [batch, time, hidden_size]: the last layer's hidden state at every step
    Tensor h_n;     ///< [num_layers, batch, hidden_size]: each layer's hidden state after the last step
    Tensor c_n;     ///< LSTM only: [num_layers, batch, hidden_size], each layer's last cell state
};

enum class RecurrentKind { rnn_tanh, rnn_relu, lstm, gru };

/// Elman cell: h' = act(W_ih x + b_ih + W_hh h + b_hh), act tanh (default) or relu.
/// x [batch, input_size], h [batch, hidden_size] (zeros when omitted) -> h' [batch, hidden_size].
class RNNCell : public Module {
public:
    RNNCell(std::size_t input_size, std::size_t hidden_size, bool bias = true,
            const std::string& nonlinearity = "tanh");
    using Module::forward;
    Tensor forward(const Tensor& x) override { return forward(x, Tensor()); }
    Tensor forward(const Tensor& x, const Tensor& h);
    std::string type_name() const override { return "RNNCell"; }
    std::string extra_repr() const override;

    Tensor weight_ih, weight_hh;  ///< [hidden, input], [hidden, hidden]
    Tensor bias_ih, bias_hh;      ///< [hidden] (undefined without bias)

private:
    std::size_t input_, hidden_;
    bool relu_;
};

/// One LSTM step (gate order i, f, g, o). x [batch, input_size]; state h, c [batch, hidden_size]
/// (zeros when undefined) -> the new (h, c). forward(x) returns only h.
class LSTMCell : public Module {
public:
    LSTMCell(std::size_t input_size, std::size_t hidden_size, bool bias = true);
    using Module::forward;
    Tensor forward(const Tensor& x) override { return forward(x, LSTMState{}).h; }
    LSTMState forward(const Tensor& x, const LSTMState& state);
    std::string type_name() const override { return "LSTMCell"; }
    std::string extra_repr() const override;

    Tensor weight_ih, weight_hh;  ///< [4 hidden, input], [4 hidden, hidden]
    Tensor bias_ih, bias_hh;      ///< [4 hidden]

private:
    std::size_t input_, hidden_;
};

/// One GRU step (gate order r, z, n). x [batch, input_size], h [batch, hidden_size] -> h'.
class GRUCell : public Module {
public:
    GRUCell(std::size_t input_size, std::size_t hidden_size, bool bias = true);
    using Module::forward;
    Tensor forward(const Tensor& x) override { return forward(x, Tensor()); }
    Tensor forward(const Tensor& x, const Tensor& h);
    std::string type_name() const override { return "GRUCell"; }
    std::string extra_repr() const override;

    Tensor weight_ih, weight_hh;  ///< [3 hidden, input], [3 hidden, hidden]
    Tensor bias_ih, bias_hh;      ///< [3 hidden]

private:
    std::size_t input_, hidden_;
};

/// Shared body of RNN, LSTM and GRU: num_layers stacked layers, layer k reading layer
/// k-1's hidden states; parameters weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}.
/// forward(x) returns the output [batch, time, hidden_size] only (usable in Sequential).
/// Throws ShapeError naming the layer for an input that is not [batch, time, input_size]
/// or an initial state that is not [num_layers, batch, hidden_size].
class RecurrentBase : public Module {
public:
    Tensor forward(const Tensor& x) override { return run_sequence(x, Tensor(), Tensor()).output; }
    std::string extra_repr() const override;
    std::size_t input_size() const { return input_; }
    std::size_t hidden_size() const { return hidden_; }
    std::size_t num_layers() const { return layers_; }

    /// Per layer: weight_ih [G hidden, in], weight_hh [G hidden, hidden], biases [G hidden]
    /// (G = 1, 4, 3 for RNN, LSTM, GRU). The same handles as the registered parameters.
    std::vector<Tensor> weight_ih, weight_hh, bias_ih, bias_hh;

protected:
    RecurrentBase(RecurrentKind kind, std::size_t input_size, std::size_t hidden_size, std::size_t num_layers,
                  bool bias);
    RecurrentOutput run_sequence(const Tensor& x, const Tensor& h0, const Tensor& c0);

private:
    void check_state(const char* what, const Tensor& s, const Tensor& x) const;
    RecurrentKind kind_;
    std::size_t input_, hidden_, layers_;
};

/// Elman RNN over a sequence: x [batch, time, input_size], optional h0 [num_layers, batch, hidden].
class RNN : public RecurrentBase {
public:
    RNN(std::size_t input_size, std::size_t hidden_size, std::size_t num_layers = 1, bool bias = true,
        const std::string& nonlinearity = "tanh");
    using RecurrentBase::forward;
    /// All outputs and the last state (h_n).
    RecurrentOutput run(const Tensor& x, const Tensor& h0 = {}) { return run_sequence(x, h0, Tensor()); }
    std::string type_name() const override { return "RNN"; }
};

/// LSTM over a sequence: x [batch, time, input_size], optional initial (h0, c0), each
/// [num_layers, batch, hidden] (an undefined one is zeros).
class LSTM : public RecurrentBase {
public:
    LSTM(std::size_t input_size, std::size_t hidden_size, std::size_t num_layers = 1, bool bias = true);
    using RecurrentBase::forward;
    /// All outputs and the last state (h_n, c_n).
    RecurrentOutput run(const Tensor& x, const LSTMState& initial = {}) {
        return run_sequence(x, initial.h, initial.c);
    }
    std::string type_name() const override { return "LSTM"; }
};

/// GRU over a sequence: x [batch, time, input_size], optional h0 [num_layers, batch, hidden].
class GRU : public RecurrentBase {
public:
    GRU(std::size_t input_size, std::size_t hidden_size, std::size_t num_layers = 1, bool bias = true);
    using RecurrentBase::forward;
    /// All outputs and the last state (h_n).
    RecurrentOutput run(const Tensor& x, const Tensor& h0 = {}) { return run_sequence(x, h0, Tensor()); }
    std::string type_name() const override { return "GRU"; }
};

}  // namespace tg::nn
