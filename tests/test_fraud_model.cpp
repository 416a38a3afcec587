// The fraud demo's model side: training, the model file, scoring, attribution, the CLI.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <tapegrad/nn/nn.hpp>
#include <tapegrad/nn/io/safetensors.hpp>

#include "helpers.hpp"
#include "../tutorials/fraud/interrupt.hpp"
#include "../tutorials/fraud/attribution.hpp"
#include "../tutorials/fraud/cli.hpp"
#include "../tutorials/fraud/evaluate.hpp"
#include "../tutorials/fraud/schema.hpp"
#include "../tutorials/fraud/score.hpp"
#include "../tutorials/fraud/train.hpp"

using namespace fraud;
namespace fs = std::filesystem;

namespace {

/// A scratch directory for one test, removed at scope exit.
struct TempDir {
    fs::path path;
    explicit TempDir(const std::string& name) {
        path = fs::temp_directory_path() / ("tapegrad_fraud_" + std::to_string(::getpid()) + "_" + name);
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
    std::string operator/(const std::string& f) const { return (path / f).string(); }
};

void write_generated(const std::string& path, std::uint64_t rows, std::uint64_t seed, double malformed = 0) {
    GeneratorOptions o;
    o.rows = rows;
    o.seed = seed;
    o.malformed_rate = malformed;
    std::ofstream out(path, std::ios::binary);
    generate(o, [&](std::string_view s) { out.write(s.data(), std::streamsize(s.size())); });
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int run_cli(std::vector<std::string> args) {
    args.insert(args.begin(), "tapegrad-fraud");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return cli_main(int(argv.size()), argv.data());
}

/// run_cli, with what it printed on standard error.
int run_cli_stderr(std::vector<std::string> args, std::string& err) {
    const std::string capture = (fs::temp_directory_path() / ("tapegrad_fraud_stderr_" + std::to_string(::getpid()))).string();
    std::fflush(stderr);
    const int saved = ::dup(2), fd = ::open(capture.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 2);
    const int rc = run_cli(std::move(args));
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    ::close(fd);
    err = slurp(capture);
    fs::remove(capture);
    return rc;
}

/// A small logistic model trained for two epochs: quick, and good enough to test files and scoring.
FraudModel quick_model(const std::string& dir, Arch arch = Arch::logistic) {
    write_generated(dir + "/quick.csv", 20000, 11);
    const LabelledData d = load_labelled(dir + "/quick.csv");
    TrainOptions o;
    o.arch = arch;
    o.hidden = {8};
    o.epochs = 2;
    o.verbose = 0;
    return train_model(d, o).model;
}

/// Score the file at threshold 0 (every scored row is an alert); alerts get the JSONL.
ScoreStats score_every_row(const FraudModel& model, const std::filesystem::path& csv, std::string& alerts) {
    const int fd = ::open(csv.c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    TransactionReader reader(fd, csv.filename().string(), false);
    RejectWriter rejects([](std::string_view) {});
    ScoreOptions so;
    so.threshold = 0;
    const ScoreStats st = score_stream(model, reader, [&](std::string_view s) { alerts.append(s); }, rejects, so);
    ::close(fd);
    return st;
}

}  // namespace

TEST_CASE("fraud: the model file round trip keeps weights, standardisation, threshold and metadata") {
    TempDir dir("roundtrip");
    FraudModel m = quick_model(dir.path.string(), Arch::mlp);
    m.threshold = 0.8125;
    save_model(m, dir / "m.safetensors");
    const FraudModel back = load_model(dir / "m.safetensors");
    CHECK(back.arch == Arch::mlp);
    CHECK(back.hidden == std::vector<std::size_t>{8});
    CHECK(back.threshold == 0.8125);
    CHECK(back.features == feature_names());
    CHECK(back.info == m.info);
    CHECK(back.standardizer.mean() == m.standardizer.mean());
    CHECK(back.standardizer.scale() == m.standardizer.scale());
    const auto a = m.net->state_dict(), b = back.net->state_dict();
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].first == b[i].first);
        CHECK(a[i].second.to_vector() == b[i].second.to_vector());
    }
    const tg::Tensor x = tg::randn({50, n_features()});
    CHECK(m.probabilities(x) == back.probabilities(x));
    // a PyTorch user can read it: plain safetensors with the standardiser beside the weights
    const auto file = tg::nn::load_safetensors(dir / "m.safetensors");
    CHECK(file.metadata.at("fraud.format") == model_format);
    CHECK(file.metadata.at("format") == "pt");  // what PyTorch tools expect
    CHECK(file.checksum_verified);
    bool has_mean = false;
    for (const auto& [name, t] : file.tensors) has_mean |= name == "standardizer.mean";
    CHECK(has_mean);
}

