#pragma once
// The scoring service's counters, exposed at GET /metrics in Prometheus text
// format. Counters are atomics (the HTTP threads and the scoring thread update
// them without a lock); the few keyed by a name take a mutex, off the hot path.
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace fraud {

class ServeMetrics {
public:
    /// Upper bounds of the latency histogram's buckets, in seconds (+Inf is implied).
    static constexpr std::array<double, 12> latency_buckets{0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005,
                                                            0.01,   0.025,   0.05,   0.1,   0.25,  1.0};

    /// One HTTP answer, by status code.
    void request(int status);
    /// Time from receiving a scoring request to its answer.
    void score_latency(double seconds);
    void batch(std::uint64_t transactions, std::uint64_t flagged, std::uint64_t not_scored);
    void rejected(std::string_view reason);
    void reload(bool ok);
    void alert_write_failed() { alert_write_errors_.fetch_add(1, std::memory_order_relaxed); }

    std::uint64_t scored() const { return scored_.load(); }
    std::uint64_t flagged() const { return flagged_.load(); }

    /// Everything in Prometheus text format (version 0.0.4); model_version labels fraud_model_info.
    std::string prometheus(std::string_view model_version) const;

private:
    mutable std::mutex keyed_;
    std::map<int, std::uint64_t> by_status_;
    std::map<std::string, std::uint64_t, std::less<>> rejected_;
    std::array<std::atomic<std::uint64_t>, latency_buckets.size() + 1> latency_{};  // last: +Inf
    std::atomic<std::uint64_t> latency_sum_ns_{0}, latency_count_{0};
    std::atomic<std::uint64_t> scored_{0}, flagged_{0}, not_scored_{0}, batches_{0};
    std::atomic<std::uint64_t> reloads_ok_{0}, reloads_refused_{0}, alert_write_errors_{0};
};

}  // namespace fraud
