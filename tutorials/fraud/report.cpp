#include "report.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <tapegrad/nn/io/atomic_file.hpp>
#include <tapegrad/nn/io/plot.hpp>

#include "interrupt.hpp"
#include "commands.hpp"
#include "dataset.hpp"
#include "evaluate.hpp"
#include "generator.hpp"
#include "model_file.hpp"
#include "schema.hpp"
#include "score.hpp"
#include "train.hpp"

namespace fraud {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// Generate path unless it exists. Returns false when interrupted.
bool ensure_data(const fs::path& path, std::uint64_t rows, std::uint64_t seed, double malformed) {
    if (fs::exists(path)) {
        fmt::print("  {} exists, reusing it (delete it to generate it again)\n", path.string());
        return true;
    }
    const auto t = Clock::now();
    GeneratorOptions o;
    o.rows = rows;
    o.seed = seed;
    o.malformed_rate = malformed;
    tg::nn::AtomicFile f(path);
    const GeneratorStats s = generate(o, [&](std::string_view c) { f.write(c); }, &interrupt_flag());
    if (s.interrupted) return false;
    f.commit();
    fmt::print("  generated {}: {} rows, {} fraud ({:.2f}%){} in {:.1f} s\n", path.string(), s.rows, s.fraud,
               100.0 * double(s.fraud) / double(s.rows), s.malformed ? fmt::format(", {} malformed lines", s.malformed) : "",
               since(t));
    return true;
}

std::string explain(const AlertSummary& a) {
    // the JSON line is ours: parse it back rather than carry a second representation
    const auto j = nlohmann::json::parse(a.json);
    std::string why;
    for (const auto& f : j["top_features"])
        why += fmt::format("{}{}={} ({:+.2f})", why.empty() ? "" : ", ", f["feature"].get<std::string>(),
                           f["value"].dump(), f["contribution"].get<double>());
    return why;
}

}  // namespace

