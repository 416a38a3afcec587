#pragma once
// The streaming scorer: transactions in (file or stdin), alerts out as JSON
// lines, malformed lines to a rejects file. Rows are read, encoded and
// standardised into a fixed-size batch, scored together in one forward pass
// without recording (NoGradGuard), and only the flagged rows go through the
// autodiff engine again for their attribution. Memory is fixed by the batch
// size and the reader's buffer, whatever the length of the stream.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "csv_reader.hpp"
#include "generator.hpp"
#include "json_string.hpp"
#include "model_file.hpp"

namespace fraud {

struct ScoreOptions {
    double threshold = 0.5;         ///< alert when the fraud probability >= threshold
    std::size_t top_features = 3;   ///< features listed per alert
    std::size_t batch_size = 4096;
    /// Alerts kept for the report: the highest-scoring alert for each leading
    /// feature (so the report shows different kinds of fraud), at most this many.
    std::size_t keep_top_alerts = 5;
};

/// One alert as the report shows it (the JSON line is in `json`).
struct AlertSummary {
    double score = 0;
    double logit = 0;      ///< log-odds of fraud (ranks alerts whose score rounds to 1)
    std::uint64_t line = 0;
    std::string id;
    std::string pattern;   ///< the generator's pattern, when the stream has that column
    std::string json;
};

struct ScoreStats {
    std::uint64_t read = 0, scored = 0, flagged = 0, rejected = 0;
    /// Rows not scored because the model's log-odds were not finite (NaN or
    /// infinite: a model whose weights overflow); neither scored nor flagged.
    std::uint64_t non_finite = 0;
    std::uint64_t first_non_finite_line = 0;  ///< input line of the first of them (0: none)
    std::array<std::uint64_t, n_reject_kinds> rejects_by_reason{};
    std::uint64_t last_line = 0;       ///< input line number reached
    bool interrupted = false;
    double seconds = 0;
    double rows_per_second() const { return seconds > 0 ? double(read) / seconds : 0; }
    // When the stream is labelled (is_fraud column): how the alerts fared.
    bool labelled = false;
    std::uint64_t fraud = 0, flagged_fraud = 0;
    std::vector<AlertSummary> top_alerts;  ///< highest logits first (see ScoreOptions::keep_top_alerts)
};

/// Score every row of reader with model. Each flagged row becomes one JSON line
/// handed to alerts; each rejected line goes to rejects. Stops early (interrupted)
/// when *stop becomes true, after finishing the current batch.
/// Invariant: read == scored + non_finite + rejected.
ScoreStats score_stream(const FraudModel& model, TransactionReader& reader,
                        const std::function<void(std::string_view)>& alerts, RejectWriter& rejects,
                        const ScoreOptions& options, const std::atomic<bool>* stop = nullptr);

}  // namespace fraud
