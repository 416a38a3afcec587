#pragma once
// The core of the scoring service, without HTTP: requests' transactions go into
// a queue; one scoring thread takes up to max_batch of them, scores them in one
// forward pass (BatchScorer, buffers reused), explains only the flagged ones
// through the autodiff engine, appends their alerts to the alerts file in one
// write, and wakes each waiting request. The model is a shared_ptr swapped
// under a mutex on reload: a batch keeps the model it started with alive.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "alert_log.hpp"
#include "attribution.hpp"
#include "model_file.hpp"
#include "serve_metrics.hpp"
#include "serve_request.hpp"

namespace fraud {

class BatchScorer;

struct ServiceOptions {
    std::string model_path;
    std::optional<double> threshold;      ///< alert threshold; default: the model's
    std::size_t top_features = 3;
    std::size_t max_batch = 1024;         ///< transactions per forward pass (a larger request is scored whole)
    std::chrono::microseconds max_wait{200};  ///< longest wait for more requests after the first
    std::string alerts_path;              ///< empty: no alerts file
};

/// One transaction's outcome.
struct ItemScore {
    float logit = 0;
    double score = 0;       ///< fraud probability
    bool flagged = false;
    bool finite = true;     ///< false: the model's log-odds were NaN or infinite, no score
    std::vector<Contribution> why;  ///< top features, for flagged rows only
};

/// The answer to one submitted request, in the order of its transactions.
struct ScoreResult {
    std::shared_ptr<const FraudModel> model;  ///< the model that scored them (version: model->checksum)
    std::vector<ItemScore> items;
};

class ScoringService {
public:
    /// Loads the model (throws, naming the file and the reason, when it is refused),
    /// opens the alerts file and starts the scoring thread.
    ScoringService(ServiceOptions options, ServeMetrics& metrics);
    ~ScoringService();  ///< stop()

    /// Marks a request as arriving (HTTP thread, before parsing): while requests are
    /// arriving, the scoring thread waits up to max_wait for them to join its batch;
    /// when none is, a lone request is scored at once.
    class Arrival {
    public:
        explicit Arrival(ScoringService& s);
        ~Arrival();
        Arrival(const Arrival&) = delete;
        Arrival& operator=(const Arrival&) = delete;
        /// Queue the items (which must stay alive until the future is ready).
        std::future<ScoreResult> submit(const std::vector<Transaction>& items);

    private:
        ScoringService& s_;
        bool pending_ = true;
    };

    /// Read the model file again. On success the next batch uses it and its version
    /// is returned; otherwise throws with the reason, and the old model keeps serving.
    std::string reload();
    std::shared_ptr<const FraudModel> model() const;

    /// Score what is queued, flush the alerts file, end the scoring thread. Idempotent.
    void stop();

private:
    struct Request {
        const std::vector<Transaction>* items;
        std::promise<ScoreResult> done;
        std::chrono::steady_clock::time_point queued;
    };
    void run();
    void score(std::vector<Request>& batch);

    ServiceOptions options_;
    ServeMetrics& metrics_;
    std::optional<AlertLog> alerts_;

    mutable std::mutex model_mutex_;
    std::shared_ptr<const FraudModel> model_;
    std::mutex reload_mutex_;  // one reload at a time

    std::mutex queue_mutex_;
    std::condition_variable queue_cv_;
    std::deque<Request> queue_;
    // the scoring thread's own: the scorer (reused buffers) and the model it was made for
    std::unique_ptr<BatchScorer> scorer_;
    std::shared_ptr<const FraudModel> scorer_model_;
    std::size_t arriving_ = 0;  // requests being parsed, under queue_mutex_
    bool stopping_ = false;
    std::thread worker_;
};

}  // namespace fraud
