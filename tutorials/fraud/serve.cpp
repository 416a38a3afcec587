// tapegrad-fraud serve: the scoring service over HTTP (cpp-httplib). The HTTP
// threads parse and check requests and wait for their scores; the scoring
// thread (scoring_service.cpp) batches them; a signal thread reloads the model
// on SIGHUP and shuts down on SIGTERM or SIGINT.
#include <csignal>
#include <cstdio>
#include <limits>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>

#include "commands.hpp"
#include "scoring_service.hpp"
#include "serve_metrics.hpp"
#include "serve_request.hpp"
#include "serve_response.hpp"
#include "signal_pipe.hpp"
#include "json_string.hpp"

namespace fraud {

namespace {

constexpr const char* json_type = "application/json";

std::string error_json(std::string_view reason, std::string_view detail) {
    std::string s = "{\"error\":{\"reason\":";
    append_json_string(s, reason);
    s += ",\"detail\":";
    append_json_string(s, detail);
    s += "}}";
    return s;
}

/// Reload the model, saying on standard error what happened; returns the answer for POST /v1/reload.
Answer reload_and_log(ScoringService& service, std::string_view why) {
    const std::string old = service.model()->checksum;
    try {
        const std::string version = service.reload();
        fmt::print(stderr, "serve: reloaded the model ({}): version {} (was {})\n", why, version, old);
        return {200, fmt::format("{{\"reloaded\":true,\"model_version\":\"{}\"}}", version)};
    } catch (const std::exception& e) {
        fmt::print(stderr, "serve: reload refused ({}): {}; still serving version {}\n", why, e.what(), old);
        std::string body = "{\"reloaded\":false,\"reason\":";
        append_json_string(body, e.what());
        body += fmt::format(",\"model_version\":\"{}\"}}", old);
        return {422, body};
    }
}

}  // namespace

int cmd_serve(const Args& args) {
    ServiceOptions so;
    so.model_path = args.required("model");
    so.threshold = args.real_opt("threshold", 0.0, 1.0);
    so.top_features = args.u64("top-features", 3, 0, n_raw);
    so.max_batch = args.u64("max-batch", 1024, 1, 1u << 16);
    so.max_wait = std::chrono::microseconds(args.u64("max-wait-us", 200, 0, 1'000'000));
    so.alerts_path = args.str("alerts");
    const std::string host = args.str("host", "127.0.0.1");
    const int port = int(args.u64("port", 8080, 0, 65535));
    const std::size_t threads = args.u64("threads", 32, 1, 1024);
    const std::size_t max_body = args.u64("max-body-bytes", 1u << 20, 256, 1u << 30);
    const std::uint64_t timeout_ms = args.u64("timeout-ms", 5000, 10, 3'600'000);

    SignalPipe signals({SIGHUP, SIGTERM, SIGINT});
    ServeMetrics metrics;
    ScoringService service(so, metrics);  // a model that is refused fails here, exit code 1

    httplib::Server http;
    http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    http.set_payload_max_length(max_body);  // longer bodies: 413
    const auto timeout = std::chrono::milliseconds(timeout_ms);
    http.set_read_timeout(timeout);  // slow senders are cut off
    http.set_write_timeout(timeout);
    http.set_keep_alive_timeout(std::max<time_t>(1, time_t(timeout_ms / 1000)));  // idle connections too
    http.set_tcp_nodelay(true);
    // httplib closes a keep-alive connection after 5 requests by default: clients would
    // reconnect all the time, and a burst of reconnections overflows its listen backlog
    // of 5 (a SYN retried after 1 s). A connection lives until idle or shut down instead.
    http.set_keep_alive_max_count(std::numeric_limits<std::size_t>::max() / 2);

    http.Post("/v1/score", [&](const httplib::Request& req, httplib::Response& res) {
        const auto t0 = std::chrono::steady_clock::now();
        ScoringService::Arrival arrival(service);
        const ParsedRequest parsed = parse_score_request(req.body);
        Answer a;
        if (parsed.body_error) {
            metrics.rejected(parsed.body_error->reason);
            a = answer_body_error(*parsed.body_error);
        } else {
            for (const RequestError& e : parsed.errors) metrics.rejected(e.reason);
            ScoreResult result;
            if (!parsed.items.empty()) result = arrival.submit(parsed.items).get();
            a = answer_scores(parsed, result, service.model()->checksum);
        }
        res.status = a.status;
        res.set_content(std::move(a.body), json_type);
        metrics.score_latency(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    });
    http.Post("/v1/reload", [&](const httplib::Request&, httplib::Response& res) {
        Answer a = reload_and_log(service, "POST /v1/reload");
        res.status = a.status;
        res.set_content(std::move(a.body), json_type);
    });
    http.Get("/healthz", [&](const httplib::Request&, httplib::Response& res) {
        const auto m = service.model();
        std::string body = fmt::format("{{\"status\":\"ok\",\"model_version\":\"{}\",\"model\":", m->checksum);
        append_json_string(body, m->describe());
        body += fmt::format(",\"threshold\":{}}}", so.threshold.value_or(m->threshold));
        res.set_content(std::move(body), json_type);
    });
    http.Get("/metrics", [&](const httplib::Request&, httplib::Response& res) {
        res.set_content(metrics.prometheus(service.model()->checksum), "text/plain; version=0.0.4");
    });
    for (const char* path : {"/v1/score", "/v1/reload"})
        http.Get(path, [](const httplib::Request& req, httplib::Response& res) {
            res.status = 405;
            res.set_header("Allow", "POST");
            res.set_content(error_json("method_not_allowed", fmt::format("{} takes POST", req.path)), json_type);
        });
    http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return;  // a handler's own answer
        if (res.status == 404)
            res.set_content(error_json("not_found", fmt::format("no endpoint {} {} (endpoints: POST /v1/score, POST "
                                                                "/v1/reload, GET /healthz, GET /metrics)",
                                                                req.method, req.path)),
                            json_type);
        else if (res.status == 413)
            res.set_content(error_json("body_too_large", "the request body is longer than --max-body-bytes"), json_type);
        else
            res.set_content(error_json("bad_request", fmt::format("HTTP status {}", res.status)), json_type);
    });
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown error";
        try {
            std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            what = e.what();
        } catch (...) {
        }
        res.status = 500;
        res.set_content(error_json("internal_error", what), json_type);
    });
    http.set_logger([&](const httplib::Request&, const httplib::Response& res) { metrics.request(res.status); });

    int bound = port;
    if (port == 0) bound = http.bind_to_any_port(host);
    else if (!http.bind_to_port(host, port)) bound = -1;
    if (bound <= 0)
        throw std::runtime_error(fmt::format("cannot listen on {}:{} (in use, or not an address of this machine)", host, port));
    const auto m = service.model();
    // stdout, flushed: scripts and tests read the port from this line (--port 0 picks a free one)
    fmt::print("serve: listening on http://{}:{} (model {}, version {}, threshold {}{})\n", host, bound, so.model_path,
               m->checksum, so.threshold.value_or(m->threshold),
               so.alerts_path.empty() ? "" : ", alerts to " + so.alerts_path);
    std::fflush(stdout);

    std::thread signal_thread([&] {
        while (const int sig = signals.wait()) {
            if (sig == SIGHUP) {
                reload_and_log(service, "SIGHUP");
                continue;
            }
            fmt::print(stderr, "serve: {}: finishing the requests in flight\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
            http.stop();
            return;
        }
    });
    const bool listened = http.listen_after_bind();  // returns once stopped and every request is answered
    signals.wake();
    signal_thread.join();
    service.stop();  // scores anything still queued and flushes the alerts
    fmt::print(stderr, "serve: stopped: {} transactions scored, {} flagged\n", metrics.scored(), metrics.flagged());
    return listened ? 0 : 1;
}

}  // namespace fraud
