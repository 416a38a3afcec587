#include "serve_response.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "batch_scorer.hpp"
#include "json_string.hpp"

namespace fraud {

namespace {

RequestError not_finite_score(std::size_t index) {
    return {index, "", "not_finite_score", "the model's log-odds are NaN or infinite for this transaction: no score"};
}

/// "id":..,"score":..,"logit":..,"flagged":..,"top_features":[..]
void append_score_fields(std::string& out, const Transaction& t, const ItemScore& s) {
    out += "\"id\":";
    append_json_string(out, t.id);
    out += fmt::format(",\"score\":{:.6f},\"logit\":{:.3f},\"flagged\":{},\"top_features\":", s.score, s.logit,
                       s.flagged);
    append_top_features(out, s.why, t.raw);
}

}  // namespace

Answer answer_body_error(const RequestError& e) {
    Answer a{400, "{\"error\":"};
    append_error_json(a.body, e, false);
    a.body += "}";
    return a;
}

Answer answer_scores(const ParsedRequest& request, const ScoreResult& result, std::string_view model_version) {
    if (result.model) model_version = result.model->checksum;
    if (!request.batch) {
        if (!request.errors.empty()) return answer_body_error(request.errors[0]);
        const ItemScore& s = result.items.at(0);
        if (!s.finite) {
            Answer a = answer_body_error(not_finite_score(0));
            a.status = 500;
            return a;
        }
        Answer a{200, "{"};
        append_score_fields(a.body, request.items[0], s);
        a.body += fmt::format(",\"model_version\":\"{}\"}}", model_version);
        return a;
    }
    std::vector<RequestError> errors = request.errors;
    Answer a{200, fmt::format("{{\"model_version\":\"{}\",\"results\":[", model_version)};
    bool first = true;
    for (std::size_t k = 0; k < request.items.size(); ++k) {
        const ItemScore& s = result.items.at(k);
        if (!s.finite) {
            errors.push_back(not_finite_score(request.item_index[k]));
            continue;
        }
        a.body += fmt::format("{}{{\"index\":{},", first ? "" : ",", request.item_index[k]);
        append_score_fields(a.body, request.items[k], s);
        a.body += "}";
        first = false;
    }
    std::sort(errors.begin(), errors.end(), [](const RequestError& x, const RequestError& y) { return x.index < y.index; });
    a.body += "],\"errors\":[";
    for (std::size_t e = 0; e < errors.size(); ++e) {
        if (e) a.body += ",";
        append_error_json(a.body, errors[e], true);
    }
    a.body += "]}";
    if (first) a.status = 400;  // nothing could be scored
    return a;
}

}  // namespace fraud
