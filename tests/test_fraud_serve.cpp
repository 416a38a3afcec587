// The fraud demo's scoring service: the request parser on every bad input, and
// tapegrad-fraud serve started as a child process on a free port and spoken to
// with a real HTTP client (cpp-httplib): scores, batches with bad items,
// 400/404/405/413, timeouts, reload (good and corrupt files), SIGTERM with
// requests in flight, the alerts file, and the README's curl examples.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <tapegrad/graph/error.hpp>
#include <tapegrad/nn/nn.hpp>

#include "../tutorials/fraud/alert_log.hpp"
#include "../tutorials/fraud/batch_scorer.hpp"
#include "../tutorials/fraud/model_file.hpp"
#include "../tutorials/fraud/serve_request.hpp"

using namespace fraud;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The model the README's examples are run with (a logistic regression trained by
// `tapegrad-fraud train --arch logistic` on 20,000 generated rows).
const char* example_model = "tutorials/fraud/examples/logistic.safetensors";

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// A transaction as JSON, with one field replaced (or removed when value is empty).
std::string tx(const std::string& id, const std::string& field = "", const std::string& value = "") {
    json j = {{"id", id},          {"amount", 2.5},          {"hour", 3.1},
              {"merchant_category", 5816}, {"distance_km", 9612.3}, {"card_present", 0},
              {"tx_last_hour", 11}, {"tx_last_day", 14},     {"account_age_days", 3},
              {"foreign", 1},       {"avg_amount_30d", 48.36}};
    std::string s = j.dump();
    if (field.empty()) return s;
    j.erase(field);
    s = j.dump();
    if (value.empty()) return s;
    s.pop_back();
    return s + fmt::format(",\"{}\":{}}}", field, value);
}

/// tapegrad-fraud serve as a child process on a free port (--port 0; the port is
/// read from its first line). Killed at scope exit if still running.
class Server {
public:
    explicit Server(std::vector<std::string> flags, const std::string& model = example_model) {
        err_path_ = fs::temp_directory_path() / fmt::format("tapegrad_serve_{}_{}.err", ::getpid(), counter()++);
        int out[2];
        REQUIRE(::pipe(out) == 0);
        std::vector<std::string> args{TAPEGRAD_FRAUD_EXE, "serve", "--model", model, "--port", "0"};
        args.insert(args.end(), flags.begin(), flags.end());
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::dup2(out[1], 1);
            const int err = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            ::dup2(err, 2);
            ::close(out[0]);
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(out[1]);
        out_ = out[0];
        const std::string line = read_line(10000);
        const auto at = line.find("127.0.0.1:");
        if (at == std::string::npos) {
            kill_now();
            FAIL("serve did not start: '" << line << "' " << slurp(err_path_));
        }
        port = std::stoi(line.substr(at + 10));
    }
    ~Server() {
        kill_now();
        ::close(out_);
        fs::remove(err_path_);
    }
    httplib::Client client() const {
        httplib::Client c("127.0.0.1", port);
        c.set_read_timeout(std::chrono::seconds(10));
        return c;
    }
    /// Send sig and wait (at most 10 s) for the exit; the exit code, or -1.
    int stop(int sig = SIGTERM) {
        ::kill(pid_, sig);
        for (int i = 0; i < 1000; ++i) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        kill_now();
        return -1;
    }
    void signal(int sig) const { ::kill(pid_, sig); }
    std::string log() const { return slurp(err_path_); }
    int port = 0;

private:
    static int& counter() {
        static int n = 0;
        return n;
    }
    std::string read_line(int timeout_ms) {
        std::string line;
        char c = 0;
        pollfd p{out_, POLLIN, 0};
        while (::poll(&p, 1, timeout_ms) == 1 && ::read(out_, &c, 1) == 1 && c != '\n') line.push_back(c);
        return line;
    }
    void kill_now() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    pid_t pid_ = -1;
    int out_ = -1;
    fs::path err_path_;
};

