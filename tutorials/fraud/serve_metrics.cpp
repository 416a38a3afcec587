#include "serve_metrics.hpp"

#include <fmt/format.h>

namespace fraud {

void ServeMetrics::request(int status) {
    std::lock_guard lock(keyed_);
    ++by_status_[status];
}

void ServeMetrics::score_latency(double seconds) {
    std::size_t b = 0;
    while (b < latency_buckets.size() && seconds > latency_buckets[b]) ++b;
    latency_[b].fetch_add(1, std::memory_order_relaxed);
    latency_sum_ns_.fetch_add(std::uint64_t(seconds * 1e9), std::memory_order_relaxed);
    latency_count_.fetch_add(1, std::memory_order_relaxed);
}

void ServeMetrics::batch(std::uint64_t transactions, std::uint64_t flagged, std::uint64_t not_scored) {
    scored_.fetch_add(transactions - not_scored, std::memory_order_relaxed);
    flagged_.fetch_add(flagged, std::memory_order_relaxed);
    not_scored_.fetch_add(not_scored, std::memory_order_relaxed);
    batches_.fetch_add(1, std::memory_order_relaxed);
}

void ServeMetrics::rejected(std::string_view reason) {
    std::lock_guard lock(keyed_);
    const auto it = rejected_.find(reason);
    if (it != rejected_.end()) ++it->second;
    else rejected_.emplace(std::string(reason), 1);
}

void ServeMetrics::reload(bool ok) { (ok ? reloads_ok_ : reloads_refused_).fetch_add(1, std::memory_order_relaxed); }

std::string ServeMetrics::prometheus(std::string_view model_version) const {
    std::string s;
    const auto counter = [&](std::string_view name, std::string_view help) {
        s += fmt::format("# HELP {} {}\n# TYPE {} counter\n", name, help, name);
    };
    {
        std::lock_guard lock(keyed_);
        counter("fraud_http_requests_total", "HTTP requests answered, by status code.");
        for (const auto& [code, n] : by_status_) s += fmt::format("fraud_http_requests_total{{code=\"{}\"}} {}\n", code, n);
        counter("fraud_transactions_rejected_total", "Transactions (or bodies) refused, by reason.");
        for (const auto& [reason, n] : rejected_)
            s += fmt::format("fraud_transactions_rejected_total{{reason=\"{}\"}} {}\n", reason, n);
    }
    s += "# HELP fraud_score_request_duration_seconds Time from a scoring request's arrival to its answer.\n"
         "# TYPE fraud_score_request_duration_seconds histogram\n";
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < latency_.size(); ++b) {
        cumulative += latency_[b].load(std::memory_order_relaxed);
        const std::string le = b < latency_buckets.size() ? fmt::format("{}", latency_buckets[b]) : "+Inf";
        s += fmt::format("fraud_score_request_duration_seconds_bucket{{le=\"{}\"}} {}\n", le, cumulative);
    }
    s += fmt::format("fraud_score_request_duration_seconds_sum {:.9f}\n", double(latency_sum_ns_.load()) * 1e-9);
    s += fmt::format("fraud_score_request_duration_seconds_count {}\n", latency_count_.load());
    counter("fraud_transactions_scored_total", "Transactions scored.");
    s += fmt::format("fraud_transactions_scored_total {}\n", scored_.load());
    counter("fraud_transactions_flagged_total", "Transactions flagged as fraud (alerts).");
    s += fmt::format("fraud_transactions_flagged_total {}\n", flagged_.load());
    counter("fraud_transactions_not_scored_total", "Transactions whose log-odds were not finite (a broken model).");
    s += fmt::format("fraud_transactions_not_scored_total {}\n", not_scored_.load());
    counter("fraud_batches_total", "Forward passes (micro-batches) run.");
    s += fmt::format("fraud_batches_total {}\n", batches_.load());
    counter("fraud_model_reloads_total", "Model reloads, by result (refused: the old model kept serving).");
    s += fmt::format("fraud_model_reloads_total{{result=\"ok\"}} {}\n", reloads_ok_.load());
    s += fmt::format("fraud_model_reloads_total{{result=\"refused\"}} {}\n", reloads_refused_.load());
    counter("fraud_alert_write_errors_total", "Batches of alert lines the alerts file could not take.");
    s += fmt::format("fraud_alert_write_errors_total {}\n", alert_write_errors_.load());
    s += "# HELP fraud_model_info The model being served; version is its file's CRC-32.\n"
         "# TYPE fraud_model_info gauge\n";
    s += fmt::format("fraud_model_info{{version=\"{}\"}} 1\n", model_version);
    return s;
}

}  // namespace fraud
