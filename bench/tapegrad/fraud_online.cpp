// fraud-online: the fraud model scoring one transaction per call, gradients
// off (NoGradGuard), sigmoid score read back: the latency an authorisation
// system sees. Cycles through 1024 different rows; reports p50/p99 per call.
#include <cmath>

#include "fraud_net.hpp"

int main(int argc, char** argv) {
    const bench::Args args = bench::parse_args(argc, argv);
    bench::set_threads(args.threads);
    constexpr long kRows = 1024;
    bench::FraudNet net;
    net.eval();
    const std::vector<float> data = bench::uniform_floats(kRows * 30, 100);
    std::vector<tg::Tensor> rows;
    for (long r = 0; r < kRows; ++r)
        rows.push_back(bench::to_tg(std::vector<float>(data.begin() + r * 30, data.begin() + (r + 1) * 30), {1, 30}));
    double checksum = 0;
    long i = 0;
    auto call = [&] {
        tg::NoGradGuard no_grad;
        const tg::Tensor score = tg::sigmoid(net(rows[static_cast<std::size_t>(i++ % kRows)]));
        checksum += score.data<float>()[0];
    };
    const int rc = bench::run_latency({"fraud-online", 1, bench::fraud_forward_flops(1), 20000}, args, call);
    return std::isfinite(checksum) ? rc : 1;
}