/// A JSON array of the given items.
std::string array(std::initializer_list<std::string> items) {
    std::string s = "[";
    for (const std::string& i : items) s += (s.size() > 1 ? "," : "") + i;
    return s + "]";
}

json post(httplib::Client& c, const std::string& path, const std::string& body, int expect_status) {
    const auto res = c.Post(path, body, "application/json");
    REQUIRE(res);
    INFO(res->body);
    CHECK(res->status == expect_status);
    return json::parse(res->body);
}

/// A scratch directory removed at scope exit.
struct TempDir {
    fs::path path;
    explicit TempDir(const std::string& name) {
        path = fs::temp_directory_path() / fmt::format("tapegrad_serve_{}_{}", ::getpid(), name);
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
};

}  // namespace

// ---- the request parser -----------------------------------------------------

TEST_CASE("serve: every bad transaction gets the CSV reader's reason and names its field") {
    struct Case {
        std::string body, field, reason;
    };
    const std::vector<Case> cases{
        {tx("a", "amount"), "amount", "missing_fields"},
        {tx("a", "hour"), "hour", "missing_fields"},
        {tx("a", "colour", "\"red\""), "colour", "extra_fields"},
        {tx("a", "amount", "\"12.5\""), "amount", "non_numeric"},
        {tx("a", "card_present", "true"), "card_present", "non_numeric"},
        {tx("a", "amount", "null"), "amount", "non_numeric"},
        {tx("a", "amount", "[1]"), "amount", "non_numeric"},
        {tx("a", "amount", "-3"), "amount", "out_of_range"},
        {tx("a", "hour", "24"), "hour", "out_of_range"},
        {tx("a", "card_present", "2"), "card_present", "out_of_range"},
        {tx("a", "tx_last_hour", "1.5"), "tx_last_hour", "out_of_range"},
        {tx("a", "merchant_category", "10000"), "merchant_category", "out_of_range"},
        {tx(""), "id", "bad_id"},
        {tx(std::string(65, 'x')), "id", "bad_id"},
        {tx("a", "id", "17"), "id", "bad_id"},
    };
    for (const Case& c : cases) {
        INFO(c.body);
        const ParsedRequest r = parse_score_request(c.body);
        REQUIRE_FALSE(r.body_error);
        REQUIRE(r.errors.size() == 1);
        CHECK(r.items.empty());
        CHECK(r.errors[0].field == c.field);
        CHECK(r.errors[0].reason == c.reason);
        CHECK_FALSE(r.errors[0].detail.empty());
    }
    // a field given twice is refused (parsers disagree on which value wins), in an array too
    std::string amount_twice = tx("a");
    amount_twice.pop_back();
    amount_twice += ",\"amount\":7}";
    const ParsedRequest twice = parse_score_request(amount_twice);
    REQUIRE(twice.errors.size() == 1);
    CHECK(twice.errors[0].reason == "extra_fields");
    CHECK(twice.errors[0].field == "amount");
    const ParsedRequest twice_in_batch = parse_score_request(array({tx("a"), "{\"id\":\"b\",\"id\":\"c\"}", tx("d")}));
    CHECK(twice_in_batch.item_index == std::vector<std::size_t>{0, 2});
    REQUIRE(twice_in_batch.errors.size() == 1);
    CHECK(twice_in_batch.errors[0].index == 1);
    CHECK(twice_in_batch.errors[0].field == "id");
    // nested objects may repeat keys of their own without blaming the transaction's fields
    CHECK(parse_score_request(tx("a", "amount", "{\"x\":1}")).errors.at(0).reason == "non_numeric");
    // is_fraud and pattern are allowed, as in a CSV, and ignored
    CHECK(parse_score_request(tx("a", "is_fraud", "1")).items.size() == 1);
}

