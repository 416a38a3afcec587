// seed-net: the lesson's 2-2-2 sigmoid network with its exact weights, one
// sample per step, loss 1/2 * sum((t - o)^2), SGD lr 0.5 on the weights (the
// biases stay fixed, as in the lesson). Checks the lesson's numbers on the
// first step and exits with status 1 when they are wrong.
#include <cmath>
#include <cstdio>

#include "tg_common.hpp"

int main(int argc, char** argv) {
    const bench::Args args = bench::parse_args(argc, argv);
    bench::set_threads(args.threads);
    using namespace tg;
    Tensor w1 = tensor({{0.15, 0.20}, {0.25, 0.30}}).requires_grad_();  // [out, in]: w1 w2 / w3 w4
    Tensor w2 = tensor({{0.40, 0.45}, {0.50, 0.55}}).requires_grad_();  // w5 w6 / w7 w8
    const Tensor b1 = tensor({0.35, 0.35});
    const Tensor b2 = tensor({0.60, 0.60});
    const Tensor x = tensor({{0.05, 0.10}});
    const Tensor target = tensor({{0.01, 0.99}});
    optim::SGD opt({w1, w2}, 0.5);

    long step_no = 0;
    bool ok = true;
    auto step = [&] {
        opt.zero_grad();
        const Tensor out_h = sigmoid(linear(x, w1, b1));
        const Tensor out_o = sigmoid(linear(out_h, w2, b2));
        const Tensor e = 0.5 * sum(square(target - out_o));
        e.backward();
        opt.step();
        if (step_no++ == 0) {
            const double loss = e.item(), w5 = w2.at({0, 0});
            if (std::abs(loss - 0.298371109) > 1e-6 || std::abs(w5 - 0.35891648) > 1e-6) {
                std::fprintf(stderr, "seed-net: WRONG: first loss %.9f (expected 0.298371109), w5 %.8f "
                                     "(expected 0.35891648)\n", loss, w5);
                ok = false;
            }
        }
    };
    step();  // the checked step
    if (!ok) return 1;
    return bench::run({"seed-net", 1, 0, 200000}, args, step);
}
