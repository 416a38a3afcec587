// Recurrent cells and layers: values against PyTorch's equations computed here,
// gradients (BPTT through the tape), stacking, initial states, errors, clipping.
#include <cmath>

#include "helpers.hpp"

using namespace tg;
using namespace tg::nn;
using tg::test::check_grad;
using tg::test::rnd;

namespace {

double sigm(double v) { return 1.0 / (1.0 + std::exp(-v)); }

/// Row r of W [rows, cols] (flattened) dotted with v.
double dot_row(const std::vector<double>& w, std::size_t cols, std::size_t r, const double* v) {
    double s = 0;
    for (std::size_t i = 0; i < cols; ++i) s += w[r * cols + i] * v[i];
    return s;
}

/// Gate pre-activations W_ih x + b_ih (+ W_hh h + b_hh when with_h) for one sample, G*H values.
std::vector<double> pre(const std::vector<double>& wih, const std::vector<double>& bih, const std::vector<double>& whh,
                        const std::vector<double>& bhh, const double* x, std::size_t in, const double* h,
                        std::size_t hidden, std::size_t rows, bool with_h) {
    std::vector<double> a(rows);
    for (std::size_t r = 0; r < rows; ++r) {
        a[r] = dot_row(wih, in, r, x) + bih[r];
        if (with_h) a[r] += dot_row(whh, hidden, r, h) + bhh[r];
    }
    return a;
}

/// Make a module's parameters float64 with distinctive values (not the default init).
void set_params(Module& m, std::uint64_t seed) {
    m.to(DType::f64);
    Generator gen(seed);
    NoGradGuard no_grad;
    for (Tensor p : m.parameters()) p.copy_(uniform(p.shape(), -0.8, 0.8, {DType::f64}, &gen));
}

}  // namespace

TEST_CASE("recurrent: LSTMCell one step equals PyTorch's equations (gate order i, f, g, o)") {
    const std::size_t I = 3, H = 2, B = 2;
    LSTMCell cell(I, H);
    set_params(cell, 1);
    const Tensor x = rnd({B, I}, -1, 1, 2), h = rnd({B, H}, -1, 1, 3), c = rnd({B, H}, -1, 1, 4);
    const LSTMState s = cell.forward(x, {h, c});
    REQUIRE(s.h.shape() == Shape{B, H});
    REQUIRE(s.c.shape() == Shape{B, H});
    const auto wih = cell.weight_ih.to_vector(), whh = cell.weight_hh.to_vector();
    const auto bih = cell.bias_ih.to_vector(), bhh = cell.bias_hh.to_vector();
    const auto xv = x.to_vector(), hv = h.to_vector(), cv = c.to_vector();
    for (std::size_t b = 0; b < B; ++b) {
        const auto a = pre(wih, bih, whh, bhh, &xv[b * I], I, &hv[b * H], H, 4 * H, true);
        for (std::size_t j = 0; j < H; ++j) {
            const double i = sigm(a[j]), f = sigm(a[H + j]), g = std::tanh(a[2 * H + j]), o = sigm(a[3 * H + j]);
            const double c1 = f * cv[b * H + j] + i * g;
            const double h1 = o * std::tanh(c1);
            CHECK(s.c.at({b, j}) == doctest::Approx(c1).epsilon(1e-12));
            CHECK(s.h.at({b, j}) == doctest::Approx(h1).epsilon(1e-12));
        }
    }
    // a literal case: zero weights, biases only: i = f = o = sigmoid(0.5 + 0.5), g = tanh(1), c0 = 1
    LSTMCell lit(1, 1);
    lit.to(DType::f64);
    {
        NoGradGuard no_grad;
        lit.weight_ih.fill_(0), lit.weight_hh.fill_(0), lit.bias_ih.fill_(0.5), lit.bias_hh.fill_(0.5);
    }
    const LSTMState s1 = lit.forward(tensor({{2.0}}, {DType::f64}), {tensor({{0.0}}, {DType::f64}),
                                                                    tensor({{1.0}}, {DType::f64})});
    const double gate = sigm(1.0);
    CHECK(s1.c.item() == doctest::Approx(gate * 1.0 + gate * std::tanh(1.0)));
    CHECK(s1.h.item() == doctest::Approx(gate * std::tanh(gate + gate * std::tanh(1.0))));
}