TEST_CASE("serve: NaN, Infinity and overflowing numbers are not_finite, named, never scored") {
    for (const char* v : {"NaN", "Infinity", "-Infinity", "1e400", "-1e999"}) {
        INFO(v);
        const ParsedRequest r = parse_score_request(tx("a", "distance_km", v));
        REQUIRE(r.body_error);
        CHECK(r.body_error->reason == "not_finite");
        CHECK(r.body_error->field == "distance_km");
        CHECK(r.items.empty());
    }
    // in an array, the item is named too (the body is not JSON, so nothing is scored)
    const ParsedRequest r = parse_score_request(array({tx("a"), tx("b", "amount", "NaN")}));
    REQUIRE(r.body_error);
    CHECK(r.body_error->index == 1);
    CHECK(r.body_error->detail.find("item 1") != std::string::npos);
}

TEST_CASE("serve: bodies that are not transactions are refused whole") {
    CHECK(parse_score_request("{\"id\":").body_error->reason == "malformed_json");
    CHECK(parse_score_request("").body_error->reason == "malformed_json");
    CHECK(parse_score_request("[1,2").body_error->reason == "malformed_json");
    CHECK(parse_score_request("\"tx\"").body_error->reason == "not_an_object");
    CHECK(parse_score_request("42").body_error->reason == "not_an_object");
    CHECK(parse_score_request("[]").body_error->reason == "empty_batch");
    // a batch keeps its good items and lists the bad ones by index
    const ParsedRequest r = parse_score_request(array({tx("a"), "7", tx("c", "amount", "-1"), tx("d")}));
    REQUIRE_FALSE(r.body_error);
    CHECK(r.batch);
    CHECK(r.item_index == std::vector<std::size_t>{0, 3});
    REQUIRE(r.errors.size() == 2);
    CHECK(r.errors[0].index == 1);
    CHECK(r.errors[0].reason == "not_an_object");
    CHECK(r.errors[1].index == 2);
    CHECK(r.errors[1].reason == "out_of_range");
}

TEST_CASE("serve: a transaction written by append_transaction_json reads back exactly") {
    const double raw[n_raw] = {18.99, 17.55, 5816, 331.5, 1, 1, 1, 576, 1, 0.1 + 0.2};
    std::string body;
    append_transaction_json(body, "tx \"1\"", raw);
    const ParsedRequest r = parse_score_request(body);
    REQUIRE(r.items.size() == 1);
    CHECK(r.items[0].id == "tx \"1\"");
    for (std::size_t c = 0; c < n_raw; ++c) CHECK(r.items[0].raw[c] == raw[c]);
}

// ---- the service over HTTP --------------------------------------------------

TEST_CASE("serve: scores, batches with bad items, reasons from the autodiff engine, and the model's version") {
    Server s({});
    auto c = s.client();
    const FraudModel model = load_model(example_model);

    const json one = post(c, "/v1/score", tx("tx-1"), 200);
    CHECK(one["id"] == "tx-1");
    CHECK(one["model_version"] == model.checksum);
    CHECK(one["flagged"] == true);  // this row is the pattern the README shows

    // the same score and reasons as the batch scorer gives in-process
    const ParsedRequest parsed = parse_score_request(tx("tx-1"));
    BatchScorer scorer(model);
    scorer.add(parsed.items[0].raw);
    scorer.forward();
    CHECK(one["score"].get<double>() == doctest::Approx(fraud_probability(scorer.logit(0))).epsilon(1e-5));
    const auto why = scorer.explain({0}, 3);
    REQUIRE(one["top_features"].size() == 3);
    for (std::size_t k = 0; k < 3; ++k) {
        CHECK(one["top_features"][k]["feature"] == raw_columns()[why[0][k].column].name);
        CHECK(one["top_features"][k]["contribution"].get<double>() == doctest::Approx(why[0][k].contribution).epsilon(1e-3));
    }

    const json batch = post(c, "/v1/score", array({tx("a"), tx("b", "hour", "-1"), tx("c")}), 200);
    REQUIRE(batch["results"].size() == 2);
    CHECK(batch["results"][0]["index"] == 0);
    CHECK(batch["results"][1]["index"] == 2);
    CHECK(batch["results"][1]["id"] == "c");
    REQUIRE(batch["errors"].size() == 1);
    CHECK(batch["errors"][0]["index"] == 1);
    CHECK(batch["errors"][0]["field"] == "hour");
    CHECK(batch["errors"][0]["reason"] == "out_of_range");
    CHECK(batch["model_version"] == model.checksum);

    // nothing scorable: 400, same shape
    const json none = post(c, "/v1/score", array({tx("a", "amount")}), 400);
    CHECK(none["results"].empty());
    CHECK(none["errors"][0]["reason"] == "missing_fields");

    const json health = json::parse(c.Get("/healthz")->body);
    CHECK(health["status"] == "ok");
    CHECK(health["model_version"] == model.checksum);
    CHECK(s.stop() == 0);
}

