#include "number.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace tg::nn {

namespace {

/// For a well-formed decimal that from_chars found out of range: is its magnitude
/// below 1 (an underflow), rather than above DBL_MAX? The decimal exponent of its
/// first non-zero digit decides; the explicit exponent saturates, so "1e-99999999999"
/// needs no big integers.
bool magnitude_below_one(std::string_view s) {
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    bool found = false, after_point = false;
    std::int64_t integer_digits = 0, zeros_after_point = 0;
    for (; i < s.size() && s[i] != 'e' && s[i] != 'E'; ++i) {
        if (s[i] == '.') {
            after_point = true;
        } else if (!found) {
            if (s[i] != '0') found = true;
            else if (after_point) ++zeros_after_point;
            if (found && !after_point) ++integer_digits;
        } else if (!after_point) {
            ++integer_digits;
        }
    }
    // exponent of the first non-zero digit, before the explicit one
    const std::int64_t lead = integer_digits > 0 ? integer_digits - 1 : -(zeros_after_point + 1);
    std::int64_t exponent = 0;
    if (i < s.size()) {  // 'e' or 'E'
        ++i;
        bool negative = false;
        if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
        for (; i < s.size(); ++i) exponent = std::min<std::int64_t>(exponent * 10 + (s[i] - '0'), 1'000'000'000);
        if (negative) exponent = -exponent;
    }
    return lead + exponent < 0;
}

}  // namespace

DecimalStatus parse_decimal(std::string_view text, double& out) {
    std::string_view s = text;
    if (!s.empty() && s.front() == '+') {
        s.remove_prefix(1);
        if (!s.empty() && (s.front() == '-' || s.front() == '+')) return DecimalStatus::not_a_number;
    }
    if (s.empty()) return DecimalStatus::not_a_number;
    double v = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ptr != s.data() + s.size()) return DecimalStatus::not_a_number;
    if (ec == std::errc::result_out_of_range) {
        if (!magnitude_below_one(s)) return DecimalStatus::overflow;
        out = s.front() == '-' ? -0.0 : 0.0;  // underflow, as strtod
        return DecimalStatus::ok;
    }
    if (ec != std::errc()) return DecimalStatus::not_a_number;
    out = v;
    return DecimalStatus::ok;
}

}  // namespace tg::nn