TEST_CASE("fraud: a wrong model file is a clear error") {
    TempDir dir("wrongmodel");
    CHECK_THROWS_WITH_AS(load_model(dir / "absent.safetensors"), doctest::Contains("absent.safetensors"),
                         std::runtime_error);
    std::ofstream(dir / "junk.safetensors") << "this is not a model";
    CHECK_THROWS_WITH_AS(load_model(dir / "junk.safetensors"), doctest::Contains("cannot be read as a model"),
                         std::runtime_error);
    // a valid safetensors file that is not a fraud model
    tg::nn::Linear lin(3, 1);
    tg::nn::save(lin, dir / "plain.safetensors");
    CHECK_THROWS_WITH_AS(load_model(dir / "plain.safetensors"), doctest::Contains("not a tapegrad-fraud model"),
                         std::runtime_error);
    // a model trained on other features
    FraudModel m = quick_model(dir.path.string());
    FraudModel other = quick_model(dir.path.string());
    other.features[1] = "hour_of_day";
    save_model(other, dir / "other.safetensors");
    CHECK_THROWS_WITH_AS(load_model(dir / "other.safetensors"),
                         doctest::Contains("trained on other features"), std::runtime_error);
    try {
        load_model(dir / "other.safetensors");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find("feature 2 is 'hour_of_day' in the model, 'hour' here") != std::string::npos);
    }
    // metadata that promises another architecture than the tensors hold
    FraudModel lying = quick_model(dir.path.string(), Arch::mlp);
    lying.hidden = {16};  // the net has 8 units
    save_model(lying, dir / "lying.safetensors");
    CHECK_THROWS_WITH_AS(load_model(dir / "lying.safetensors"), doctest::Contains("does not hold a mlp"),
                         std::runtime_error);
    // a truncated file
    save_model(m, dir / "good.safetensors");
    const std::string bytes = slurp(dir / "good.safetensors");
    std::ofstream(dir / "cut.safetensors", std::ios::binary) << bytes.substr(0, bytes.size() - 10);
    CHECK_THROWS_AS(load_model(dir / "cut.safetensors"), std::runtime_error);
}

TEST_CASE("fraud: score with a wrong model or header fails before any row, writing nothing") {
    TempDir dir("scorefail");
    write_generated(dir / "in.csv", 100, 5);
    std::ofstream(dir / "junk.safetensors") << "junk";
    CHECK(run_cli({"score", "--model", dir / "junk.safetensors", "--in", dir / "in.csv", "--alerts",
                   dir / "a.jsonl", "--rejects", dir / "r.csv"}) == 1);
    CHECK_FALSE(fs::exists(dir / "a.jsonl"));
    CHECK_FALSE(fs::exists(dir / "r.csv"));
    save_model(quick_model(dir.path.string()), dir / "m.safetensors");
    std::ofstream(dir / "bad.csv") << "id,amount,colour\ntx1,3,red\n";
    CHECK(run_cli({"score", "--model", dir / "m.safetensors", "--in", dir / "bad.csv", "--alerts", dir / "a.jsonl",
                   "--rejects", dir / "r.csv"}) == 1);
    CHECK_FALSE(fs::exists(dir / "a.jsonl"));
    CHECK_FALSE(fs::exists(dir / "r.csv"));
}

TEST_CASE("fraud: the CLI gives usage errors exit code 2 and --help exit code 0") {
    CHECK(run_cli({"generate", "--rows"}) == 2);
    CHECK(run_cli({"generate", "--rows", "ten", "--out", "x.csv"}) == 2);
    CHECK(run_cli({"generate", "--rows", "10"}) == 2);  // --out missing
    CHECK(run_cli({"train", "--data", "x.csv", "--model", "m", "--arch", "forest"}) == 2);
    CHECK(run_cli({"train", "--data", "x.csv", "--model", "m", "--hidden", "64,,2"}) == 2);
    CHECK(run_cli({"score", "--model", "m", "--in", "-", "--alerts", "a", "--rejects", "r", "--threshold", "2"}) == 2);
    CHECK(run_cli({"score", "--frobnicate"}) == 2);
    CHECK(run_cli({"evaluate", "stray"}) == 2);
    CHECK(run_cli({"nonsense"}) == 2);
    CHECK(run_cli({"score", "--help"}) == 0);
    CHECK(run_cli({"--help"}) == 0);
}

