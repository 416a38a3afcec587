#include "scoring_service.hpp"

#include <cmath>
#include <ctime>

#include <fmt/format.h>

#include "batch_scorer.hpp"
#include "schema.hpp"
#include "json_string.hpp"

namespace fraud {

namespace {

/// "2026-12-03T18:24:34.123Z": when an alert was raised, for the investigators.
std::string utc_now() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

}  // namespace

ScoringService::ScoringService(ServiceOptions options, ServeMetrics& metrics)
    : options_(std::move(options)), metrics_(metrics) {
    model_ = std::make_shared<const FraudModel>(load_model(options_.model_path));
    BatchScorer check(*model_);  // the model's features must be this program's
    if (!options_.alerts_path.empty()) alerts_.emplace(options_.alerts_path);
    worker_ = std::thread([this] { run(); });
}

ScoringService::~ScoringService() { stop(); }

void ScoringService::stop() {
    {
        std::lock_guard lock(queue_mutex_);
        stopping_ = true;
    }
    queue_cv_.notify_all();
    if (worker_.joinable()) worker_.join();
}

std::shared_ptr<const FraudModel> ScoringService::model() const {
    std::lock_guard lock(model_mutex_);
    return model_;
}

std::string ScoringService::reload() {
    std::lock_guard one_at_a_time(reload_mutex_);
    try {
        // load_model checks everything (checksum, features, shapes, finite weights):
        // a corrupt or half-written file throws here and the old model stays
        auto fresh = std::make_shared<const FraudModel>(load_model(options_.model_path));
        BatchScorer check(*fresh);
        std::string version = fresh->checksum;
        {
            std::lock_guard lock(model_mutex_);
            model_ = std::move(fresh);
        }
        metrics_.reload(true);
        return version;
    } catch (...) {
        metrics_.reload(false);
        throw;
    }
}

// ---- arriving requests ------------------------------------------------------

ScoringService::Arrival::Arrival(ScoringService& s) : s_(s) {
    std::lock_guard lock(s_.queue_mutex_);
    ++s_.arriving_;
}

ScoringService::Arrival::~Arrival() {
    if (!pending_) return;
    {
        std::lock_guard lock(s_.queue_mutex_);
        --s_.arriving_;
    }
    s_.queue_cv_.notify_one();  // the scoring thread may be waiting for this one
}

std::future<ScoreResult> ScoringService::Arrival::submit(const std::vector<Transaction>& items) {
    std::future<ScoreResult> f;
    {
        std::lock_guard lock(s_.queue_mutex_);
        if (pending_) --s_.arriving_;
        pending_ = false;
        s_.queue_.push_back({&items, {}, std::chrono::steady_clock::now()});
        f = s_.queue_.back().done.get_future();
    }
    s_.queue_cv_.notify_one();
    return f;
}

// ---- the scoring thread -----------------------------------------------------

void ScoringService::run() {
    std::vector<Request> batch;
    while (true) {
        batch.clear();
        std::size_t rows = 0;
        {
            std::unique_lock lock(queue_mutex_);
            queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and nothing left to score
            const auto take = [&] {
                while (!queue_.empty() && (batch.empty() || rows + queue_.front().items->size() <= options_.max_batch)) {
                    rows += queue_.front().items->size();
                    batch.push_back(std::move(queue_.front()));
                    queue_.pop_front();
                }
            };
            take();
            // More requests are being parsed: wait for them, at most max_wait after the first arrived.
            const auto deadline = batch.front().queued + options_.max_wait;
            while (rows < options_.max_batch && queue_.empty() && arriving_ > 0 && !stopping_ &&
                   queue_cv_.wait_until(lock, deadline) != std::cv_status::timeout)
                take();
            take();
        }
        score(batch);
    }
}

void ScoringService::score(std::vector<Request>& batch) {
    const std::shared_ptr<const FraudModel> model = this->model();  // kept alive for this batch
    if (scorer_model_ != model) {  // the scorer's buffers are reused until a reload
        scorer_ = std::make_unique<BatchScorer>(*model);
        scorer_model_ = model;
    }
    BatchScorer* scorer = scorer_.get();
    const double threshold = options_.threshold.value_or(model->threshold);
    try {
        scorer->clear();
        for (const Request& r : batch)
            for (const Transaction& t : *r.items) scorer->add(t.raw);
        scorer->forward();

        std::vector<ScoreResult> results(batch.size());
        std::vector<std::size_t> flagged;  // rows of the batch
        std::size_t row = 0, not_scored = 0;
        for (std::size_t b = 0; b < batch.size(); ++b) {
            results[b].model = model;
            results[b].items.resize(batch[b].items->size());
            for (ItemScore& s : results[b].items) {
                s.logit = scorer->logit(row);
                s.finite = std::isfinite(s.logit);  // a NaN is reported, never compared as false
                not_scored += !s.finite;
                if (s.finite) {
                    s.score = fraud_probability(double(s.logit));
                    s.flagged = s.score >= threshold;
                    if (s.flagged) flagged.push_back(row);
                }
                ++row;
            }
        }
        if (!flagged.empty()) {
            std::vector<std::vector<Contribution>> why = scorer->explain(flagged, options_.top_features);
            std::string lines;
            std::size_t k = 0, at = 0;
            for (std::size_t b = 0; b < batch.size(); ++b)
                for (std::size_t i = 0; i < batch[b].items->size(); ++i, ++at) {
                    if (k >= flagged.size() || flagged[k] != at) continue;
                    ItemScore& s = results[b].items[i];
                    s.why = std::move(why[k++]);
                    if (!alerts_) continue;
                    const Transaction& t = (*batch[b].items)[i];
                    lines += "{\"id\":";
                    append_json_string(lines, t.id);
                    lines += fmt::format(",\"score\":{:.6f},\"logit\":{:.3f},\"top_features\":", s.score, s.logit);
                    append_top_features(lines, s.why, t.raw);
                    lines += fmt::format(",\"model_version\":\"{}\",\"time\":\"{}\"}}\n", model->checksum, utc_now());
                }
            // one write per batch, before anyone is answered: an answered alert is in the file
            if (alerts_ && !lines.empty() && !alerts_->append(lines)) {
                metrics_.alert_write_failed();
                fmt::print(stderr, "serve: error: could not append {} alerts to {}\n", flagged.size(), alerts_->path());
            }
        }
        metrics_.batch(row, flagged.size(), not_scored);
        for (std::size_t b = 0; b < batch.size(); ++b) batch[b].done.set_value(std::move(results[b]));
    } catch (...) {
        for (Request& r : batch) r.done.set_exception(std::current_exception());
    }
}

}  // namespace fraud