TEST_CASE("recurrent: GRUCell one step equals PyTorch's equations (gate order r, z, n)") {
    const std::size_t I = 3, H = 2, B = 2;
    GRUCell cell(I, H);
    set_params(cell, 5);
    const Tensor x = rnd({B, I}, -1, 1, 6), h = rnd({B, H}, -1, 1, 7);
    const Tensor h1 = cell.forward(x, h);
    const auto wih = cell.weight_ih.to_vector(), whh = cell.weight_hh.to_vector();
    const auto bih = cell.bias_ih.to_vector(), bhh = cell.bias_hh.to_vector();
    const auto xv = x.to_vector(), hv = h.to_vector();
    for (std::size_t b = 0; b < B; ++b) {
        const auto gi = pre(wih, bih, whh, bhh, &xv[b * I], I, nullptr, H, 3 * H, false);
        std::vector<double> gh(3 * H);
        for (std::size_t r = 0; r < 3 * H; ++r) gh[r] = dot_row(whh, H, r, &hv[b * H]) + bhh[r];
        for (std::size_t j = 0; j < H; ++j) {
            const double r = sigm(gi[j] + gh[j]), z = sigm(gi[H + j] + gh[H + j]);
            const double n = std::tanh(gi[2 * H + j] + r * gh[2 * H + j]);
            CHECK(h1.at({b, j}) == doctest::Approx((1 - z) * n + z * hv[b * H + j]).epsilon(1e-12));
        }
    }
    // no state given: h = 0
    const Tensor h0 = cell.forward(x);
    const Tensor hz = cell.forward(x, zeros({B, H}, {DType::f64}));
    for (std::size_t k = 0; k < B * H; ++k) CHECK(h0.to_vector()[k] == doctest::Approx(hz.to_vector()[k]));
}

TEST_CASE("recurrent: RNNCell (tanh and relu) equals its equation") {
    for (const char* act : {"tanh", "relu"}) {
        RNNCell cell(3, 2, true, act);
        set_params(cell, 8);
        const Tensor x = rnd({2, 3}, -1, 1, 9), h = rnd({2, 2}, -1, 1, 10);
        const Tensor h1 = cell.forward(x, h);
        const auto wih = cell.weight_ih.to_vector(), whh = cell.weight_hh.to_vector();
        const auto bih = cell.bias_ih.to_vector(), bhh = cell.bias_hh.to_vector();
        const auto xv = x.to_vector(), hv = h.to_vector();
        for (std::size_t b = 0; b < 2; ++b) {
            const auto a = pre(wih, bih, whh, bhh, &xv[b * 3], 3, &hv[b * 2], 2, 2, true);
            for (std::size_t j = 0; j < 2; ++j) {
                const double expect = std::string(act) == "tanh" ? std::tanh(a[j]) : std::max(a[j], 0.0);
                CHECK(h1.at({b, j}) == doctest::Approx(expect).epsilon(1e-12));
            }
        }
    }
}

namespace {

/// A layer's sequence computed with cells sharing its weights, step by step.
template <class Layer, class Cell>
void compare_with_cells(Layer& layer, std::size_t layers, std::size_t I, std::size_t H, bool lstm) {
    const std::size_t B = 2, T = 4;
    const Tensor x = rnd({B, T, I}, -1, 1, 11);
    const Tensor h0 = rnd({layers, B, H}, -1, 1, 12), c0 = rnd({layers, B, H}, -1, 1, 13);
    RecurrentOutput out;
    if constexpr (std::is_same_v<Layer, LSTM>) out = layer.run(x, {h0, c0});
    else out = layer.run(x, h0);
    REQUIRE(out.output.shape() == Shape{B, T, H});
    REQUIRE(out.h_n.shape() == Shape{layers, B, H});
    std::vector<Tensor> seq;
    for (std::size_t t = 0; t < T; ++t) seq.push_back(reshape(slice(x, 1, t, t + 1), {2, (std::int64_t)I}));
    for (std::size_t l = 0; l < layers; ++l) {
        Cell cell(l == 0 ? I : H, H);
        cell.to(DType::f64);
        cell.weight_ih = layer.weight_ih[l], cell.weight_hh = layer.weight_hh[l];
        cell.bias_ih = layer.bias_ih[l], cell.bias_hh = layer.bias_hh[l];
        Tensor h = reshape(slice(h0, 0, l, l + 1), {2, (std::int64_t)H});
        Tensor c = reshape(slice(c0, 0, l, l + 1), {2, (std::int64_t)H});
        for (std::size_t t = 0; t < T; ++t) {
            if constexpr (std::is_same_v<Cell, LSTMCell>) {
                const LSTMState s = cell.forward(seq[t], {h, c});
                h = s.h, c = s.c;
            } else {
                h = cell.forward(seq[t], h);
            }
            seq[t] = h;
        }
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t j = 0; j < H; ++j) {
                CHECK(out.h_n.at({l, b, j}) == doctest::Approx(h.at({b, j})).epsilon(1e-12));
                if (lstm) CHECK(out.c_n.at({l, b, j}) == doctest::Approx(c.at({b, j})).epsilon(1e-12));
            }
    }
    for (std::size_t t = 0; t < T; ++t)
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t j = 0; j < H; ++j)
                CHECK(out.output.at({b, t, j}) == doctest::Approx(seq[t].at({b, j})).epsilon(1e-12));
}

}  // namespace