TEST_CASE("fraud: the MLP beats the perceptron and logistic regression on PR-AUC") {
    TempDir dir("compare");
    write_generated(dir / "train.csv", 60000, 21);
    write_generated(dir / "test.csv", 60000, 22);
    const LabelledData train = load_labelled(dir / "train.csv");
    const LabelledData test = load_labelled(dir / "test.csv");
    std::map<Arch, double> pr_auc;
    for (Arch a : {Arch::perceptron, Arch::logistic, Arch::mlp}) {
        TrainOptions o;
        o.arch = a;
        o.epochs = 12;
        o.verbose = 0;
        o.seed = 3;
        const TrainResult r = train_model(train, o);
        pr_auc[a] = evaluate_model(r.model, test).pr_auc;
        MESSAGE(arch_name(a) << " PR-AUC " << pr_auc[a]);
    }
    CHECK(pr_auc[Arch::mlp] > 0.8);
    CHECK(pr_auc[Arch::mlp] > pr_auc[Arch::logistic] + 0.08);
    CHECK(pr_auc[Arch::mlp] > pr_auc[Arch::perceptron] + 0.08);
}

TEST_CASE("fraud: scoring a stream, the counts add up and every alert explains itself") {
    TempDir dir("score");
    const FraudModel m = quick_model(dir.path.string());
    write_generated(dir / "stream.csv", 30000, 9, 0.01);
    for (std::size_t batch : {std::size_t(4096), std::size_t(7)}) {
        const int fd = ::open((dir / "stream.csv").c_str(), O_RDONLY);
        REQUIRE(fd >= 0);
        TransactionReader reader(fd, "stream.csv", false);
        std::string alerts, rejects_csv;
        RejectWriter rejects([&](std::string_view s) { rejects_csv.append(s); });
        ScoreOptions so;
        so.threshold = m.threshold;
        so.batch_size = batch;
        const ScoreStats st = score_stream(m, reader, [&](std::string_view s) { alerts.append(s); }, rejects, so);
        ::close(fd);
        CHECK(st.read == 30000);
        CHECK(st.read == st.scored + st.rejected);
        CHECK(st.rejected > 200);
        CHECK(std::size_t(std::count(rejects_csv.begin(), rejects_csv.end(), '\n')) == st.rejected + 1);
        CHECK(st.flagged > 100);
        CHECK(st.labelled);
        CHECK(st.flagged_fraud > st.fraud / 3);
        std::istringstream in(alerts);
        std::string line;
        std::uint64_t n = 0;
        double min_score = 1;
        while (std::getline(in, line)) {
            const auto j = nlohmann::json::parse(line);
            REQUIRE(j.contains("id"));
            CHECK(j["top_features"].size() == 3);
            min_score = std::min(min_score, j["score"].get<double>());
            ++n;
        }
        CHECK(n == st.flagged);
        CHECK(min_score >= m.threshold - 1e-6);
        // the report's examples: the strongest alert per leading feature, strongest first, all different
        REQUIRE(st.top_alerts.size() >= 2);
        CHECK(st.top_alerts.size() <= 5);
        std::set<std::string> leads;
        for (std::size_t i = 0; i < st.top_alerts.size(); ++i) {
            if (i) CHECK(st.top_alerts[i - 1].logit >= st.top_alerts[i].logit);
            leads.insert(nlohmann::json::parse(st.top_alerts[i].json)["top_features"][0]["feature"].get<std::string>());
        }
        CHECK(leads.size() == st.top_alerts.size());
    }
}

TEST_CASE("fraud: attribution is the gradient of the logit times the input, by the autodiff engine") {
    TempDir dir("attr");
    const FraudModel m = quick_model(dir.path.string(), Arch::logistic);
    // for logistic regression dz/dx = w, so the contribution of a column is the sum of w_j * x_j over its features
    const tg::Tensor x = tg::randn({4, n_features()});
    const auto why = attribute(m, x, n_raw);
    const auto w = m.net->parameters()[0].to_vector();
    const auto xv = x.to_vector();
    for (std::size_t r = 0; r < 4; ++r) {
        std::vector<double> expect(n_raw, 0.0);
        for (std::size_t j = 0; j < n_features(); ++j) expect[feature_source()[j]] += w[j] * xv[r * n_features() + j];
        REQUIRE(why[r].size() == n_raw);
        for (std::size_t k = 0; k < n_raw; ++k) {
            CHECK(why[r][k].contribution == doctest::Approx(expect[why[r][k].column]).epsilon(1e-5));
            if (k) CHECK(std::abs(why[r][k - 1].contribution) >= std::abs(why[r][k].contribution));
        }
    }
    CHECK_FALSE(x.requires_grad());
}

