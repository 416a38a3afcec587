// A small data-parallel training job that misbehaves on purpose, for
// tests/dist/faults.sh:
//   fault_drill throw DIR   rank 1 throws mid-epoch while rank 0 waits in an all-reduce
//   fault_drill kill DIR    rank 1 dies by SIGKILL mid-epoch
//   fault_drill resume DIR  load DIR/last.safetensors (model + optimiser) and finish
// Rank 0 writes a checkpoint after every step (atomically).
#include <csignal>
#include <cstdio>
#include <string>

#include <fmt/format.h>
#include <tapegrad/dist/dist.hpp>
#include <tapegrad/tapegrad.hpp>

using namespace tg;

int main(int argc, char** argv) {
    dist::Environment env;
    if (argc != 3) {
        std::fprintf(stderr, "usage: fault_drill throw|kill|resume DIR\n");
        return 2;
    }
    const std::string mode = argv[1], dir = argv[2];
    const std::string checkpoint = dir + "/last.safetensors";
    manual_seed(1);
    auto net = nn::mlp({4, 16, 1}, {"tanh"});
    dist::DistributedDataParallel ddp(net);
    optim::SGD opt(net->parameters(), {.lr = 0.1, .momentum = 0.9});
    int first_step = 0;
    if (mode == "resume") {
        const nn::LoadResult r = nn::load(*net, checkpoint, {.optimizer = &opt});
        first_step = std::stoi(r.metadata.at("step")) + 1;
    }
    const Tensor x = rand({8, 4}), y = rand({8, 1});
    for (int step = first_step; step < 40; ++step) {
        if (dist::rank() == 1 && step == 20) {
            if (mode == "throw") throw dist::DistError("malformed row at data.csv:17 (strict mode)");
            if (mode == "kill") std::raise(SIGKILL);
        }
        opt.zero_grad();
        nn::mse_loss(ddp(x), y).backward();
        opt.step();
        if (dist::is_chief()) nn::save(*net, checkpoint, {.optimizer = &opt, .metadata = {{"step", std::to_string(step)}}});
    }
    if (dist::is_chief()) fmt::print("finished at step 40 from step {}\n", first_step);
    return 0;
}
