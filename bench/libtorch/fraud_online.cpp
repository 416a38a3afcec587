// fraud-online with libtorch: the fraud model scoring one transaction per call
// under NoGradGuard, sigmoid score read back; 1024 different rows in turn;
// p50/p99 latency per call.
#include <cmath>

#include "fraud_net.hpp"

int main(int argc, char** argv) {
    const bench::Args args = bench::parse_args(argc, argv);
    bench::set_torch_threads(args.threads);
    constexpr long kRows = 1024;
    auto net = std::make_shared<bench::FraudNet>();
    net->eval();
    const std::vector<float> data = bench::uniform_floats(kRows * 30, 100);
    std::vector<torch::Tensor> rows;
    for (long r = 0; r < kRows; ++r)
        rows.push_back(bench::to_torch(std::vector<float>(data.begin() + r * 30, data.begin() + (r + 1) * 30), {1, 30}));
    double checksum = 0;
    long i = 0;
    auto call = [&] {
        torch::NoGradGuard no_grad;
        const auto score = torch::sigmoid(net->forward(rows[static_cast<std::size_t>(i++ % kRows)]));
        checksum += score.data_ptr<float>()[0];
    };
    const int rc = bench::run_latency({"fraud-online", 1, bench::fraud_forward_flops(1), 20000}, args, call);
    return std::isfinite(checksum) ? rc : 1;
}