TEST_CASE("fraud: an interrupted score leaves the old outputs in place") {
    TempDir dir("interrupt");
    save_model(quick_model(dir.path.string()), dir / "m.safetensors");
    write_generated(dir / "in.csv", 20000, 4);
    std::ofstream(dir / "a.jsonl") << "old alerts\n";
    std::ofstream(dir / "r.csv") << "old rejects\n";
    request_interrupt();
    const int rc = run_cli({"score", "--model", dir / "m.safetensors", "--in", dir / "in.csv", "--alerts",
                            dir / "a.jsonl", "--rejects", dir / "r.csv", "--batch-size", "1000"});
    clear_interrupt();
    CHECK(rc == 130);
    CHECK(slurp(dir / "a.jsonl") == "old alerts\n");
    CHECK(slurp(dir / "r.csv") == "old rejects\n");
    for (const auto& e : fs::directory_iterator(dir.path))  // no temporary file left (".a.jsonl.tmp.PID.RANDOM")
        CHECK(e.path().filename().string().rfind(".", 0) != 0);
    // and without the interrupt, the new complete files replace them
    CHECK(run_cli({"score", "--model", dir / "m.safetensors", "--in", dir / "in.csv", "--alerts", dir / "a.jsonl",
                   "--rejects", dir / "r.csv"}) == 0);
    CHECK(slurp(dir / "r.csv") == "line,reason,detail,content\n");
    CHECK(slurp(dir / "a.jsonl").rfind("{\"id\":", 0) == 0);
}

TEST_CASE("fraud: an output that is an input or another output is refused, however it is spelt") {
    TempDir dir("samefile");
    write_generated(dir / "data.csv", 300, 3);
    std::ofstream(dir / "m.safetensors") << "model bytes\n";  // refused before the model is read
    fs::create_symlink(dir / "data.csv", dir / "data-link.csv");
    const std::string data = slurp(dir / "data.csv");
    const std::string d = dir / "data.csv", m = dir / "m.safetensors";
    const std::string d2 = dir.path.string() + "/./data.csv", m2 = dir.path.string() + "/../" +
                                                                   dir.path.filename().string() + "/m.safetensors";
    const auto refused = [&](std::vector<std::string> args, const std::string& first, const std::string& second) {
        const std::string command = fmt::format("{}", fmt::join(args, " "));
        CAPTURE(command);
        std::string err;
        CHECK(run_cli_stderr(args, err) == 2);
        CHECK(err.find("--" + first + " '") != std::string::npos);
        CHECK(err.find("--" + second + " '") != std::string::npos);
        CHECK(err.find("are the same file") != std::string::npos);
    };
    refused({"train", "--data", d, "--model", d, "--quiet"}, "data", "model");
    refused({"train", "--data", d, "--model", dir / "data-link.csv", "--quiet"}, "data", "model");
    refused({"train", "--data", d, "--model", dir / "new.safetensors", "--history", d2}, "data", "history");
    refused({"train", "--data", d, "--model", m, "--history", m2}, "model", "history");
    refused({"train", "--data", d, "--model", m, "--plot", m2}, "model", "plot");
    refused({"score", "--model", m, "--in", d, "--alerts", d2, "--rejects", dir / "r.csv"}, "in", "alerts");
    refused({"score", "--model", m, "--in", d, "--alerts", dir / "a.jsonl", "--rejects", dir / "data-link.csv"}, "in",
            "rejects");
    refused({"score", "--model", m, "--in", d, "--alerts", m2, "--rejects", dir / "r.csv"}, "model", "alerts");
    refused({"score", "--model", m, "--in", d, "--alerts", dir / "a.jsonl", "--rejects", m}, "model", "rejects");
    // two outputs that do not exist yet: the same directory and name
    const std::string a_new = dir / "a.jsonl", a_new2 = dir.path.string() + "/./a.jsonl";
    refused({"score", "--model", m, "--in", d, "--alerts", a_new, "--rejects", a_new2}, "alerts", "rejects");
    CHECK(slurp(dir / "data.csv") == data);
    CHECK(slurp(dir / "m.safetensors") == "model bytes\n");
    CHECK_FALSE(fs::exists(dir / "a.jsonl"));
    // different files pass the check (and fail later, on the model: exit 1), and /dev/null may be shared
    CHECK(run_cli({"score", "--model", m, "--in", d, "--alerts", dir / "a.jsonl", "--rejects", dir / "r.csv"}) == 1);
    CHECK(run_cli({"score", "--model", m, "--in", d, "--alerts", "/dev/null", "--rejects", "/dev/null"}) == 1);
}

