#include "random.hpp"

#include <cmath>

namespace tg {

double Generator::normal() {
    if (has_spare_) {
        has_spare_ = false;
        return spare_;
    }
    double u1 = uniform();
    while (u1 <= 0.0) u1 = uniform();
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * 3.14159265358979323846 * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
}

std::uint64_t Generator::below(std::uint64_t n) {
    // Rejection sampling: no modulo bias.
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t x = engine_();
    while (x >= limit) x = engine_();
    return x % n;
}

Generator& global_generator() {
    static Generator gen(42);
    return gen;
}

void manual_seed(std::uint64_t seed) { global_generator().seed(seed); }

}  // namespace tg
