#include "schema.hpp"

#include <cmath>

#include <fmt/format.h>

namespace fraud {

const std::array<Column, n_raw>& raw_columns() {
    static const std::array<Column, n_raw> columns{{
        {"amount", 0.0, 1e7, false, "charge in dollars"},
        {"hour", 0.0, 24.0, false, "local time of day in hours, 0 <= hour < 24"},
        {"merchant_category", 0.0, 9999.0, true, "ISO 18245 merchant category code"},
        {"distance_km", 0.0, 20040.0, false, "distance from the cardholder's home"},
        {"card_present", 0.0, 1.0, true, "1 chip/swipe at a terminal, 0 online or phone"},
        {"tx_last_hour", 0.0, 1e4, true, "transactions on this card in the previous hour"},
        {"tx_last_day", 0.0, 1e5, true, "transactions on this card in the previous 24 hours"},
        {"account_age_days", 0.0, 36500.0, true, "days since the account was opened"},
        {"foreign", 0.0, 1.0, true, "1 when the merchant is in another country"},
        {"avg_amount_30d", 0.0, 1e7, false, "cardholder's mean charge over the last 30 days"},
    }};
    return columns;
}

const std::vector<Merchant>& merchants() {
    static const std::vector<Merchant> m{
        {5411, "grocery"}, {5812, "restaurant"}, {5541, "fuel"},    {5732, "electronics"},
        {4722, "travel"},  {5944, "jewelry"},    {6011, "atm_cash"}, {5816, "digital_goods"},
    };
    return m;
}

const std::vector<std::string>& feature_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n{"log_amount",      "hour",    "log_distance",  "card_present",
                                   "log_tx_last_hour", "log_tx_last_day", "log_account_age", "foreign",
                                   "log_avg_amount_30d"};
        for (const Merchant& m : merchants()) n.push_back(fmt::format("mcc_{}", m.name));
        n.push_back("mcc_other");
        return n;
    }();
    return names;
}

const std::vector<std::size_t>& feature_source() {
    static const std::vector<std::size_t> source = [] {
        std::vector<std::size_t> s{amount,      hour,        distance_km,      card_present, tx_last_hour,
                                   tx_last_day, account_age_days, foreign,     avg_amount_30d};
        for (std::size_t i = 0; i <= merchants().size(); ++i) s.push_back(merchant_category);
        return s;
    }();
    return source;
}

void encode(const double* raw, float* out) {
    // float log1p: the features are float32 anyway, and it is the hot path of scoring
    out[0] = std::log1p(float(raw[amount]));
    out[1] = float(raw[hour]);
    out[2] = std::log1p(float(raw[distance_km]));
    out[3] = float(raw[card_present]);
    out[4] = std::log1p(float(raw[tx_last_hour]));
    out[5] = std::log1p(float(raw[tx_last_day]));
    out[6] = std::log1p(float(raw[account_age_days]));
    out[7] = float(raw[foreign]);
    out[8] = std::log1p(float(raw[avg_amount_30d]));
    const auto& m = merchants();
    const int mcc = int(raw[merchant_category]);
    std::size_t hit = m.size();  // "other"
    for (std::size_t i = 0; i < m.size(); ++i) {
        out[9 + i] = 0.0f;
        if (m[i].mcc == mcc) hit = i;
    }
    out[9 + m.size()] = 0.0f;
    out[9 + hit] = 1.0f;
}

std::string check_value(std::size_t column, double v) {
    const Column& c = raw_columns()[column];
    // hour is half-open: 24.0 is the next day's 0.0
    const bool above = column == hour ? v >= c.max : v > c.max;
    if (v < c.min || above)
        return fmt::format("{}={} outside [{}, {}{}", c.name, v, c.min, c.max, column == hour ? ")" : "]");
    if (c.integer && v != std::floor(v)) return fmt::format("{}={} is not a whole number", c.name, v);
    return {};
}

}  // namespace fraud
