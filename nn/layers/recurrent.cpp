// Recurrent cells and layers, written with tapegrad ops (their gradients are the tape's).
//
// Note [transposed recurrent states]
// ----------------------------------
// Inside a step the gate pre-activations are computed as W x^T, i.e. [G hidden, batch],
// with one gemm whose transpose is a BLAS flag, not a copy. Splitting the G gates is
// then a split along axis 0: contiguous rows, one memcpy each (split along the last
// axis of [batch, G hidden] would copy element by element, forward and backward). So
// the layers keep h and c as [hidden, batch] from step to step, and transpose only at
// the boundary: the initial state in, the outputs (one stack + permute) out.
#include "recurrent.hpp"

#include <cmath>

#include <fmt/format.h>

#include "../../ops/ops.hpp"

namespace tg::nn {

namespace {

std::size_t gate_count(RecurrentKind kind) {
    switch (kind) {
        case RecurrentKind::lstm: return 4;
        case RecurrentKind::gru: return 3;
        default: return 1;
    }
}

/// W v^T when v is [batch, in] (rows), W v when v is [in, batch]: [G hidden, batch].
Product project(const Tensor& w, const Tensor& v, bool rows) { return {w, v, false, rows}; }

/// A bias [n] as a column [n, 1] that broadcasts over the batch.
Tensor column(const Tensor& b) {
    return b.defined() ? reshape(b, {static_cast<std::int64_t>(b.size(0)), 1}) : Tensor();
}

/// The per-forward constants of one layer's step.
struct StepParams {
    Tensor w_ih, w_hh;
    Tensor b;          // RNN and LSTM: b_ih + b_hh as a column
    Tensor b_ih, b_hh;  // GRU: separate columns (r multiplies only the hidden part)
};

StepParams prepare(RecurrentKind kind, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih,
                   const Tensor& b_hh) {
    StepParams p{w_ih, w_hh, {}, {}, {}};
    if (kind == RecurrentKind::gru) {
        p.b_ih = column(b_ih);
        p.b_hh = column(b_hh);
    } else if (b_ih.defined()) {
        p.b = column(add(b_ih, b_hh));
    }
    return p;
}

/// One step in the transposed layout (Note [transposed recurrent states]).
/// x is [batch, in] when x_rows, else [in, batch]; h, c are [hidden, batch].
LSTMState step(RecurrentKind kind, const StepParams& p, const Tensor& x, bool x_rows, const Tensor& h,
               const Tensor& c) {
    switch (kind) {
        case RecurrentKind::rnn_tanh:
        case RecurrentKind::rnn_relu: {
            const Epilogue act = kind == RecurrentKind::rnn_tanh ? Epilogue::tanh : Epilogue::relu;
            return {affine({project(p.w_ih, x, x_rows), project(p.w_hh, h, false)}, p.b, act), {}};
        }
        case RecurrentKind::lstm: {
            const Tensor a = affine({project(p.w_ih, x, x_rows), project(p.w_hh, h, false)}, p.b);
            const Tensor c_new = lstm_cell_state(a, c);  // gates i, f, g, o: ops/lstm_cell.hpp
            return {lstm_cell_output(a, c_new), c_new};
        }
        case RecurrentKind::gru: {
            const Tensor gi = affine({project(p.w_ih, x, x_rows)}, p.b_ih);
            const Tensor gh = affine({project(p.w_hh, h, false)}, p.b_hh);
            const std::vector<Tensor> xi = chunk(gi, 3, 0), hh = chunk(gh, 3, 0);  // r, z, n
            const Tensor r = sigmoid(add(xi[0], hh[0]));
            const Tensor z = sigmoid(add(xi[1], hh[1]));
            const Tensor n = tanh(add(xi[2], mul(r, hh[2])));
            return {add(n, mul(z, sub(h, n))), {}};  // (1 - z) n + z h
        }
    }
    throw std::logic_error("recurrent step: unknown kind");
}

std::string layer_name(const Module& m) { return fmt::format("{}({})", m.type_name(), m.extra_repr()); }

/// x must be [batch, input_size]; a state [batch, hidden_size] with x's batch.
void check_cell_input(const Module& m, const Tensor& x, std::size_t input, const char* state_name,
                      const Tensor& state, std::size_t hidden) {
    check_float(m.type_name().c_str(), x);
    if (x.dim() != 2 || x.size(1) != input)
        throw ShapeError(fmt::format("{}: input {} must be [batch, {}] (input_size {})", layer_name(m),
                                     shape_str(x.shape()), input, input) + where({}));
    if (state.defined() && (state.dim() != 2 || state.size(0) != x.size(0) || state.size(1) != hidden))
        throw ShapeError(fmt::format("{}: state {} has shape {}, expected [{}, {}] (batch of the input {}, hidden_size)",
                                     layer_name(m), state_name, shape_str(state.shape()), x.size(0), hidden,
                                     shape_str(x.shape())) + where({}));
}

/// [batch, hidden] -> [hidden, batch], or zeros [hidden, batch] when undefined.
Tensor state_in(const Tensor& s, std::size_t hidden, std::size_t batch, DType dtype) {
    return s.defined() ? transpose(s) : zeros({hidden, batch}, {dtype});
}

double init_bound(std::size_t hidden) { return hidden ? 1.0 / std::sqrt(static_cast<double>(hidden)) : 0.0; }

}  // namespace

// ---- cells ------------------------------------------------------------------

RNNCell::RNNCell(std::size_t input_size, std::size_t hidden_size, bool with_bias, const std::string& nonlinearity)
    : input_(input_size), hidden_(hidden_size), relu_(nonlinearity == "relu") {
    if (nonlinearity != "tanh" && nonlinearity != "relu")
        throw std::invalid_argument(fmt::format("RNNCell: nonlinearity must be \"tanh\" or \"relu\", got \"{}\"",
                                                nonlinearity));
    const double k = init_bound(hidden_size);
    weight_ih = register_parameter("weight_ih", uniform({hidden_size, input_size}, -k, k));
    weight_hh = register_parameter("weight_hh", uniform({hidden_size, hidden_size}, -k, k));
    if (with_bias) {
        bias_ih = register_parameter("bias_ih", uniform({hidden_size}, -k, k));
        bias_hh = register_parameter("bias_hh", uniform({hidden_size}, -k, k));
    }
}

Tensor RNNCell::forward(const Tensor& x, const Tensor& h) {
    check_cell_input(*this, x, input_, "h", h, hidden_);
    // the [batch, hidden] layout directly (no gates to split), as one fused op
    std::vector<Product> products{{x, weight_ih, false, true}};
    if (h.defined()) products.push_back({h, weight_hh, false, true});
    const Tensor b = bias_ih.defined() ? add(bias_ih, bias_hh) : Tensor();
    return affine(products, b, relu_ ? Epilogue::relu : Epilogue::tanh);
}

std::string RNNCell::extra_repr() const {
    return fmt::format("input_size={}, hidden_size={}{}{}", input_, hidden_, bias_ih.defined() ? "" : ", bias=false",
                       relu_ ? ", nonlinearity=relu" : "");
}

LSTMCell::LSTMCell(std::size_t input_size, std::size_t hidden_size, bool with_bias)
    : input_(input_size), hidden_(hidden_size) {
    const double k = init_bound(hidden_size);
    weight_ih = register_parameter("weight_ih", uniform({4 * hidden_size, input_size}, -k, k));
    weight_hh = register_parameter("weight_hh", uniform({4 * hidden_size, hidden_size}, -k, k));
    if (with_bias) {
        bias_ih = register_parameter("bias_ih", uniform({4 * hidden_size}, -k, k));
        bias_hh = register_parameter("bias_hh", uniform({4 * hidden_size}, -k, k));
    }
}

LSTMState LSTMCell::forward(const Tensor& x, const LSTMState& state) {
    check_cell_input(*this, x, input_, "h", state.h, hidden_);
    check_cell_input(*this, x, input_, "c", state.c, hidden_);
    const std::size_t batch = x.size(0);
    const StepParams p = prepare(RecurrentKind::lstm, weight_ih, weight_hh, bias_ih, bias_hh);
    const LSTMState s = step(RecurrentKind::lstm, p, x, true, state_in(state.h, hidden_, batch, x.dtype()),
                             state_in(state.c, hidden_, batch, x.dtype()));
    return {transpose(s.h), transpose(s.c)};
}

std::string LSTMCell::extra_repr() const {
    return fmt::format("input_size={}, hidden_size={}{}", input_, hidden_, bias_ih.defined() ? "" : ", bias=false");
}

GRUCell::GRUCell(std::size_t input_size, std::size_t hidden_size, bool with_bias)
    : input_(input_size), hidden_(hidden_size) {
    const double k = init_bound(hidden_size);
    weight_ih = register_parameter("weight_ih", uniform({3 * hidden_size, input_size}, -k, k));
    weight_hh = register_parameter("weight_hh", uniform({3 * hidden_size, hidden_size}, -k, k));
    if (with_bias) {
        bias_ih = register_parameter("bias_ih", uniform({3 * hidden_size}, -k, k));
        bias_hh = register_parameter("bias_hh", uniform({3 * hidden_size}, -k, k));
    }
}

Tensor GRUCell::forward(const Tensor& x, const Tensor& h) {
    check_cell_input(*this, x, input_, "h", h, hidden_);
    const StepParams p = prepare(RecurrentKind::gru, weight_ih, weight_hh, bias_ih, bias_hh);
    const LSTMState s = step(RecurrentKind::gru, p, x, true, state_in(h, hidden_, x.size(0), x.dtype()), Tensor());
    return transpose(s.h);
}

std::string GRUCell::extra_repr() const {
    return fmt::format("input_size={}, hidden_size={}{}", input_, hidden_, bias_ih.defined() ? "" : ", bias=false");
}

// ---- layers -----------------------------------------------------------------

RecurrentBase::RecurrentBase(RecurrentKind kind, std::size_t input_size, std::size_t hidden_size,
                             std::size_t num_layers, bool with_bias)
    : kind_(kind), input_(input_size), hidden_(hidden_size), layers_(num_layers) {
    if (num_layers == 0) throw std::invalid_argument("recurrent layer: num_layers must be at least 1");
    if (hidden_size == 0) throw std::invalid_argument("recurrent layer: hidden_size must be positive");
    const std::size_t g = gate_count(kind) * hidden_size;
    const double k = init_bound(hidden_size);
    for (std::size_t l = 0; l < num_layers; ++l) {
        const std::size_t in = l == 0 ? input_size : hidden_size;
        weight_ih.push_back(register_parameter(fmt::format("weight_ih_l{}", l), uniform({g, in}, -k, k)));
        weight_hh.push_back(register_parameter(fmt::format("weight_hh_l{}", l), uniform({g, hidden_size}, -k, k)));
        if (with_bias) {
            bias_ih.push_back(register_parameter(fmt::format("bias_ih_l{}", l), uniform({g}, -k, k)));
            bias_hh.push_back(register_parameter(fmt::format("bias_hh_l{}", l), uniform({g}, -k, k)));
        }
    }
}

std::string RecurrentBase::extra_repr() const {
    return fmt::format("input_size={}, hidden_size={}, num_layers={}{}{}", input_, hidden_, layers_,
                       bias_ih.empty() ? ", bias=false" : "",
                       kind_ == RecurrentKind::rnn_relu ? ", nonlinearity=relu" : "");
}

void RecurrentBase::check_state(const char* what, const Tensor& s, const Tensor& x) const {
    if (!s.defined()) return;
    const Shape expected{layers_, x.size(0), hidden_};
    if (s.shape() != expected)
        throw ShapeError(fmt::format("{}: initial {} has shape {}, expected {} ([num_layers, batch, hidden_size])",
                                     layer_name(*this), what, shape_str(s.shape()), shape_str(expected)) + where({}));
}

RecurrentOutput RecurrentBase::run_sequence(const Tensor& x, const Tensor& h0, const Tensor& c0) {
    check_float(type_name().c_str(), x);
    if (x.dim() != 3)
        throw ShapeError(fmt::format("{}: input must be 3-D [batch, time, {}] (batch first), got shape {}",
                                     layer_name(*this), input_, shape_str(x.shape())) + where({}));
    if (x.size(2) != input_)
        throw ShapeError(fmt::format("{}: input {} has {} features per step, expected input_size {} (input is "
                                     "[batch, time, features])",
                                     layer_name(*this), shape_str(x.shape()), x.size(2), input_) + where({}));
    if (x.size(1) == 0)
        throw ShapeError(fmt::format("{}: input {} is a sequence of length 0", layer_name(*this),
                                     shape_str(x.shape())) +
                         where({}));
    check_state("h", h0, x);
    if (kind_ == RecurrentKind::lstm) check_state("c", c0, x);
    const std::size_t batch = x.size(0), time = x.size(1);
    const auto B = static_cast<std::int64_t>(batch), H = static_cast<std::int64_t>(hidden_);

    // the input steps, time-major: step t is [batch, input] (one permute, then contiguous slices)
    const Tensor xt = permute(x, {1, 0, 2});
    std::vector<Tensor> inputs(time);
    for (std::size_t t = 0; t < time; ++t)
        inputs[t] = reshape(slice(xt, 0, static_cast<std::int64_t>(t), static_cast<std::int64_t>(t + 1)),
                            {B, static_cast<std::int64_t>(input_)});
    bool rows = true;
    std::vector<Tensor> h_last, c_last;
    for (std::size_t l = 0; l < layers_; ++l) {
        const StepParams p = prepare(kind_, weight_ih[l], weight_hh[l], bias_ih.empty() ? Tensor() : bias_ih[l],
                                     bias_hh.empty() ? Tensor() : bias_hh[l]);
        auto layer_state = [&](const Tensor& s) {
            if (!s.defined()) return zeros({hidden_, batch}, {x.dtype()});
            const auto L = static_cast<std::int64_t>(l);
            return transpose(reshape(slice(s, 0, L, L + 1), {B, H}));
        };
        LSTMState s{layer_state(h0), kind_ == RecurrentKind::lstm ? layer_state(c0) : Tensor()};
        for (std::size_t t = 0; t < time; ++t) {
            s = step(kind_, p, inputs[t], rows, s.h, s.c);
            inputs[t] = s.h;  // [hidden, batch]: the next layer's input
        }
        rows = false;
        h_last.push_back(s.h);
        c_last.push_back(s.c);
    }
    RecurrentOutput out;
    out.output = permute(stack(inputs, 0), {2, 0, 1});  // [time, hidden, batch] -> [batch, time, hidden]
    out.h_n = permute(stack(h_last, 0), {0, 2, 1});     // [layers, hidden, batch] -> [layers, batch, hidden]
    if (kind_ == RecurrentKind::lstm) out.c_n = permute(stack(c_last, 0), {0, 2, 1});
    return out;
}

RNN::RNN(std::size_t input_size, std::size_t hidden_size, std::size_t num_layers, bool bias,
         const std::string& nonlinearity)
    : RecurrentBase(nonlinearity == "relu" ? RecurrentKind::rnn_relu : RecurrentKind::rnn_tanh, input_size,
                    hidden_size, num_layers, bias) {
    if (nonlinearity != "tanh" && nonlinearity != "relu")
        throw std::invalid_argument(fmt::format("RNN: nonlinearity must be \"tanh\" or \"relu\", got \"{}\"",
                                                nonlinearity));
}

LSTM::LSTM(std::size_t input_size, std::size_t hidden_size, std::size_t num_layers, bool bias)
    : RecurrentBase(RecurrentKind::lstm, input_size, hidden_size, num_layers, bias) {}

GRU::GRU(std::size_t input_size, std::size_t hidden_size, std::size_t num_layers, bool bias)
    : RecurrentBase(RecurrentKind::gru, input_size, hidden_size, num_layers, bias) {}

}  // namespace tg::nn
