#pragma once
// The body of a scoring request (POST /v1/score): one transaction as a JSON
// object with the CSV schema's fields, or a JSON array of them. Every problem
// becomes an error naming the item, the field and a reason (the CSV reader's
// reject reasons: csv_reader.hpp Reject), never an exception.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema.hpp"

namespace fraud {

/// One valid transaction of a request.
struct Transaction {
    std::string id;
    double raw[n_raw];
};

/// Why an item (or the whole body) cannot be scored.
struct RequestError {
    std::size_t index = 0;   ///< position in the body's array (0 for a single object)
    std::string field;       ///< the field at fault; empty when the item as a whole is
    std::string_view reason; ///< reject_name(...), or malformed_json, not_an_object, empty_batch
    std::string detail;
};

struct ParsedRequest {
    bool batch = false;                     ///< the body was an array
    std::vector<Transaction> items;         ///< the valid items, in body order
    std::vector<std::size_t> item_index;    ///< each valid item's position in the body
    std::vector<RequestError> errors;       ///< the invalid items, in body order
    /// The body as a whole is unusable: not JSON, neither an object nor an array, an empty array.
    std::optional<RequestError> body_error;
};

/// Parse and check a request body. Fields: "id" (a string of 1 to 64 bytes) and
/// each raw column (a number within the column's range); "is_fraud" and "pattern"
/// are allowed and ignored, as score allows them in a CSV. The first problem of
/// an item is its error: missing_fields, extra_fields, non_numeric (a value that
/// is not a JSON number), not_finite (NaN, Infinity, or too large for a double),
/// out_of_range, bad_id.
ParsedRequest parse_score_request(std::string_view body);

/// Append a transaction as the JSON object parse_score_request reads (numbers
/// written so that they read back exactly). For clients: the load generator, tests.
void append_transaction_json(std::string& out, std::string_view id, const double* raw);

/// Append e as a JSON object {"index":..,"field":..,"reason":..,"detail":..}
/// ("index" only when with_index, "field" only when not empty).
void append_error_json(std::string& out, const RequestError& e, bool with_index);

}  // namespace fraud
