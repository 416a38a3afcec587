// Data-parallel mlp and cnn training steps over MPI (weak scaling: every rank
// takes a full batch of the workload, so P ranks train on P batches a step).
// Run under mpirun:
//   mpirun -np 2 build/bench/tg_data_parallel --workload mlp [--no-overlap] [--bucket-kb K] [--local] [--steps N]
// --local: no DDP, every rank trains on its own (the same machine load without
// communication: what the ranks would reach if the all-reduce were free).
// Rank 0 prints one line:
//   workload=dp-mlp ranks=2 overlap=1 us_per_step=.. samples_per_s=.. exposed_comm_us=.. grad_bytes=..
// samples_per_s counts every rank's samples; exposed_comm_us is the time per step
// spent at the end of backward waiting for gradient sums (what overlap did not hide).
#include <chrono>
#include <cstring>
#include <string>

#include <tapegrad/dist/dist.hpp>

#include "models.hpp"

namespace {

struct Setup {
    std::shared_ptr<tg::nn::Module> net;
    long batch;
    tg::Shape input;
    long default_steps;
};

Setup make(const std::string& workload) {
    tg::manual_seed(0);
    if (workload == "mlp") return {std::make_shared<bench::MlpNet>(), 128, {128, 784}, 200};
    if (workload == "cnn") return {std::make_shared<bench::CnnNet>(), 64, {64, 1, 28, 28}, 40};
    std::fprintf(stderr, "data_parallel: --workload must be mlp or cnn, not '%s'\n", workload.c_str());
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    tg::dist::Environment env;
    std::string workload = "mlp";
    bool overlap = true, local = false;
    std::size_t bucket_bytes = tg::dist::DDPOptions{}.bucket_bytes;
    std::vector<char*> rest{argv[0]};
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--workload") && i + 1 < argc) workload = argv[++i];
        else if (!std::strcmp(argv[i], "--no-overlap")) overlap = false;
        else if (!std::strcmp(argv[i], "--local")) local = true;
        else if (!std::strcmp(argv[i], "--bucket-kb") && i + 1 < argc) bucket_bytes = std::strtoul(argv[++i], nullptr, 10) * 1024;
        else rest.push_back(argv[i]);
    }
    const bench::Args args = bench::parse_args(static_cast<int>(rest.size()), rest.data());
    bench::set_threads(args.threads);
    Setup s = make(workload);
    tg::dist::DistributedDataParallel ddp(s.net, {.bucket_bytes = bucket_bytes, .overlap = overlap});
    tg::optim::SGD opt(s.net->parameters(), 0.01);
    const auto rank = static_cast<std::uint64_t>(tg::dist::rank());
    std::vector<tg::Tensor> xs, ys;
    std::size_t input_size = 1;
    for (auto d : s.input) input_size *= d;
    for (long b = 0; b < 4; ++b) {
        xs.push_back(bench::to_tg(bench::uniform_floats(input_size, 100 + b + 10 * rank, 0, 1), s.input));
        ys.push_back(bench::labels_tg(static_cast<std::size_t>(s.batch), 10, 200 + b + 10 * rank));
    }
    auto step = bench::training_step(opt, xs, ys, [&](const tg::Tensor& x, const tg::Tensor& y) {
        return tg::nn::cross_entropy(local ? (*s.net)(x) : ddp(x), y);
    });
    const long steps = args.steps > 0 ? args.steps : s.default_steps;
    const long warmup = args.warmup >= 0 ? args.warmup : std::max(3L, steps / 10);
    for (long i = 0; i < warmup; ++i) step();
    tg::dist::barrier();
    const double exposed0 = ddp.stats().exposed_seconds;
    const auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < steps; ++i) step();
    tg::dist::barrier();
    const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() /
                      static_cast<double>(steps);
    const double exposed_us =
        tg::dist::all_reduce((ddp.stats().exposed_seconds - exposed0) * 1e6 / static_cast<double>(steps),
                             tg::dist::ReduceOp::mean);
    const int world = tg::dist::world_size();
    if (tg::dist::is_chief())
        std::printf("workload=dp-%s ranks=%d local=%d overlap=%d buckets=%zu us_per_step=%.3f samples_per_s=%.1f "
                    "exposed_comm_us=%.3f grad_bytes=%zu\n",
                    workload.c_str(), world, local ? 1 : 0, overlap ? 1 : 0, ddp.bucket_count(), us,
                    static_cast<double>(s.batch * world) * 1e6 / us, exposed_us, ddp.stats().bytes_per_pass);
    return 0;
}
