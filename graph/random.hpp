#pragma once
// A seeded random generator. The same seed gives the same numbers on every
// machine: uniform and normal variates are computed from the raw 64-bit stream
// here rather than by the standard library's distributions, whose algorithms vary.
#include <cstdint>
#include <random>
#include <string>

namespace tg {

class Generator {
public:
    explicit Generator(std::uint64_t seed = 5489u) : engine_(seed) {}
    void seed(std::uint64_t s) { engine_.seed(s); has_spare_ = false; }
    std::uint64_t next_u64() { return engine_(); }
    /// Uniform on [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
    double uniform(double low, double high) { return low + (high - low) * uniform(); }
    /// Standard normal by the Box-Muller transform.
    double normal();
    /// Uniform integer in [0, n). Throws std::invalid_argument for n = 0.
    std::uint64_t below(std::uint64_t n);
    /// The whole state as text (the engine's words and Box-Muller's spare value),
    /// and back: a generator given a state continues exactly where the saved one
    /// stood. set_state throws std::invalid_argument on text state() did not make.
    std::string state() const;
    void set_state(const std::string& state);

private:
    std::mt19937_64 engine_;
    bool has_spare_ = false;
    double spare_ = 0;
};

// Note [one generator per thread]
// -------------------------------
// The generator used when none is passed (weight initialisation, uniform,
// normal, Dropout's seed) belongs to the calling thread: threads never share
// it, so they draw at the same time without a lock and without a race.
//   - manual_seed(s) seeds the calling thread's generator with s: what that
//     thread draws afterwards is the same on every run, whatever other threads
//     do meanwhile. A single-threaded program behaves exactly as with one
//     global generator.
//   - A thread's generator is made at its first draw, from the last seed given
//     to manual_seed (42 if none) and the number of generators made since that
//     call: the first keeps the seed itself, the others get distinct streams
//     derived from it. So after manual_seed(s) one worker thread's draws are
//     reproducible; when several threads start drawing at once, which one gets
//     which stream depends on timing. For reproducible results there, call
//     manual_seed in each thread (a different seed per thread for different
//     models) or pass each thread its own Generator.
// (PyTorch instead shares one generator under a lock: safe too, but threads
// that draw at once then get an interleaving that changes from run to run.)

/// The calling thread's generator, used when none is passed.
Generator& global_generator();
/// Re-seed the calling thread's generator, and the seed of generators that threads
/// make later: the same seed makes a run reproducible bit for bit.
void manual_seed(std::uint64_t seed);

}  // namespace tg
