#pragma once
// The transaction schema shared by the generator, the CSV reader, training and
// scoring: which CSV columns a transaction has, the range each value must lie
// in, and how a row's raw values become the model's input features.
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fraud {

/// One numeric CSV column of a transaction (the id column is text and not listed here).
struct Column {
    std::string_view name;
    double min;          ///< smallest valid value
    double max;          ///< largest valid value
    bool integer;        ///< must hold a whole number (counts, flags, category codes)
    std::string_view doc;
};

/// Name of the transaction id column (text, first in generated files).
inline constexpr std::string_view id_column = "id";
/// Name of the label column (0 legitimate, 1 fraud): required by train and evaluate, optional for score.
inline constexpr std::string_view label_column = "is_fraud";

/// The numeric input columns, in the order the generator writes them.
inline constexpr std::size_t n_raw = 10;
enum Raw : std::size_t {
    amount, hour, merchant_category, distance_km, card_present,
    tx_last_hour, tx_last_day, account_age_days, foreign, avg_amount_30d,
};
const std::array<Column, n_raw>& raw_columns();

/// Merchant category codes (ISO 18245 MCC) the features single out; any other code is "other".
struct Merchant {
    int mcc;
    std::string_view name;
};
const std::vector<Merchant>& merchants();

/// Version tag of the feature encoding below, stored in model files so that a
/// model is never applied to features computed another way.
inline constexpr std::string_view feature_encoding = "fraud-features/1";

/// Names of the model's input features, in order (log_amount, hour, ..., mcc_other).
const std::vector<std::string>& feature_names();
inline std::size_t n_features() { return feature_names().size(); }

/// Raw values -> model features (before standardisation), written to out[0 .. n_features()).
/// Amounts, distances, counts and ages go through log1p (their spread is multiplicative);
/// the merchant category is one-hot encoded. Inputs must be valid (see check_value).
void encode(const double* raw, float* out);

/// For each feature, the raw column it comes from (the attribution of the one-hot
/// merchant features is summed back onto merchant_category).
const std::vector<std::size_t>& feature_source();

/// Is value valid for its column (within range; whole when the column is integer)?
/// Inline: the scorer calls it for every cell.
inline bool value_ok(std::size_t column, double v) {
    const Column& c = raw_columns()[column];
    if (!(v >= c.min && (column == hour ? v < c.max : v <= c.max))) return false;  // hour is half-open
    return !c.integer || v == double(static_cast<long long>(v));
}

/// Why a raw value is invalid for its column, or an empty string when it is valid.
/// Used by the CSV reader's out_of_range rejects.
std::string check_value(std::size_t column, double value);

}  // namespace fraud
