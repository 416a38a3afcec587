// The subcommands: thin wrappers that turn parsed flags into calls of the
// demo's library (generator, train, evaluate, score, report).
#include "commands.hpp"

#include <chrono>
#include <cstdio>

#include <fmt/format.h>

#include "atomic_file.hpp"
#include "generator.hpp"

namespace fraud {

int cmd_generate(const Args& args) {
    GeneratorOptions o;
    o.rows = args.u64("rows", 100000, 0, 4'000'000'000ull);
    o.seed = args.u64("seed", 1);
    o.fraud_rate = args.real("fraud-rate", 0.01, 0.0, 0.5);
    o.malformed_rate = args.real("malformed", 0.0, 0.0, 1.0);
    const std::string out = args.required("out");
    const auto t0 = std::chrono::steady_clock::now();
    AtomicFile file(out);
    const GeneratorStats s = generate(o, [&](std::string_view chunk) { file.write(chunk); }, &interrupt_flag());
    if (s.interrupted) {
        file.abandon();
        fmt::print(stderr, "generate: interrupted after {} of {} rows; {} left unchanged\n", s.rows, o.rows, out);
        return exit_interrupted;
    }
    file.commit();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fmt::print(stderr, "generate: wrote {} rows ({} fraud, {:.2f}%; {} malformed) to {} in {:.2f} s\n", s.rows,
               s.fraud, s.rows ? 100.0 * double(s.fraud) / double(s.rows) : 0.0, s.malformed, out, secs);
    return 0;
}

int cmd_train(const Args&) { throw std::runtime_error("train: not implemented yet"); }
int cmd_evaluate(const Args&) { throw std::runtime_error("evaluate: not implemented yet"); }
int cmd_score(const Args&) { throw std::runtime_error("score: not implemented yet"); }
int cmd_demo(const Args&) { throw std::runtime_error("demo: not implemented yet"); }

}  // namespace fraud
