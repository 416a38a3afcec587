#pragma once
// Tutorial 8: the lesson's backpropagation example (a 2-2-2 network with
// sigmoid neurons), computed by tapegrad's engine.
#include <array>
#include <string>

#include <tapegrad/tapegrad.hpp>

#include "../common/report.hpp"

namespace tut::backprop {

/// The lesson's network: inputs, targets, biases and the eight weights, each a
/// float64 scalar tensor so every number can be named and traced.
/// w1: i1→h1, w2: i2→h1, w3: i1→h2, w4: i2→h2, w5: h1→o1, w6: h2→o1, w7: h1→o2, w8: h2→o2.
struct Network {
    tg::Tensor i1, i2;           ///< inputs 0.05, 0.10
    tg::Tensor target1, target2; ///< targets 0.01, 0.99
    tg::Tensor b1, b2;           ///< biases 0.35 (hidden), 0.60 (output); not trained
    std::array<tg::Tensor, 8> w; ///< w[0] is w1 ... w[7] is w8; they require grad
};

/// The network with the lesson's numbers.
Network lesson_network();

/// Every value of one forward pass (tensors of the recorded graph).
struct Forward {
    tg::Tensor net_h1, out_h1, net_h2, out_h2;
    tg::Tensor net_o1, out_o1, net_o2, out_o2;
    tg::Tensor e_o1, e_o2, e_total;  ///< E = ½·(target − out)², E_total = E_o1 + E_o2
};

/// net = Σ w·input + b, out = sigmoid(net), layer by layer, then the errors.
Forward forward(const Network& n);

/// The worked example's numbers, all from the engine.
struct WorkedExample {
    // forward pass
    double net_h1, out_h1, net_h2, out_h2, net_o1, out_o1, net_o2, out_o2, e_o1, e_o2, e_total;
    // dE/dw5 = dE/dout_o1 · dout_o1/dnet_o1 · dnet_o1/dw5
    double de_dout_o1, dout_o1_dnet_o1, dnet_o1_dw5, de_dw5;
    double delta_o1;  ///< dE/dnet_o1
    // dE/dw1 = dE/dout_h1 · dout_h1/dnet_h1 · dnet_h1/dw1, with dE/dout_h1 = dE_o1/dout_h1 + dE_o2/dout_h1
    double de_o1_dout_h1, de_o2_dout_h1, de_dout_h1, dout_h1_dnet_h1, dnet_h1_dw1, de_dw1;
    std::array<double, 8> grad;     ///< dE_total/dw1 ... dE_total/dw8
    std::array<double, 8> updated;  ///< w⁺ = w − η·dE/dw after one SGD step
    double e_total_after_one_step;  ///< E_total of the updated network
};

/// Forward pass, every chain-rule factor as a gradient from tg::grad, and one
/// SGD step with learning rate lr (the lesson's η = 0.5) on the eight weights.
WorkedExample worked_example(double lr = 0.5);

/// E_total after `steps` SGD steps from the lesson's weights (lr 0.5); also the
/// error of each step into history when it is not null.
double train(int steps, double lr = 0.5, std::vector<double>* history = nullptr);

/// The whole tutorial: prints the tables and the trace, writes the plots.
WorkedExample run(Report& report);

}  // namespace tut::backprop