TEST_CASE("recurrent: stacked RNN, LSTM and GRU layers equal their cells unrolled, with an initial state") {
    RNN rnn(3, 4, 2);
    set_params(rnn, 21);
    compare_with_cells<RNN, RNNCell>(rnn, 2, 3, 4, false);
    LSTM lstm(3, 4, 2);
    set_params(lstm, 22);
    compare_with_cells<LSTM, LSTMCell>(lstm, 2, 3, 4, true);
    GRU gru(3, 4, 3);
    set_params(gru, 23);
    compare_with_cells<GRU, GRUCell>(gru, 3, 3, 4, false);
    // parameter names follow PyTorch's
    const auto names = lstm.named_parameters();
    REQUIRE(names.size() == 8);
    CHECK(names[0].first == "weight_ih_l0");
    CHECK(names[7].first == "bias_hh_l1");
    CHECK(lstm.weight_ih[1].shape() == Shape{16, 4});
    // no initial state is a zero state
    const Tensor x = rnd({2, 3, 3}, -1, 1, 24);
    const RecurrentOutput a = lstm.run(x), b = lstm.run(x, {zeros({2, 2, 4}, {DType::f64}), zeros({2, 2, 4}, {DType::f64})});
    CHECK(a.output.to_vector() == b.output.to_vector());
    CHECK(lstm.forward(x).to_vector() == a.output.to_vector());
}

TEST_CASE("recurrent: gradcheck of the three cells in double") {
    LSTMCell lstm(3, 2);
    set_params(lstm, 31);
    check_grad(
        [&](const std::vector<Tensor>& in) {
            lstm.weight_ih = in[3], lstm.weight_hh = in[4], lstm.bias_ih = in[5], lstm.bias_hh = in[6];
            const LSTMState s = lstm.forward(in[0], {in[1], in[2]});
            return concat({s.h, s.c}, 1);
        },
        {rnd({2, 3}, -1, 1, 32), rnd({2, 2}, -1, 1, 33), rnd({2, 2}, -1, 1, 34), lstm.weight_ih, lstm.weight_hh,
         lstm.bias_ih, lstm.bias_hh},
        "LSTMCell");
    GRUCell gru(3, 2);
    set_params(gru, 35);
    check_grad(
        [&](const std::vector<Tensor>& in) {
            gru.weight_ih = in[2], gru.weight_hh = in[3], gru.bias_ih = in[4], gru.bias_hh = in[5];
            return gru.forward(in[0], in[1]);
        },
        {rnd({2, 3}, -1, 1, 36), rnd({2, 2}, -1, 1, 37), gru.weight_ih, gru.weight_hh, gru.bias_ih, gru.bias_hh},
        "GRUCell");
    RNNCell rnn(3, 2);
    set_params(rnn, 38);
    check_grad(
        [&](const std::vector<Tensor>& in) {
            rnn.weight_ih = in[2], rnn.weight_hh = in[3], rnn.bias_ih = in[4], rnn.bias_hh = in[5];
            return rnn.forward(in[0], in[1]);
        },
        {rnd({2, 3}, -1, 1, 39), rnd({2, 2}, -1, 1, 40), rnn.weight_ih, rnn.weight_hh, rnn.bias_ih, rnn.bias_hh},
        "RNNCell");
}

