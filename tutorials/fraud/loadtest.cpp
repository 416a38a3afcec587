// tapegrad-fraud loadtest: a load generator for the scoring service. Clients
// send generated transactions over keep-alive connections, either at a fixed
// total rate (open loop: a request's latency counts from when it was due, so a
// slow server cannot hide its queue) or back to back (closed loop). Bounded in
// requests and in seconds; prints one machine-readable line.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>

#include "commands.hpp"
#include "csv_reader.hpp"
#include "generator.hpp"
#include "serve_request.hpp"

namespace fraud {

namespace {

using Clock = std::chrono::steady_clock;

struct Target {
    std::string host;
    int port = 0;
};

Target parse_url(const std::string& url) {
    const std::string_view prefix = "http://";
    if (url.rfind(prefix, 0) != 0) throw UsageError(fmt::format("--url: '{}' is not http://HOST:PORT", url));
    const std::string rest = url.substr(prefix.size());
    const auto colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0) throw UsageError(fmt::format("--url: '{}' has no :PORT", url));
    Target t{rest.substr(0, colon), 0};
    std::string port = rest.substr(colon + 1);
    if (!port.empty() && port.back() == '/') port.pop_back();
    try {
        t.port = std::stoi(port);
    } catch (const std::exception&) {
        throw UsageError(fmt::format("--url: '{}' has no valid port", url));
    }
    return t;
}

/// Request bodies of `batch` generated transactions each (a single object when batch is 1).
std::vector<std::string> make_bodies(std::size_t batch, std::size_t count, std::uint64_t seed) {
    GeneratorOptions g;
    g.rows = std::max<std::size_t>(batch * count, 1);
    g.seed = seed;
    const int fd = memfd_create("loadtest", 0);
    if (fd < 0) throw std::runtime_error("loadtest: memfd_create failed");
    generate(g, [&](std::string_view s) {
        if (::write(fd, s.data(), s.size()) != ssize_t(s.size())) throw std::runtime_error("loadtest: write failed");
    });
    ::lseek(fd, 0, SEEK_SET);
    std::vector<std::string> bodies(count);
    {
        TransactionReader reader(fd, "generated", false);
        ParsedRow row;
        for (std::size_t b = 0; b < count; ++b) {
            std::string& body = bodies[b];
            if (batch > 1) body.push_back('[');
            for (std::size_t i = 0; i < batch && reader.next(row, nullptr); ++i) {
                if (i) body.push_back(',');
                append_transaction_json(body, row.id, row.raw);
            }
            if (batch > 1) body.push_back(']');
        }
    }
    ::close(fd);
    return bodies;
}

double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    const std::size_t i = std::min(sorted.size() - 1, std::size_t(p * double(sorted.size())));
    return sorted[i];
}

}  // namespace

int cmd_loadtest(const Args& args) {
    const Target target = parse_url(args.str("url", "http://127.0.0.1:8080"));
    const double rate = args.real("rate", 0.0, 0.0, 1e6);
    const std::size_t clients = args.u64("clients", 4, 1, 256);
    const std::size_t batch = args.u64("batch", 1, 1, 100000);
    const std::uint64_t max_requests = args.u64("requests", 100000, 1, 100'000'000);
    const double max_seconds = args.real("seconds", 10.0, 0.1, 3600.0);
    const std::uint64_t warmup = args.u64("warmup", 200, 0, 1'000'000);
    const std::vector<std::string> bodies = make_bodies(batch, 256, args.u64("seed", 5));

    std::atomic<std::uint64_t> next{0}, ok{0}, failed{0};
    std::atomic<int> first_status{0};
    std::vector<std::vector<double>> latencies(clients);
    Clock::time_point start;
    std::barrier ready(std::ptrdiff_t(clients + 1));
    std::barrier go(std::ptrdiff_t(clients + 1));
    std::vector<std::thread> threads;
    for (std::size_t c = 0; c < clients; ++c)
        threads.emplace_back([&, c] {
            httplib::Client http(target.host, target.port);
            http.set_keep_alive(true);
            http.set_tcp_nodelay(true);
            http.set_read_timeout(std::chrono::seconds(10));
            for (std::uint64_t w = c; w < warmup; w += clients) http.Post("/v1/score", bodies[w % bodies.size()], "application/json");
            latencies[c].reserve(std::size_t(std::min<double>(double(max_requests), rate > 0 ? rate * max_seconds : 1e6)));
            ready.arrive_and_wait();
            go.arrive_and_wait();
            const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(max_seconds));
            while (true) {
                const std::uint64_t j = next.fetch_add(1);
                if (j >= max_requests) break;
                auto due = Clock::now();
                if (rate > 0) {  // open loop: request j is due at start + j / rate
                    due = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(double(j) / rate));
                    if (due >= end) break;
                    std::this_thread::sleep_until(due);
                } else if (due >= end) {
                    break;
                }
                const auto res = http.Post("/v1/score", bodies[j % bodies.size()], "application/json");
                const double ms = std::chrono::duration<double, std::milli>(Clock::now() - due).count();
                if (res && res->status == 200) {
                    ++ok;
                    latencies[c].push_back(ms);
                } else {
                    ++failed;
                    int none = 0;
                    first_status.compare_exchange_strong(none, res ? res->status : -1);
                }
            }
        });
    ready.arrive_and_wait();
    start = Clock::now();
    go.arrive_and_wait();
    for (std::thread& t : threads) t.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

    std::vector<double> all;
    for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    const std::uint64_t done = ok + failed;
    fmt::print("loadtest: mode={} target_rps={} clients={} batch={} requests={} ok={} failed={} seconds={:.3f} "
               "rps={:.1f} tx_per_s={:.0f} p50_ms={:.3f} p99_ms={:.3f} p999_ms={:.3f} max_ms={:.3f}\n",
               rate > 0 ? "rate" : "closed", rate, clients, batch, done, ok.load(), failed.load(), seconds,
               double(done) / seconds, double(ok.load() * batch) / seconds, percentile(all, 0.50), percentile(all, 0.99),
               percentile(all, 0.999), all.empty() ? 0.0 : all.back());
    if (failed) {
        fmt::print(stderr, "loadtest: {} requests failed (first: {})\n", failed.load(),
                   first_status.load() < 0 ? std::string("no answer") : fmt::format("HTTP {}", first_status.load()));
        return 1;
    }
    return 0;
}

}  // namespace fraud