TEST_CASE("serve: 400, 404, 405 and 413 answers with a JSON reason; slow connections time out") {
    Server s({"--max-body-bytes", "4096", "--timeout-ms", "300"});
    auto c = s.client();
    CHECK(post(c, "/v1/score", "{\"id\":", 400)["error"]["reason"] == "malformed_json");
    CHECK(post(c, "/v1/score", tx("a", "amount", "NaN"), 400)["error"]["field"] == "amount");
    CHECK(post(c, "/v1/score", tx("a", "amount", "\"x\""), 400)["error"]["reason"] == "non_numeric");
    CHECK(post(c, "/v1/nothing", "{}", 404)["error"]["reason"] == "not_found");
    const auto get = c.Get("/v1/score");
    REQUIRE(get);
    CHECK(get->status == 405);
    CHECK(json::parse(c.Get("/favicon.ico")->body)["error"]["reason"] == "not_found");
    std::string big = "[";
    while (big.size() < 5000) big += tx("x") + ",";
    big.back() = ']';
    const auto res = c.Post("/v1/score", big, "application/json");
    REQUIRE(res);
    CHECK(res->status == 413);

    // a client that sends half a request and stops is cut off after the timeout
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(std::uint16_t(s.port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    const std::string half = "POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"id\":";
    REQUIRE(::send(fd, half.data(), half.size(), MSG_NOSIGNAL) == ssize_t(half.size()));
    const auto t0 = std::chrono::steady_clock::now();
    pollfd p{fd, POLLIN, 0};
    REQUIRE(::poll(&p, 1, 5000) == 1);  // closed (or answered) well before 5 s
    char buf[512];
    while (::read(fd, buf, sizeof buf) > 0) {
    }
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
    ::close(fd);

    // the service still answers, and the metrics counted all of it
    CHECK(post(c, "/v1/score", tx("ok"), 200)["id"] == "ok");
    const std::string metrics = c.Get("/metrics")->body;
    CHECK(metrics.find("fraud_http_requests_total{code=\"413\"} 1") != std::string::npos);
    CHECK(metrics.find("fraud_transactions_rejected_total{reason=\"malformed_json\"} 1") != std::string::npos);
    CHECK(metrics.find("fraud_transactions_rejected_total{reason=\"non_numeric\"} 1") != std::string::npos);
    CHECK(metrics.find("fraud_transactions_scored_total 1") != std::string::npos);
    CHECK(s.stop() == 0);
}

TEST_CASE("serve: reload takes a good file and refuses a corrupt one while requests keep being answered") {
    TempDir dir("reload");
    const fs::path path = dir.path / "model.safetensors";
    fs::copy_file(example_model, path);
    const std::string v1 = load_model(path).checksum;
    Server s({}, path.string());

    // a client scoring all the time: no request may fail across the reloads
    std::atomic<bool> done{false};
    std::atomic<int> answered{0}, failed{0};
    std::thread load([&] {
        auto c = s.client();
        while (!done) {
            const auto res = c.Post("/v1/score", array({tx("a"), tx("b")}), "application/json");
            (res && res->status == 200 ? answered : failed)++;
        }
    });
    auto c = s.client();

    // half a file (as a copy caught mid-write) and a flipped byte: refused, the old model serves
    const std::string good = slurp(example_model);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << good.substr(0, good.size() / 2);
    json r = post(c, "/v1/reload", "", 422);
    CHECK(r["reloaded"] == false);
    CHECK(r["model_version"] == v1);
    CHECK(r["reason"].get<std::string>().find("model file") != std::string::npos);
    std::string flipped = good;
    flipped[flipped.size() - 3] ^= 0x40;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << flipped;
    s.signal(SIGHUP);
    CHECK(post(c, "/v1/score", tx("x"), 200)["model_version"] == v1);

    // a good new model (another threshold, so another version): taken by POST and by SIGHUP
    FraudModel m = load_model(example_model);
    m.threshold = 0.999;
    save_model(m, path);
    const std::string v2 = load_model(path).checksum;
    REQUIRE(v2 != v1);
    r = post(c, "/v1/reload", "", 200);
    CHECK(r["model_version"] == v2);
    CHECK(post(c, "/v1/score", tx("x"), 200)["model_version"] == v2);
    fs::copy_file(example_model, path, fs::copy_options::overwrite_existing);
    s.signal(SIGHUP);
    std::string now;
    for (int i = 0; i < 200 && now != v1; ++i) {
        now = json::parse(c.Get("/healthz")->body)["model_version"];
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(now == v1);
    done = true;
    load.join();
    CHECK(answered > 0);
    CHECK(failed == 0);
    const std::string metrics = c.Get("/metrics")->body;
    CHECK(metrics.find("fraud_model_reloads_total{result=\"ok\"} 2") != std::string::npos);
    CHECK(metrics.find("fraud_model_reloads_total{result=\"refused\"} 2") != std::string::npos);
    const std::string log = s.log();
    CHECK(log.find("reload refused (SIGHUP)") != std::string::npos);
    CHECK(log.find("checksum mismatch") != std::string::npos);
    CHECK(s.stop() == 0);
}

TEST_CASE("serve: SIGTERM answers every request in flight, flushes whole alert lines and exits 0") {
    TempDir dir("sigterm");
    const fs::path alerts = dir.path / "alerts.jsonl";
    Server s({"--threshold", "0", "--alerts", alerts.string(), "--max-wait-us", "500"});  // every row an alert
    constexpr int clients = 6, per_request = 20;
    std::atomic<int> answered{0}, bad_answers{0};
    std::atomic<bool> go{true};
    std::vector<std::thread> threads;
    std::string body = "[";
    for (int i = 0; i < per_request; ++i) body += tx(fmt::format("t{}", i)) + (i + 1 < per_request ? "," : "]");
    for (int t = 0; t < clients; ++t)
        threads.emplace_back([&] {
            auto c = s.client();
            for (int i = 0; i < 2000 && go; ++i) {  // bounded: stops by itself
                const auto res = c.Post("/v1/score", body, "application/json");
                if (!res) break;  // the server stopped accepting
                if (res->status == 200 && json::parse(res->body)["results"].size() == per_request) ++answered;
                else ++bad_answers;
            }
        });
    while (answered < 30) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const int code = s.stop(SIGTERM);
    go = false;
    for (auto& t : threads) t.join();
    CHECK(code == 0);
    CHECK(bad_answers == 0);
    // every transaction answered is in the alerts file, as a whole line of JSON
    const std::string text = slurp(alerts);
    REQUIRE_FALSE(text.empty());
    CHECK(text.back() == '\n');
    std::istringstream lines(text);
    std::string line;
    int n = 0;
    while (std::getline(lines, line)) {
        const json a = json::parse(line);
        CHECK(a["top_features"].size() == 3);
        ++n;
    }
    CHECK(n == answered * per_request);
    CHECK(s.log().find("serve: stopped") != std::string::npos);
}

TEST_CASE("serve: concurrent requests are scored together in fewer forward passes") {
    Server s({"--max-wait-us", "5000"});
    constexpr int clients = 8, each = 25;
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int t = 0; t < clients; ++t)
        threads.emplace_back([&] {
            auto c = s.client();
            for (int i = 0; i < each; ++i) ok += c.Post("/v1/score", tx("a"), "application/json")->status == 200;
        });
    for (auto& t : threads) t.join();
    CHECK(ok == clients * each);
    const std::string m = s.client().Get("/metrics")->body;
    const auto at = m.find("\nfraud_batches_total ");
    REQUIRE(at != std::string::npos);
    const int batches = std::stoi(m.substr(at + 21));
    INFO("forward passes: " << batches);
    CHECK(batches < clients * each);
    CHECK(s.stop() == 0);
}

TEST_CASE("serve: a model file that is refused at start is exit code 1 with the reason") {
    TempDir dir("badmodel");
    const fs::path bad = dir.path / "bad.safetensors";
    std::ofstream(bad) << "not a model";
    const std::string cmd = fmt::format("{} serve --model {} --port 0 2>{}", TAPEGRAD_FRAUD_EXE, bad.string(),
                                        (dir.path / "err").string());
    const int status = std::system(cmd.c_str());
    CHECK(WEXITSTATUS(status) == 1);
    CHECK(slurp(dir.path / "err").find("model file") != std::string::npos);
}

// ---- the README's examples --------------------------------------------------

namespace {

/// One command of a README example block and the output it shows.
struct Example {
    std::string command, expected;
};

/// The blocks after "<!-- serve-example -->" in the README: "$ curl ..." lines and their output.
std::vector<Example> readme_examples(const std::string& readme) {
    std::vector<Example> out;
    std::istringstream in(readme);
    std::string line;
    bool marked = false, inside = false;
    while (std::getline(in, line)) {
        if (line == "<!-- serve-example -->") marked = true;
        else if (marked && line == "```text") inside = true, marked = false;
        else if (inside && line == "```") inside = false;
        else if (inside && line.rfind("$ ", 0) == 0) out.push_back({line.substr(2), ""});
        else if (inside && !out.empty()) out.back().expected += line + "\n";
    }
    return out;
}

/// The words of a shell command line ('single quotes' kept together, quotes removed).
std::vector<std::string> shell_words(const std::string& s) {
    std::vector<std::string> words;
    std::string w;
    bool quoted = false, any = false;
    for (char ch : s) {
        if (ch == '\'') quoted = !quoted, any = true;
        else if (ch == ' ' && !quoted) {
            if (any) words.push_back(w);
            w.clear();
            any = false;
        } else
            w.push_back(ch), any = true;
    }
    if (any) words.push_back(w);
    return words;
}

/// Run a documented curl command (curl -s [-w ' %{http_code}\n'] [-X POST] [-d BODY] localhost:8080/PATH
/// [| grep WORD]) with httplib::Client and return what curl would print.
std::string run_curl(const std::string& command, httplib::Client& c) {
    const std::vector<std::string> w = shell_words(command);
    REQUIRE(w.at(0) == "curl");
    std::string path, body, grep;
    bool post = false, status = false;
    for (std::size_t i = 1; i < w.size(); ++i) {
        if (w[i] == "-s") continue;
        else if (w[i] == "-w") status = w.at(++i) == " %{http_code}\\n";
        else if (w[i] == "-X") post = w.at(++i) == "POST";
        else if (w[i] == "-d") body = w.at(++i), post = true;
        else if (w[i].rfind("localhost:8080/", 0) == 0) path = w[i].substr(14);
        else if (w[i] == "|" && w.at(i + 1) == "grep") grep = w.at(i + 2), i += 2;
        else FAIL("the README's example uses something the test does not run: " << w[i]);
    }
    const auto res = post ? c.Post(path, body, "application/x-www-form-urlencoded") : c.Get(path);
    REQUIRE(res);
    std::string out = res->body;
    if (status) out += fmt::format(" {}\n", res->status);
    if (grep.empty()) return out;
    std::istringstream lines(out);
    std::string line, kept;
    while (std::getline(lines, line))
        if (line.find(grep) != std::string::npos) kept += line + "\n";
    return kept;
}

}  // namespace

TEST_CASE("serve: the curl examples of tutorials/fraud/README.md answer what the README shows") {
    const std::vector<Example> examples = readme_examples(slurp("tutorials/fraud/README.md"));
    REQUIRE(examples.size() >= 8);
    Server s({});
    auto c = s.client();
    for (const Example& e : examples) {
        INFO(e.command);
        CHECK(run_curl(e.command, c) == e.expected);
    }
    CHECK(s.stop() == 0);
}

TEST_CASE("serve: a transaction the model gives no finite score is an error, never a NaN score") {
    TempDir dir("huge");
    // a finite weight at the float limit on log_amount alone: the log-odds of
    // transactions whose amount is far enough from the average overflow, the others' do not
    FraudModel m = load_model(example_model);
    tg::nn::NamedTensors huge;
    for (const auto& [name, t] : m.net->state_dict()) {
        std::vector<float> v(t.size(), 0.0f);
        if (t.shape().size() == 2) v[0] = 3e38f;  // the weight of feature 0, log_amount
        huge.emplace_back(name, tg::from_vector(v, t.shape()));
    }
    m.net->load_state_dict(huge);
    save_model(m, (dir.path / "huge.safetensors").string());
    Server s({}, (dir.path / "huge.safetensors").string());
    auto c = s.client();
    std::vector<std::string> items;
    std::string body = "[";
    for (int i = 0; i < 40; ++i) {
        items.push_back(tx(fmt::format("t{}", i), "amount", fmt::format("{}", std::exp(0.25 * i) - 1)));
        body += (i ? "," : "") + items.back();
    }
    body += "]";
    const auto res = c.Post("/v1/score", body, "application/json");
    REQUIRE(res);
    const json answer = json::parse(res->body);
    int not_finite = -1;
    for (const json& e : answer["errors"]) {
        CHECK(e["reason"] == "not_finite_score");
        not_finite = e["index"];
    }
    REQUIRE(not_finite >= 0);  // the weight does overflow some rows
    REQUIRE(answer["results"].size() > 0);  // and not all
    for (const json& r : answer["results"]) {
        CHECK(r["score"].is_number());
        CHECK(r["score"].get<double>() >= 0);
        CHECK(r["score"].get<double>() <= 1);
    }
    CHECK(answer["results"].size() + answer["errors"].size() == 40);
    // the same transaction alone: 500, with the reason
    const json single = post(c, "/v1/score", items[std::size_t(not_finite)], 500);
    CHECK(single["error"]["reason"] == "not_finite_score");
    const std::string metrics = c.Get("/metrics")->body;
    CHECK(metrics.find(fmt::format("fraud_transactions_not_scored_total {}", answer["errors"].size() + 1)) !=
          std::string::npos);
    CHECK(s.stop() == 0);
}

TEST_CASE("serve: --max-batch 1 scores each request in its own forward pass") {
    Server s({"--max-batch", "1", "--max-wait-us", "5000"});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            auto c = s.client();
            for (int i = 0; i < 20; ++i) c.Post("/v1/score", tx("a"), "application/json");
        });
    for (auto& t : threads) t.join();
    CHECK(s.client().Get("/metrics")->body.find("\nfraud_batches_total 80\n") != std::string::npos);
    CHECK(s.stop() == 0);
}

TEST_CASE("serve: the alerts file takes whole lines, and a full disk is reported, not thrown") {
    TempDir dir("alertlog");
    {
        AlertLog log((dir.path / "a.jsonl").string());
        CHECK(log.append("{\"id\":\"a\"}\n{\"id\":\"b\"}\n"));
        CHECK(log.append("{\"id\":\"c\"}\n"));
    }
    AlertLog reopened((dir.path / "a.jsonl").string());  // appends, never truncates
    CHECK(reopened.append("{\"id\":\"d\"}\n"));
    CHECK(slurp(dir.path / "a.jsonl") == "{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"id\":\"c\"}\n{\"id\":\"d\"}\n");
    if (fs::exists("/dev/full")) {
        AlertLog full("/dev/full");
        CHECK_FALSE(full.append("{\"id\":\"e\"}\n"));
    }
    CHECK_THROWS_WITH_AS(AlertLog((dir.path / "no" / "such" / "dir.jsonl").string()),
                         doctest::Contains("cannot open for appending"), tg::IoError);
}
