#include "score.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>
#include <tapegrad/tapegrad.hpp>

#include "attribution.hpp"
#include "batch_scorer.hpp"
#include "dataset.hpp"
#include "schema.hpp"

namespace fraud {

namespace {

/// What the scorer does not keep of a batch's rows, in buffers reused from batch to batch.
struct BatchBuffers {
    std::size_t n = 0;
    std::vector<double> raw;          // n x n_raw values as read
    std::string ids;                  // ids back to back
    std::vector<std::uint32_t> id_end;
    std::vector<std::uint64_t> line;
    std::vector<std::int8_t> label;
    std::vector<std::uint8_t> pattern;

    void reserve(std::size_t b) {
        raw.reserve(b * n_raw);
        ids.reserve(b * 16);
        id_end.reserve(b);
        line.reserve(b);
        label.reserve(b);
        pattern.reserve(b);
    }
    void clear() {
        n = 0;
        raw.clear();
        ids.clear();
        id_end.clear();
        line.clear();
        label.clear();
        pattern.clear();
    }
    std::string_view id(std::size_t i) const {
        const std::size_t b = i ? id_end[i - 1] : 0;
        return std::string_view(ids).substr(b, id_end[i] - b);
    }
};

}  // namespace

ScoreStats score_stream(const FraudModel& model, TransactionReader& reader,
                        const std::function<void(std::string_view)>& alerts, RejectWriter& rejects,
                        const ScoreOptions& o, const std::atomic<bool>* stop) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::size_t b = std::max<std::size_t>(1, o.batch_size);
    BatchScorer scorer(model);  // checks the model's features
    ScoreStats st;
    st.labelled = reader.header().label >= 0;
    const bool has_pattern = reader.header().pattern >= 0;
    reader.set_stop(stop);

    BatchBuffers batch;
    batch.reserve(b);
    scorer.reserve(b);
    std::string out;  // alert lines waiting to be written
    out.reserve(1 << 17);
    std::vector<std::size_t> flagged;
    std::vector<AlertSummary> best_by_lead(n_raw);  // the best alert per leading feature
    const RejectSink on_reject = [&](std::uint64_t line, Reject r, std::string_view detail, std::string_view raw) {
        rejects.write(line, r, detail, raw);
    };

    ParsedRow row;
    bool more = true;
    while (more) {
        batch.clear();
        scorer.clear();
        while (batch.n < b && (more = reader.next(row, on_reject))) {
            scorer.add(row.raw);
            batch.raw.insert(batch.raw.end(), row.raw, row.raw + n_raw);
            batch.ids.append(row.id);
            batch.id_end.push_back(std::uint32_t(batch.ids.size()));
            batch.line.push_back(reader.line_number());
            batch.label.push_back(std::int8_t(row.label));
            batch.pattern.push_back(has_pattern ? std::uint8_t(pattern_from_name(row.pattern)) : 0);
            ++batch.n;
        }
        if (batch.n > 0) {
            const std::size_t n = batch.n;
            scorer.forward();
            flagged.clear();
            std::vector<double> probs, logits;  // of flagged rows only
            std::size_t not_scored = 0;
            for (std::size_t i = 0; i < n; ++i) {
                st.fraud += batch.label[i] == 1;
                const float z = scorer.logit(i);
                if (!std::isfinite(z)) {  // the model overflowed: no score, rather than a NaN compared as false
                    ++not_scored;
                    if (st.non_finite == 0 && not_scored == 1) st.first_non_finite_line = batch.line[i];
                    continue;
                }
                const double p = fraud_probability(double(z));
                const bool flag = p >= o.threshold;
                if (flag) {
                    flagged.push_back(i);
                    probs.push_back(p);
                    logits.push_back(double(z));
                }
                if (batch.label[i] == 1) st.flagged_fraud += flag;
            }
            st.non_finite += not_scored;
            st.scored += n - not_scored;
            st.flagged += flagged.size();
            if (!flagged.empty()) {
                const auto why = scorer.explain(flagged, o.top_features);
                for (std::size_t k = 0; k < flagged.size(); ++k) {
                    const std::size_t i = flagged[k];
                    const std::size_t start = out.size();
                    out += "{\"id\":";
                    append_json_string(out, batch.id(i));
                    out += fmt::format(",\"line\":{},\"score\":{:.6f},\"logit\":{:.3f},\"top_features\":", batch.line[i],
                                       probs[k], logits[k]);
                    append_top_features(out, why[k], batch.raw.data() + i * n_raw);
                    out += "}\n";
                    AlertSummary& best = best_by_lead[why[k].empty() ? 0 : why[k][0].column];
                    if (o.keep_top_alerts && (best.json.empty() || logits[k] > best.logit))
                        best = {probs[k], logits[k], batch.line[i], std::string(batch.id(i)),
                                has_pattern ? std::string(pattern_name(Pattern(batch.pattern[i]))) : std::string(),
                                out.substr(start, out.size() - start - 1)};
                }
                if (out.size() >= (1 << 16)) {
                    alerts(out);
                    out.clear();
                }
            }
        }
        if (stop && stop->load()) {
            st.interrupted = true;
            break;
        }
    }
    if (!out.empty()) alerts(out);
    rejects.flush();
    for (AlertSummary& a : best_by_lead)
        if (!a.json.empty()) st.top_alerts.push_back(std::move(a));
    std::sort(st.top_alerts.begin(), st.top_alerts.end(),
              [](const AlertSummary& a, const AlertSummary& b) { return a.logit > b.logit; });
    if (st.top_alerts.size() > o.keep_top_alerts) st.top_alerts.resize(o.keep_top_alerts);
    st.read = reader.rows_read();
    st.rejected = reader.rows_rejected();
    st.rejects_by_reason = reader.rejects_by_reason();
    st.last_line = reader.line_number();
    st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return st;
}

}  // namespace fraud
