#pragma once
// The JSON answers of POST /v1/score, built from a parsed request and its scores.
//
//   one transaction:  200 {"id":..,"score":..,"logit":..,"flagged":..,"top_features":[..],"model_version":..}
//                     400 {"error":{"field":..,"reason":..,"detail":..}}
//   an array:         200 {"model_version":..,"results":[{"index":..,"id":..,...}],"errors":[{"index":..,...}]}
//                     (400 with the same shape when no item could be scored)
//
// A transaction the model gives a NaN or infinite log-odds is an error with the
// reason not_finite_score (500 for a single one): a NaN is never passed off as a score.
#include <string>
#include <string_view>

#include "scoring_service.hpp"
#include "serve_request.hpp"

namespace fraud {

struct Answer {
    int status = 200;
    std::string body;
};

/// 400 for a body that is not a transaction or an array of them.
Answer answer_body_error(const RequestError& e);

/// The answer to a parsed request whose valid items got scores (result.items in
/// the order of request.items; empty when there were none); model_version names
/// the model when none was used.
Answer answer_scores(const ParsedRequest& request, const ScoreResult& result, std::string_view model_version);

}  // namespace fraud