TEST_CASE("fraud: alert lines are valid JSON whatever bytes the input's ids hold") {
    std::string out;
    append_json_string(out, std::string("ok\xff\xfe|\xc0\xaf|\xed\xa0\x80|\xe2\x82|\xf4\x90\x80\x80|\xc3\xa9\"\\\x01"));
    const auto j = nlohmann::json::parse(out);  // throws on invalid UTF-8
    const std::string bad = "\xef\xbf\xbd";
    CHECK(j.get<std::string>() == "ok" + bad + bad + "|" + bad + bad + "|" + bad + bad + bad + "|" + bad + bad + "|" +
                                      bad + bad + bad + bad + "|\xc3\xa9\"\\\x01");

    // through the scorer: a row whose id is not UTF-8 still gives a valid alert line
    TempDir dir("utf8");
    const FraudModel model = quick_model(dir.path.string());
    write_generated(dir / "in.csv", 20, 6);
    std::string csv = slurp(dir / "in.csv");
    const std::size_t row = csv.find('\n') + 1;
    csv.replace(row, csv.find(',', row) - row, "tx\xff\xc0\x80");
    std::ofstream(dir / "in.csv", std::ios::binary | std::ios::trunc) << csv;
    std::string alerts;
    const ScoreStats st = score_every_row(model, dir / "in.csv", alerts);
    CHECK(st.flagged == 20);
    std::istringstream in(alerts);
    std::string line;
    std::getline(in, line);
    CHECK(nlohmann::json::parse(line)["id"].get<std::string>() == "tx" + bad + bad + bad);
    while (std::getline(in, line)) CHECK(nlohmann::json::accept(line));
}

TEST_CASE("fraud: rows whose score is not finite are counted apart and fail the run unless allowed") {
    TempDir dir("nan");
    FraudModel m = quick_model(dir.path.string());
    // finite weights at the float limit: the log-odds overflow (inf - inf is NaN)
    tg::nn::NamedTensors huge;
    for (const auto& [name, t] : m.net->state_dict()) {
        std::vector<float> v(t.size());
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = i % 2 ? -3e38f : 3e38f;
        huge.emplace_back(name, tg::from_vector(v, t.shape()));
    }
    m.net->load_state_dict(huge);
    save_model(m, dir / "huge.safetensors");
    write_generated(dir / "in.csv", 2000, 5);

    std::string alerts;
    const ScoreStats st = score_every_row(m, dir / "in.csv", alerts);
    CHECK(st.non_finite > 0);
    CHECK(st.first_non_finite_line >= 2);
    CHECK(st.read == 2000);
    CHECK(st.read == st.scored + st.non_finite + st.rejected);
    CHECK(st.flagged == st.scored);

    std::ofstream(dir / "a.jsonl") << "old alerts\n";
    std::ofstream(dir / "r.csv") << "old rejects\n";
    const std::vector<std::string> cmd = {"score", "--model", dir / "huge.safetensors", "--in", dir / "in.csv",
                                          "--alerts", dir / "a.jsonl", "--rejects", dir / "r.csv"};
    std::string err;
    CHECK(run_cli_stderr(cmd, err) == 1);
    CHECK(err.find("not scored: non-finite score") != std::string::npos);
    CHECK(slurp(dir / "a.jsonl") == "old alerts\n");
    CHECK(slurp(dir / "r.csv") == "old rejects\n");
    std::vector<std::string> allowed = cmd;
    allowed.push_back("--allow-nan-scores");
    CHECK(run_cli_stderr(allowed, err) == 0);
    CHECK(err.find("not scored: non-finite score") != std::string::npos);
    CHECK(slurp(dir / "r.csv") == "line,reason,detail,content\n");
    std::istringstream in(slurp(dir / "a.jsonl"));
    for (std::string line; std::getline(in, line);) CHECK(nlohmann::json::accept(line));
}
