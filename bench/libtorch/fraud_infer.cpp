// fraud-infer with libtorch: the fraud model, inference only under NoGradGuard,
// batch 4096, sigmoid scores; rows scored per second.
#include <cmath>

#include "fraud_net.hpp"

int main(int argc, char** argv) {
    const bench::Args args = bench::parse_args(argc, argv);
    bench::set_torch_threads(args.threads);
    constexpr long kBatch = 4096;
    auto net = std::make_shared<bench::FraudNet>();
    net->eval();
    const auto x = bench::to_torch(bench::uniform_floats(kBatch * 30, 100), {kBatch, 30});
    double checksum = 0;
    auto step = [&] {
        torch::NoGradGuard no_grad;
        const auto score = torch::sigmoid(net->forward(x));
        checksum += score.data_ptr<float>()[0];
    };
    const int rc = bench::run({"fraud-infer", kBatch, bench::fraud_forward_flops(kBatch), 2000}, args, step);
    return std::isfinite(checksum) ? rc : 1;
}
