// fraud-infer: the fraud model, inference only with gradients off (NoGradGuard),
// batch 4096, sigmoid scores; reports rows scored per second.
#include <cmath>

#include "fraud_net.hpp"

int main(int argc, char** argv) {
    const bench::Args args = bench::parse_args(argc, argv);
    bench::set_threads(args.threads);
    constexpr long kBatch = 4096;
    bench::FraudNet net;
    net.eval();
    const tg::Tensor x = bench::to_tg(bench::uniform_floats(kBatch * 30, 100), {kBatch, 30});
    double checksum = 0;
    auto step = [&] {
        tg::NoGradGuard no_grad;
        const tg::Tensor score = tg::sigmoid(net(x));
        checksum += score.data<float>()[0];
    };
    const int rc = bench::run({"fraud-infer", kBatch, bench::fraud_forward_flops(kBatch), 2000}, args, step);
    return std::isfinite(checksum) ? rc : 1;
}
