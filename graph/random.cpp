#include "random.hpp"

#include <bit>
#include <cmath>
#include <sstream>
#include <mutex>
#include <stdexcept>

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
    if (n == 0) throw std::invalid_argument("Generator::below: n must be positive (there is no integer in [0, 0))");
    // Rejection sampling: no modulo bias.
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t x = engine_();
    while (x >= limit) x = engine_();
    return x % n;
}

std::string Generator::state() const {
    std::ostringstream os;
    os << engine_ << ' ' << (has_spare_ ? 1 : 0) << ' ' << std::bit_cast<std::uint64_t>(spare_);
    return os.str();
}

void Generator::set_state(const std::string& state) {
    std::istringstream is(state);
    std::mt19937_64 engine;
    int has_spare = 0;
    std::uint64_t spare_bits = 0;
    if (!(is >> engine >> has_spare >> spare_bits) || (has_spare != 0 && has_spare != 1) || !(is >> std::ws).eof())
        throw std::invalid_argument("Generator::set_state: not a state that Generator::state() wrote");
    engine_ = engine;
    has_spare_ = has_spare == 1;
    spare_ = std::bit_cast<double>(spare_bits);
}

namespace {

// See Note [one generator per thread] in random.hpp.
std::mutex seed_mutex;
std::uint64_t last_seed = 42;       // guarded by seed_mutex
std::uint64_t generators_made = 0;  // since the last manual_seed; guarded by seed_mutex

/// splitmix64's finaliser: nearby inputs give unrelated seeds.
std::uint64_t mix(std::uint64_t x) {
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::uint64_t seed_for_new_generator() {
    const std::lock_guard lock(seed_mutex);
    const std::uint64_t n = generators_made++;
    return n == 0 ? last_seed : mix(last_seed + n * 0x9e3779b97f4a7c15ULL);
}

}  // namespace

Generator& global_generator() {
    thread_local Generator gen(seed_for_new_generator());
    return gen;
}

void manual_seed(std::uint64_t seed) {
    Generator& mine = global_generator();  // made first, so it does not count below
    {
        const std::lock_guard lock(seed_mutex);
        last_seed = seed;
        generators_made = 1;  // this thread's generator holds the seed itself
    }
    mine.seed(seed);
}

}  // namespace tg
