#pragma once
// A seeded generator of synthetic card transactions with documented fraud
// patterns (see README.md, "The data"). The same options give the same bytes
// on every machine: all randomness comes from tg::Generator, and numbers are
// printed with std::to_chars at fixed precision.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>

namespace fraud {

/// Where a generated row comes from. legit and the five fraud patterns.
enum class Pattern : std::uint8_t {
    legit,
    card_testing,       ///< bursts of tiny card-not-present charges at high velocity
    night_cashout,      ///< a cloned card used at night, far from home, for a large amount
    bust_out,           ///< a new account maxing out on electronics/jewelry/travel online
    impossible_travel,  ///< card present far away while the card was used within the hour
    blend,              ///< fraud that looks exactly like legitimate spending (undetectable)
};
inline constexpr std::size_t n_patterns = 6;
std::string_view pattern_name(Pattern p);

struct GeneratorOptions {
    std::uint64_t rows = 100000;   ///< data lines written after the header (malformed ones included)
    std::uint64_t seed = 1;
    double fraud_rate = 0.01;      ///< expected share of fraudulent rows, in [0, 0.5]
    double malformed_rate = 0.0;   ///< share of lines replaced by a malformed one (for scorer demos and tests)
};

struct GeneratorStats {
    std::uint64_t rows = 0;        ///< data lines written
    std::uint64_t fraud = 0;       ///< rows labelled 1
    std::uint64_t malformed = 0;   ///< malformed lines written
    std::array<std::uint64_t, n_patterns> by_pattern{};
    bool interrupted = false;      ///< stopped early because *stop became true
};

/// The CSV header the generator writes: id, the raw columns, is_fraud, pattern.
std::string_view generated_header();

/// Generate a CSV (header line, then options.rows data lines) and hand it to sink
/// in chunks of about 1 MiB. Throws std::invalid_argument on bad options.
/// When stop is given and becomes true, stops at the next row and sets interrupted.
GeneratorStats generate(const GeneratorOptions& options, const std::function<void(std::string_view)>& sink,
                        const std::atomic<bool>* stop = nullptr);

}  // namespace fraud
