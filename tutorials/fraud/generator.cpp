// The synthetic transaction generator. Each pattern is a small function that
// fills one Row; README.md describes the same patterns in prose.
#include "generator.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <tapegrad/graph/random.hpp>

#include "schema.hpp"

namespace fraud {

std::string_view pattern_name(Pattern p) {
    switch (p) {
        case Pattern::legit: return "legit";
        case Pattern::card_testing: return "card_testing";
        case Pattern::night_cashout: return "night_cashout";
        case Pattern::bust_out: return "bust_out";
        case Pattern::impossible_travel: return "impossible_travel";
        case Pattern::blend: return "blend";
    }
    return "unknown";
}

std::string_view generated_header() {
    static const std::string header = [] {
        std::string h(id_column);
        for (const Column& c : raw_columns()) h += fmt::format(",{}", c.name);
        h += fmt::format(",{},pattern", label_column);
        return h;
    }();
    return header;
}

namespace {

constexpr int mcc_grocery = 5411, mcc_restaurant = 5812, mcc_fuel = 5541, mcc_electronics = 5732, mcc_travel = 4722,
              mcc_jewelry = 5944, mcc_atm = 6011, mcc_digital = 5816;
// Codes the features lump together as "other": department stores, pharmacies, transit, misc. retail.
constexpr int mcc_dept = 5311, mcc_pharmacy = 5912, mcc_transit = 4111, mcc_misc = 5999;

struct Rng {
    tg::Generator g;
    explicit Rng(std::uint64_t seed) : g(seed) {}
    double u() { return g.uniform(); }
    double u(double lo, double hi) { return g.uniform(lo, hi); }
    bool coin(double p) { return g.uniform() < p; }
    double normal(double mean, double sd) { return mean + sd * g.normal(); }
    /// exp(N(log median, sigma)): a positive value with multiplicative spread.
    double lognormal(double median, double sigma) { return median * std::exp(sigma * g.normal()); }
    int integer(int lo, int hi) { return lo + int(g.below(std::uint64_t(hi - lo + 1))); }  // inclusive
    /// Poisson variate by inversion (small means only).
    int poisson(double mean) {
        const double l = std::exp(-mean);
        int k = 0;
        double p = g.uniform();
        double term = l, cdf = l;
        while (p > cdf && k < 1000) {
            ++k;
            term *= mean / k;
            cdf += term;
        }
        return k;
    }
    template <std::size_t N>
    int pick(const std::array<int, N>& values, const std::array<double, N>& weights) {
        double total = 0;
        for (double w : weights) total += w;
        double x = g.uniform() * total;
        for (std::size_t i = 0; i < N; ++i) {
            if (x < weights[i]) return values[i];
            x -= weights[i];
        }
        return values[N - 1];
    }
};

struct Row {
    double v[n_raw] = {};
    Pattern pattern = Pattern::legit;
};

double wrap_hour(double h) {
    h = std::fmod(h, 24.0);
    if (h < 0) h += 24.0;
    return std::min(h, 23.99);  // printed with 2 decimals: never round up to 24.00
}

/// The cardholder side every row shares: typical spend and account age.
void cardholder(Rng& r, Row& row) {
    row.v[avg_amount_30d] = std::clamp(r.lognormal(45.0, 0.6), 3.0, 5000.0);
    row.v[account_age_days] = r.coin(0.05) ? r.integer(1, 60) : std::clamp(std::round(r.lognormal(900, 0.8)), 61.0, 20000.0);
    row.v[tx_last_hour] = r.poisson(0.3);
    row.v[tx_last_day] = row.v[tx_last_hour] + r.poisson(3.0);
    row.v[distance_km] = r.lognormal(6.0, 1.0);
    row.v[foreign] = 0;
    row.v[card_present] = 1;
    row.v[hour] = wrap_hour(r.normal(14.0, 3.5));
}

/// Legitimate spending, from several kinds of customer. Some of them look like
/// one fraud signal in isolation (far from home, at night, tiny amounts, high
/// velocity, a new account, a big ticket) but never like a whole fraud pattern.
void legit(Rng& r, Row& row) {
    cardholder(r, row);
    const double avg = row.v[avg_amount_30d];
    const double kind = r.u();
    int mcc = r.pick(std::array{mcc_grocery, mcc_restaurant, mcc_fuel, mcc_electronics, mcc_travel, mcc_jewelry,
                                mcc_atm, mcc_digital, mcc_dept, mcc_pharmacy, mcc_misc},
                     std::array{25.0, 18.0, 12.0, 4.0, 2.0, 1.0, 6.0, 8.0, 10.0, 7.0, 7.0});
    double factor = 1.0;
    switch (mcc) {
        case mcc_restaurant: factor = 0.7; break;
        case mcc_electronics: factor = 4.0; break;
        case mcc_travel: factor = 6.0; break;
        case mcc_jewelry: factor = 5.0; break;
        case mcc_digital: factor = 0.25; break;
        default: break;
    }
    double charge = avg * factor * r.lognormal(1.0, 0.5);
    if (mcc == mcc_atm) charge = 20.0 * std::max(1.0, std::round(charge / 20.0));
    const bool online = mcc == mcc_digital || (mcc == mcc_travel && r.coin(0.7)) ||
                        (mcc == mcc_electronics && r.coin(0.5)) || (mcc == mcc_misc && r.coin(0.4));
    row.v[card_present] = online ? 0 : 1;
    if (online && r.coin(0.03)) row.v[foreign] = 1;  // a foreign web shop

    if (kind < 0.04) {
        // traveller: far from home (often abroad), daytime, card present, calm velocity
        row.v[distance_km] = std::exp(r.u(std::log(200.0), std::log(9000.0)));
        row.v[foreign] = r.coin(0.5) ? 1 : 0;
        row.v[card_present] = r.coin(0.9) ? 1 : 0;
        row.v[tx_last_hour] = r.coin(0.8) ? 0 : 1;
        if (r.coin(0.3)) mcc = mcc_travel, charge = avg * r.lognormal(4.0, 0.6);
    } else if (kind < 0.09) {
        // night owl: late, near home, small amounts
        row.v[hour] = wrap_hour(r.u(21.0, 29.0));
        mcc = r.pick(std::array{mcc_restaurant, mcc_fuel, mcc_digital, mcc_atm}, std::array{4.0, 3.0, 3.0, 1.0});
        charge = mcc == mcc_atm ? 20.0 * r.integer(1, 5) : avg * r.lognormal(0.6, 0.5);
        row.v[card_present] = mcc == mcc_digital ? 0 : 1;
        row.v[distance_km] = r.lognormal(4.0, 0.8);
    } else if (kind < 0.12) {
        // commuter: many small card-present taps (transit, coffee) in an hour
        mcc = r.coin(0.6) ? mcc_transit : mcc_restaurant;
        charge = r.u(1.0, 6.0);
        row.v[card_present] = 1;
        row.v[tx_last_hour] = r.integer(2, 7);
        row.v[tx_last_day] = row.v[tx_last_hour] + r.poisson(5.0);
    } else if (kind < 0.16) {
        // subscriber: tiny recurring online charges (apps, streaming), low velocity
        mcc = mcc_digital;
        charge = r.u(0.99, 4.99);
        row.v[card_present] = 0;
    } else if (kind < 0.19) {
        // big-ticket buyer: an established customer buying electronics or jewelry in a shop
        mcc = r.coin(0.6) ? mcc_electronics : mcc_jewelry;
        charge = avg * r.lognormal(8.0, 0.5);
        row.v[card_present] = 1;
        row.v[hour] = wrap_hour(r.normal(15.0, 2.5));
    }
    row.v[merchant_category] = mcc;
    row.v[amount] = std::max(0.5, charge);
}

/// Card testing: a stolen card number tried with tiny online charges in a burst.
/// Each row of a burst has a higher tx_last_hour than the one before.
void card_testing(Rng& r, Row& row, int step) {
    cardholder(r, row);
    row.v[merchant_category] = r.coin(0.6) ? mcc_digital : mcc_misc;
    row.v[amount] = r.u(0.5, 4.99);
    row.v[card_present] = 0;
    row.v[tx_last_hour] = 2 + step + r.integer(0, 3);
    row.v[tx_last_day] = row.v[tx_last_hour] + r.poisson(2.0);
    row.v[hour] = r.u(0.0, 23.99);
    if (r.coin(0.5)) row.v[distance_km] = r.lognormal(800.0, 1.0);
    row.v[foreign] = r.coin(0.3) ? 1 : 0;
}

/// Night cash-out: a cloned card at a terminal far from home, at night, for many times the usual spend.
void night_cashout(Rng& r, Row& row) {
    cardholder(r, row);
    row.v[hour] = wrap_hour(r.u(23.0, 29.0));
    row.v[merchant_category] = r.pick(std::array{mcc_atm, mcc_jewelry, mcc_electronics}, std::array{2.0, 1.0, 1.0});
    double a = row.v[avg_amount_30d] * r.lognormal(8.0, 0.5);
    if (row.v[merchant_category] == mcc_atm) a = 20.0 * std::max(1.0, std::round(a / 20.0));
    row.v[amount] = a;
    row.v[card_present] = 1;
    row.v[distance_km] = std::exp(r.u(std::log(300.0), std::log(3000.0)));
    row.v[foreign] = r.coin(0.4) ? 1 : 0;
    row.v[tx_last_hour] = r.integer(0, 2);
}

/// Bust-out: a recently opened account buys high-value goods online, far above its usual spend.
void bust_out(Rng& r, Row& row) {
    cardholder(r, row);
    row.v[account_age_days] = r.integer(1, 45);
    row.v[merchant_category] = r.pick(std::array{mcc_electronics, mcc_jewelry, mcc_travel}, std::array{3.0, 1.0, 1.0});
    row.v[amount] = row.v[avg_amount_30d] * r.lognormal(6.0, 0.5);
    row.v[card_present] = 0;
    row.v[foreign] = r.coin(0.2) ? 1 : 0;
    row.v[tx_last_hour] = r.integer(0, 3);
}

/// Impossible travel: the card is at a terminal far away although it was used
/// (near home) within the last hour.
void impossible_travel(Rng& r, Row& row) {
    cardholder(r, row);
    row.v[distance_km] = std::exp(r.u(std::log(800.0), std::log(9000.0)));
    row.v[tx_last_hour] = r.integer(1, 4);
    row.v[tx_last_day] = row.v[tx_last_hour] + r.poisson(3.0);
    row.v[card_present] = 1;
    row.v[foreign] = r.coin(0.6) ? 1 : 0;
    row.v[merchant_category] = r.pick(std::array{mcc_electronics, mcc_restaurant, mcc_dept, mcc_fuel},
                                      std::array{2.0, 1.0, 2.0, 1.0});
    row.v[amount] = row.v[avg_amount_30d] * r.lognormal(2.0, 0.6);
}

class Writer {
public:
    explicit Writer(const std::function<void(std::string_view)>& sink) : sink_(sink) { buf_.reserve(chunk_ + 4096); }
    void text(std::string_view s) { buf_.append(s); }
    void ch(char c) { buf_.push_back(c); }
    void fixed(double v, int decimals) {
        char tmp[64];
        auto res = std::to_chars(tmp, tmp + sizeof tmp, v, std::chars_format::fixed, decimals);
        buf_.append(tmp, res.ptr);
    }
    void uint(std::uint64_t v, int width = 0) {
        char tmp[32];
        auto res = std::to_chars(tmp, tmp + sizeof tmp, v);
        for (int pad = width - int(res.ptr - tmp); pad > 0; --pad) buf_.push_back('0');
        buf_.append(tmp, res.ptr);
    }
    void end_line() {
        buf_.push_back('\n');
        if (buf_.size() >= chunk_) flush();
    }
    void flush() {
        if (!buf_.empty()) sink_(buf_);
        buf_.clear();
    }

private:
    static constexpr std::size_t chunk_ = 1 << 20;
    const std::function<void(std::string_view)>& sink_;
    std::string buf_;
};

void write_row(Writer& w, std::uint64_t index, const Row& row) {
    w.text("tx");
    w.uint(index, 10);
    static constexpr int decimals[n_raw] = {2, 2, 0, 1, 0, 0, 0, 0, 0, 2};
    for (std::size_t c = 0; c < n_raw; ++c) {
        w.ch(',');
        if (decimals[c] == 0) w.uint(std::uint64_t(row.v[c]));
        else w.fixed(row.v[c], decimals[c]);
    }
    w.text(row.pattern == Pattern::legit ? ",0," : ",1,");
    w.text(pattern_name(row.pattern));
    w.end_line();
}

/// One malformed line of a kind chosen at random (the scorer's reject reasons).
void write_malformed(Writer& w, Rng& r, std::uint64_t index, const Row& row) {
    // render a valid line first, then damage it
    std::string line;
    {
        std::function<void(std::string_view)> to_line = [&](std::string_view s) { line.append(s); };
        Writer lw(to_line);
        write_row(lw, index, row);
        lw.flush();
    }
    line.pop_back();  // newline
    const auto field_start = [&](int k) {
        std::size_t p = 0;
        for (int i = 0; i < k; ++i) p = line.find(',', p) + 1;
        return p;
    };
    const auto replace_field = [&](int k, std::string_view with) {
        const std::size_t b = field_start(k);
        const std::size_t e = line.find(',', b);
        line = line.substr(0, b) + std::string(with) + line.substr(e);  // (replace() trips GCC 12's -Wrestrict)
    };
    switch (r.integer(0, 8)) {
        case 0: line.clear(); break;                                           // blank line
        case 1: line.erase(line.rfind(',', line.rfind(',') - 1)); break;       // missing fields
        case 2: line += ",extra"; break;                                       // extra field
        case 3: replace_field(1 + r.integer(0, int(n_raw) - 1), "n/a"); break;  // non-numeric
        case 4: replace_field(1 + int(amount), "NaN"); break;                   // not finite
        case 5: replace_field(1 + int(distance_km), "inf"); break;              // not finite
        case 6: line = "\"" + line; break;                                    // unterminated quote
        case 7: replace_field(1 + int(card_present), "2"); break;               // out of range
        default: line = std::string(generated_header()); break;                // a header repeated mid-stream
    }
    w.text(line);
    w.end_line();
}

}  // namespace

GeneratorStats generate(const GeneratorOptions& o, const std::function<void(std::string_view)>& sink,
                        const std::atomic<bool>* stop) {
    if (!(o.fraud_rate >= 0 && o.fraud_rate <= 0.5))
        throw std::invalid_argument(fmt::format("generate: fraud rate {} outside [0, 0.5]", o.fraud_rate));
    if (!(o.malformed_rate >= 0 && o.malformed_rate <= 1))
        throw std::invalid_argument(fmt::format("generate: malformed rate {} outside [0, 1]", o.malformed_rate));
    // Fraud comes in events; a card-testing event is a burst of 3..8 rows (mean 5.5).
    // Choose the event probability p so that the expected share of fraud rows is fraud_rate:
    // rows per fraud event m = 0.15*5.5 + 0.85 = 1.675, share = p*m / (p*m + 1 - p).
    // Event shares: card testing 15%, night cash-out 30%, bust-out 25%, impossible travel 20%, blend 10%.
    constexpr double share_testing = 0.15, share_night = 0.30, share_bust = 0.25, share_travel = 0.20;
    const double m = share_testing * 5.5 + (1 - share_testing);
    const double p_event = o.fraud_rate / (m - (m - 1) * o.fraud_rate);

    Rng r(o.seed);
    Writer w(sink);
    GeneratorStats s;
    w.text(generated_header());
    w.end_line();
    Row row;
    while (s.rows < o.rows) {
        if (stop && stop->load(std::memory_order_relaxed)) {
            s.interrupted = true;
            break;
        }
        if (o.malformed_rate > 0 && r.coin(o.malformed_rate)) {
            row = Row{};
            legit(r, row);
            write_malformed(w, r, s.rows + 1, row);
            ++s.malformed;
            ++s.rows;
            continue;
        }
        int burst = 1;
        Pattern p = Pattern::legit;
        if (r.coin(p_event)) {
            const double k = r.u();
            p = k < share_testing                                          ? Pattern::card_testing
                : k < share_testing + share_night                          ? Pattern::night_cashout
                : k < share_testing + share_night + share_bust             ? Pattern::bust_out
                : k < share_testing + share_night + share_bust + share_travel ? Pattern::impossible_travel
                                                                           : Pattern::blend;
            if (p == Pattern::card_testing) burst = r.integer(3, 8);
        }
        for (int step = 0; step < burst && s.rows < o.rows; ++step) {
            row = Row{};
            switch (p) {
                case Pattern::legit:
                case Pattern::blend: legit(r, row); break;
                case Pattern::card_testing: card_testing(r, row, step); break;
                case Pattern::night_cashout: night_cashout(r, row); break;
                case Pattern::bust_out: bust_out(r, row); break;
                case Pattern::impossible_travel: impossible_travel(r, row); break;
            }
            row.pattern = p;
            row.v[tx_last_day] = std::max(row.v[tx_last_day], row.v[tx_last_hour]);
            row.v[distance_km] = std::min(row.v[distance_km], 19900.0);  // half the Earth's circumference
            ++s.rows;
            ++s.by_pattern[std::size_t(p)];
            if (p != Pattern::legit) ++s.fraud;
            write_row(w, s.rows, row);
        }
    }
    w.flush();
    return s;
}

}  // namespace fraud