int run_demo(const DemoOptions& o) {
    const auto t0 = Clock::now();
    const fs::path dir = o.dir;
    fs::create_directories(dir);
    const fs::path train_csv = dir / "train.csv", test_csv = dir / "test.csv", stream_csv = dir / "stream.csv";
    const auto interrupted = [&](const std::string& where) {
        fmt::print(stderr, "\ndemo: interrupted {}; files already written are complete, the one in progress was "
                           "not written\n", where);
        return exit_interrupted;
    };

    fmt::print("tapegrad-fraud demo: card-transaction fraud detection with tapegrad (data and outputs in {}/)\n\n",
               dir.string());
    fmt::print("1. data\n");
    if (!ensure_data(train_csv, o.train_rows, o.seed, 0)) return interrupted("while generating the training data");
    if (!ensure_data(test_csv, o.test_rows, o.seed + 1, 0)) return interrupted("while generating the test data");
    if (!ensure_data(stream_csv, o.stream_rows, o.seed + 2, 0.0001)) return interrupted("while generating the stream");
    const LabelledData train = load_labelled(train_csv.string());
    const LabelledData test = load_labelled(test_csv.string());
    fmt::print("  training rows {} ({} fraud), test rows {} ({} fraud)\n\n", train.data.size(), train.fraud(),
               test.data.size(), test.fraud());

    fmt::print("2. training the MLP (ReLU hidden layers 64 and 32, BCE with logits weighted for the rare class, Adam,\n"
               "   early stopping on validation PR-AUC)\n");
    std::vector<FraudModel> models;
    std::vector<std::string> paths;
    for (Arch a : {Arch::mlp, Arch::logistic, Arch::perceptron}) {
        TrainOptions to;
        to.arch = a;
        to.epochs = o.epochs;
        to.seed = o.seed;
        to.verbose = a == Arch::mlp ? 1 : 0;
        to.out = &std::cout;
        to.stop = &interrupt_flag();
        if (a == Arch::logistic) fmt::print("3. training the baselines on the same split\n");
        const auto t = Clock::now();
        TrainResult r = train_model(train, to);
        if (r.interrupted) return interrupted(fmt::format("while training the {}", arch_name(a)));
        const fs::path mp = dir / (arch_name(a) + ".safetensors");
        save_model(r.model, mp);
        r.history.write_csv(mp.string() + ".history.csv");
        const bool plotted = a == Arch::mlp && tg::nn::plot_history(r.history, mp.string() + ".loss.png", {"loss", "val_loss"},
                                                              "MLP training loss");
        fmt::print("  {}: best epoch {} of {}, validation PR-AUC {}, {:.1f} s -> {}{}\n", r.model.describe(),
                   r.best_epoch + 1, r.history.epochs(), r.model.info.at("val_pr_auc"), since(t), mp.string(),
                   plotted ? fmt::format(" (loss plot {}.loss.png)", mp.string()) : "");
        if (a == Arch::mlp) fmt::print("\n");
        models.push_back(std::move(r.model));
        paths.push_back(mp.string());
    }

    fmt::print("\n4. comparison on the held-out test file {} ({} rows, {} fraud)\n", test_csv.string(),
               test.data.size(), test.fraud());
    std::vector<Evaluation> evals;
    for (std::size_t i = 0; i < models.size(); ++i) {
        evals.push_back(evaluate_model(models[i], test));
        evals.back().name = arch_name(models[i].arch);
    }
    fmt::print("{}", comparison_table(evals));
    fmt::print("\n  caught per fraud pattern (at each model's threshold)\n  {:<18}", "pattern");
    for (const auto& e : evals) fmt::print(" {:>11}", e.name);
    fmt::print("\n");
    for (std::size_t k = 1; k < n_patterns; ++k) {
        fmt::print("  {:<18}", pattern_name(Pattern(k)));
        for (const auto& e : evals)
            fmt::print(" {:>10.1f}%", e.pattern_rows[k] ? 100.0 * double(e.pattern_flagged[k]) / double(e.pattern_rows[k]) : 0.0);
        fmt::print("\n");
    }
    fmt::print("  {:<18}", "false alerts");
    for (const auto& e : evals) fmt::print(" {:>11}", e.confusion.fp());
    fmt::print("\n");
    const double margin_log = evals[0].pr_auc - evals[1].pr_auc, margin_per = evals[0].pr_auc - evals[2].pr_auc;
    fmt::print("  the MLP's PR-AUC is {:+.3f} over logistic regression and {:+.3f} over the perceptron\n\n", margin_log,
               margin_per);

    fmt::print("5. scoring the held-out stream {} with the MLP (threshold {:.4f})\n", stream_csv.string(),
               models[0].threshold);
    const fs::path alerts_path = dir / "alerts.jsonl", rejects_path = dir / "rejects.csv";
    const int fd = ::open(stream_csv.c_str(), O_RDONLY);
    if (fd < 0) throw std::runtime_error(fmt::format("{}: cannot open", stream_csv.string()));
    ScoreStats st;
    {
        TransactionReader reader(fd, stream_csv.string(), false);
        tg::nn::AtomicFile alerts(alerts_path), rejects_file(rejects_path);
        RejectWriter rejects([&](std::string_view s) { rejects_file.write(s); });
        ScoreOptions so;
        so.threshold = models[0].threshold;
        st = score_stream(models[0], reader, [&](std::string_view s) { alerts.write(s); }, rejects, so,
                          &interrupt_flag());
        ::close(fd);
        if (st.interrupted)
            return interrupted(fmt::format("while scoring, at line {} of the stream ({} rows read)", st.last_line,
                                           st.read));
        if (st.non_finite)
            throw std::runtime_error(fmt::format("{} of the stream's rows got no finite score (first at line {}); "
                                                 "{} and {} left as they were",
                                                 st.non_finite, st.first_non_finite_line, alerts_path.string(),
                                                 rejects_path.string()));
        tg::nn::commit_together(alerts, rejects_file);  // both new, or both as they were
    }
    fmt::print("  read={} scored={} flagged={} rejected={} rows_per_s={:.0f}\n", st.read, st.scored, st.flagged,
               st.rejected, st.rows_per_second());
    if (st.rejected) {
        std::string by;
        for (std::size_t r = 0; r < n_reject_kinds; ++r)
            if (st.rejects_by_reason[r]) by += fmt::format(" {}={}", reject_name(Reject(r)), st.rejects_by_reason[r]);
        fmt::print("  rejected lines by reason:{} -> {}\n", by, rejects_path.string());
    }
    if (st.labelled && st.fraud)
        fmt::print("  the stream's labels: {} of {} fraudulent rows alerted ({:.1f}%), {} false alerts ({:.2f}% of "
                   "legitimate rows) -> {}\n",
                   st.flagged_fraud, st.fraud, 100.0 * double(st.flagged_fraud) / double(st.fraud),
                   st.flagged - st.flagged_fraud,
                   100.0 * double(st.flagged - st.flagged_fraud) / double(std::max<std::uint64_t>(1, st.scored - st.fraud)),
                   alerts_path.string());

    fmt::print("\n6. top alerts, the strongest for each leading feature (each feature's contribution to the log-odds,\n"
               "   gradient x input by the autodiff engine, in brackets)\n");
    for (const AlertSummary& a : st.top_alerts)
        fmt::print("  {} line {:>7}  score {:.6f} (log-odds {:5.1f})  {}{}\n", a.id, a.line, a.score, a.logit, explain(a),
                   a.pattern.empty() ? "" : fmt::format("   [generated as {}]", a.pattern));
    fmt::print("\ndone in {:.1f} s. Next: 'tapegrad-fraud score --model {} --in FILE.csv --alerts A.jsonl --rejects "
               "R.csv', or 'tapegrad-fraud --help'.\n",
               since(t0), paths[0]);
    return 0;
}

}  // namespace fraud
