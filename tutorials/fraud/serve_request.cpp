#include "serve_request.hpp"

#include <cmath>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "csv_reader.hpp"
#include "json_string.hpp"

namespace fraud {

namespace {

using nlohmann::json;

std::string expected_fields() {
    std::string s(id_column);
    for (const Column& c : raw_columns()) s += fmt::format(", {}", c.name);
    return s;
}

const char* type_name(const json& v) {
    switch (v.type()) {
        case json::value_t::null: return "null";
        case json::value_t::boolean: return "a boolean";
        case json::value_t::string: return "a string";
        case json::value_t::array: return "an array";
        case json::value_t::object: return "an object";
        default: return "a number";
    }
}

/// Where the parser was when it gave up: the last key read, and the item of an array.
struct ParsePosition {
    std::string key;
    std::size_t item = 0;  // array items completed
    bool in_array = false;
    std::size_t objects_open = 0;
    std::vector<std::string> item_keys;  // the keys of the transaction being read
    // A field given twice: JSON parsers disagree on which value wins (nlohmann keeps
    // the last), so a transaction that says two things is refused, not guessed at.
    std::vector<std::pair<std::size_t, std::string>> repeated;  // (item, field)
};

/// The body is not JSON. JSON has no NaN or Infinity, but some encoders write
/// them (Python's json.dumps does), and a number like 1e400 overflows a double:
/// those name the field and the reason not_finite instead of a syntax error at a byte offset.
RequestError unreadable_body(std::string_view body, const json::exception& ex, std::size_t at,
                             const ParsePosition& pos) {
    RequestError e{pos.in_array ? pos.item : 0, "", "malformed_json", ex.what()};
    if (pos.key.empty()) return e;
    bool literal = ex.id == 406;  // out_of_range.406: number overflow
    if (ex.id == 101) {  // parse_error: is the token at the last ':' a NaN or Infinity?
        const std::size_t colon = body.substr(0, std::min(at, body.size())).rfind(':');
        std::size_t v = colon == std::string_view::npos ? body.size() : colon + 1;
        while (v < body.size() && (body[v] == ' ' || body[v] == '\t' || body[v] == '\n' || body[v] == '\r')) ++v;
        const std::string_view rest = body.substr(v);
        for (std::string_view t : {"NaN", "-NaN", "Infinity", "-Infinity", "nan", "-nan", "inf", "-inf"})
            literal = literal || rest.substr(0, t.size()) == t;
    }
    if (!literal) return e;
    e.field = pos.key;
    e.reason = reject_name(Reject::not_finite);
    e.detail = fmt::format("{}: not a finite number (NaN, Infinity, or too large for a double){}", pos.key,
                           pos.in_array ? fmt::format(" in item {}; the body is not JSON, no item was scored", pos.item)
                                        : "");
    return e;
}

/// Check one item; on success fill t, otherwise return its error.
std::optional<RequestError> parse_item(const json& item, Transaction& t) {
    RequestError e;
    if (!item.is_object()) {
        e.reason = "not_an_object";
        e.detail = fmt::format("{}, expected an object with the fields {}", type_name(item), expected_fields());
        return e;
    }
    bool seen_id = false;
    bool seen[n_raw] = {};
    Reject reason{};
    for (const auto& [key, value] : item.items()) {
        if (key == id_column) {
            seen_id = true;
            if (!value.is_string()) {
                e.field = key;
                e.reason = reject_name(Reject::bad_id);
                e.detail = fmt::format("id: {}, expected a string of 1 to 64 bytes", type_name(value));
                return e;
            }
            t.id = value.get<std::string>();
            if (!check_id(t.id, reason, e.detail)) {
                e.field = key;
                e.reason = reject_name(reason);
                return e;
            }
            continue;
        }
        if (key == label_column || key == "pattern") continue;  // allowed and ignored, as in a CSV
        std::size_t c = 0;
        while (c < n_raw && raw_columns()[c].name != key) ++c;
        if (c == n_raw) {
            e.field = key;
            e.reason = reject_name(Reject::extra_fields);
            e.detail = fmt::format("unexpected field '{}' (expected {})", key, expected_fields());
            return e;
        }
        seen[c] = true;
        if (!value.is_number()) {
            e.field = key;
            e.reason = reject_name(Reject::non_numeric);
            e.detail = fmt::format("{}: {}, expected a number", key, type_name(value));
            return e;
        }
        t.raw[c] = value.get<double>();
        if (!check_raw_value(c, t.raw[c], reason, e.detail)) {
            e.field = key;
            e.reason = reject_name(reason);
            return e;
        }
    }
    std::vector<std::string_view> missing;
    if (!seen_id) missing.push_back(id_column);
    for (std::size_t c = 0; c < n_raw; ++c)
        if (!seen[c]) missing.push_back(raw_columns()[c].name);
    if (!missing.empty()) {
        e.field = std::string(missing[0]);
        e.reason = reject_name(Reject::missing_fields);
        e.detail = fmt::format("missing {} (expected {})", fmt::join(missing, ", "), expected_fields());
        return e;
    }
    return std::nullopt;
}

}  // namespace

ParsedRequest parse_score_request(std::string_view body) {
    ParsedRequest r;
    json doc;
    ParsePosition pos;
    const json::parser_callback_t track = [&](int depth, json::parse_event_t event, json& parsed) {
        switch (event) {
            case json::parse_event_t::key: {
                pos.key = parsed.get<std::string>();
                if (pos.objects_open != 1) break;  // only a transaction's own fields
                const std::size_t item = pos.in_array ? pos.item : 0;
                for (const std::string& k : pos.item_keys)
                    if (k == pos.key) pos.repeated.emplace_back(item, pos.key);
                pos.item_keys.push_back(pos.key);
                break;
            }
            case json::parse_event_t::object_start:
                if (pos.objects_open++ == 0) pos.item_keys.clear();
                break;
            case json::parse_event_t::object_end:
                --pos.objects_open;
                if (depth == 1 && pos.in_array) ++pos.item;
                break;
            case json::parse_event_t::array_start:
                if (depth == 0) pos.in_array = true;
                break;
            default:
                break;
        }
        return true;
    };
    try {
        doc = json::parse(body, track);
    } catch (const json::parse_error& ex) {
        r.body_error = unreadable_body(body, ex, ex.byte, pos);
        return r;
    } catch (const json::exception& ex) {  // a number too large for a double
        r.body_error = unreadable_body(body, ex, body.size(), pos);
        return r;
    }
    const auto take = [&](const json& item, std::size_t i) {
        Transaction t;
        for (const auto& [at, field] : pos.repeated)
            if (at == i) {
                r.errors.push_back({i, field, reject_name(Reject::extra_fields),
                                    fmt::format("{} given twice (each field once)", field)});
                return;
            }
        if (auto e = parse_item(item, t)) {
            e->index = i;
            r.errors.push_back(std::move(*e));
        } else {
            r.items.push_back(std::move(t));
            r.item_index.push_back(i);
        }
    };
    if (doc.is_array()) {
        r.batch = true;
        if (doc.empty()) {
            r.body_error = RequestError{0, "", "empty_batch", "an empty array, expected at least one transaction"};
            return r;
        }
        r.items.reserve(doc.size());
        for (std::size_t i = 0; i < doc.size(); ++i) take(doc[i], i);
    } else if (doc.is_object()) {
        take(doc, 0);
    } else {
        r.body_error = RequestError{0, "", "not_an_object",
                                    fmt::format("{}, expected a transaction (an object) or an array of them",
                                                type_name(doc))};
    }
    return r;
}

void append_transaction_json(std::string& out, std::string_view id, const double* raw) {
    out += "{\"id\":";
    append_json_string(out, id);
    for (std::size_t c = 0; c < n_raw; ++c) out += fmt::format(",\"{}\":{}", raw_columns()[c].name, raw[c]);
    out.push_back('}');
}

void append_error_json(std::string& out, const RequestError& e, bool with_index) {
    out.push_back('{');
    if (with_index) out += fmt::format("\"index\":{},", e.index);
    if (!e.field.empty()) {
        out += "\"field\":";
        append_json_string(out, e.field);
        out.push_back(',');
    }
    out += "\"reason\":";
    append_json_string(out, e.reason);
    out += ",\"detail\":";
    append_json_string(out, e.detail);
    out.push_back('}');
}

}  // namespace fraud
