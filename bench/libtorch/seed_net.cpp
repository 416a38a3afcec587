// seed-net with libtorch: the lesson's 2-2-2 sigmoid network, one sample per
// step, loss 1/2 * sum((t - o)^2), SGD lr 0.5 on the weights (biases fixed).
#include <cmath>
#include <cstdio>

#include "torch_common.hpp"

int main(int argc, char** argv) {
    const bench::Args args = bench::parse_args(argc, argv);
    bench::set_torch_threads(args.threads);
    namespace F = torch::nn::functional;
    torch::Tensor w1 = torch::tensor({{0.15f, 0.20f}, {0.25f, 0.30f}}).requires_grad_();
    torch::Tensor w2 = torch::tensor({{0.40f, 0.45f}, {0.50f, 0.55f}}).requires_grad_();
    const torch::Tensor b1 = torch::tensor({0.35f, 0.35f});
    const torch::Tensor b2 = torch::tensor({0.60f, 0.60f});
    const torch::Tensor x = torch::tensor({{0.05f, 0.10f}});
    const torch::Tensor target = torch::tensor({{0.01f, 0.99f}});
    torch::optim::SGD opt({w1, w2}, torch::optim::SGDOptions(0.5));

    long step_no = 0;
    bool ok = true;
    auto step = [&] {
        opt.zero_grad();
        const auto out_h = torch::sigmoid(F::linear(x, w1, b1));
        const auto out_o = torch::sigmoid(F::linear(out_h, w2, b2));
        const auto e = 0.5 * (target - out_o).square().sum();
        e.backward();
        opt.step();
        if (step_no++ == 0) {
            const double loss = e.item<float>(), w5 = w2[0][0].item<float>();
            if (std::abs(loss - 0.298371109) > 1e-6 || std::abs(w5 - 0.35891648) > 1e-6) {
                std::fprintf(stderr, "seed-net (libtorch): WRONG: first loss %.9f, w5 %.8f\n", loss, w5);
                ok = false;
            }
        }
    };
    step();
    if (!ok) return 1;
    return bench::run({"seed-net", 1, 0, 50000}, args, step);
}
