#pragma once
// A seeded random generator. The same seed gives the same numbers on every
// machine: uniform and normal variates are computed from the raw 64-bit stream
// here rather than by the standard library's distributions, whose algorithms vary.
#include <cstdint>
#include <random>

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
    /// Uniform integer in [0, n).
    std::uint64_t below(std::uint64_t n);

private:
    std::mt19937_64 engine_;
    bool has_spare_ = false;
    double spare_ = 0;
};

/// The generator used when none is passed.
Generator& global_generator();
/// Re-seed the global generator: the same seed makes a run reproducible bit for bit.
void manual_seed(std::uint64_t seed);

}  // namespace tg