namespace {

/// Gradcheck a stacked layer over a few time steps: input, initial state(s) and every weight.
template <class Layer>
void gradcheck_layer(Layer& layer, std::size_t layers, const char* name) {
    const std::size_t I = 3, H = 2, B = 2, T = 3;
    std::vector<Tensor> inputs{rnd({B, T, I}, -1, 1, 41), rnd({layers, B, H}, -1, 1, 42), rnd({layers, B, H}, -1, 1, 43)};
    for (std::size_t l = 0; l < layers; ++l)
        for (const Tensor& p : {layer.weight_ih[l], layer.weight_hh[l], layer.bias_ih[l], layer.bias_hh[l]})
            inputs.push_back(p);
    check_grad(
        [&](const std::vector<Tensor>& in) {
            for (std::size_t l = 0; l < layers; ++l) {
                layer.weight_ih[l] = in[3 + 4 * l], layer.weight_hh[l] = in[4 + 4 * l];
                layer.bias_ih[l] = in[5 + 4 * l], layer.bias_hh[l] = in[6 + 4 * l];
            }
            RecurrentOutput out;
            if constexpr (std::is_same_v<Layer, LSTM>) out = layer.run(in[0], {in[1], in[2]});
            else out = layer.run(in[0], in[1] + 0.0 * sum(in[2]));  // in[2] unused: zero gradient
            Tensor all = concat({reshape(out.output, {-1}), reshape(out.h_n, {-1})}, 0);
            if (out.c_n.defined()) all = concat({all, reshape(out.c_n, {-1})}, 0);
            return all;
        },
        inputs, name);
}

}  // namespace

TEST_CASE("recurrent: gradcheck of stacked RNN, LSTM, GRU layers over three steps (BPTT by the tape)") {
    RNN rnn(3, 2, 2);
    set_params(rnn, 51);
    gradcheck_layer(rnn, 2, "RNN");
    RNN rnn_relu(3, 2, 1, true, "relu");
    set_params(rnn_relu, 52);
    gradcheck_layer(rnn_relu, 1, "RNN relu");
    LSTM lstm(3, 2, 2);
    set_params(lstm, 53);
    gradcheck_layer(lstm, 2, "LSTM");
    GRU gru(3, 2, 2);
    set_params(gru, 54);
    gradcheck_layer(gru, 2, "GRU");
}

TEST_CASE("recurrent: layers without bias, and gradient clipping over a long sequence") {
    LSTM lstm(2, 3, 1, false);
    CHECK(lstm.parameters().size() == 2);
    CHECK(lstm.run(zeros({1, 2, 2})).output.shape() == Shape{1, 2, 3});
    manual_seed(3);
    GRU gru(4, 8, 2);
    const Tensor x = randn({4, 60, 4});
    const Tensor loss = sum(square(gru.run(x).h_n)) * 100.0;
    loss.backward();
    const double before = clip_grad_norm_(gru.parameters(), 1.0);
    CHECK(before > 1.0);
    CHECK(grad_norm(gru.parameters()) == doctest::Approx(1.0).epsilon(1e-4));
}

TEST_CASE("recurrent: errors name the layer and the shapes") {
    LSTM lstm(8, 16, 2);
    const std::string features = test::shape_error_of([&] { lstm.run(zeros({4, 10, 7})); });
    CHECK(features.find("LSTM(input_size=8, hidden_size=16, num_layers=2)") != std::string::npos);
    CHECK(features.find("(4, 10, 7)") != std::string::npos);
    CHECK(features.find("7 features per step, expected input_size 8") != std::string::npos);
    CHECK(test::shape_error_of([&] { lstm.run(zeros({4, 8})); }).find("3-D [batch, time, 8]") != std::string::npos);
    const std::string state = test::shape_error_of([&] { lstm.run(zeros({4, 10, 8}), {zeros({1, 4, 16}), {}}); });
    CHECK(state.find("initial h has shape (1, 4, 16), expected (2, 4, 16)") != std::string::npos);
    GRUCell cell(3, 5);
    CHECK(test::shape_error_of([&] { cell.forward(zeros({2, 4})); }).find("GRUCell(input_size=3, hidden_size=5)") !=
          std::string::npos);
    CHECK(test::shape_error_of([&] { cell.forward(zeros({2, 3}), zeros({3, 5})); }).find("state h") != std::string::npos);
    CHECK_THROWS_AS(RNN(3, 4, 1, true, "sigmoid"), std::invalid_argument);
}
