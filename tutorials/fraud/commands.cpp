// The subcommands: thin wrappers that turn parsed flags into calls of the
// demo's library (generator, train, evaluate, score, report).
#include "commands.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <iostream>

#include <fmt/format.h>

#include <tapegrad/dist/dist.hpp>
#include <tapegrad/nn/io/atomic_file.hpp>
#include <tapegrad/nn/io/plot.hpp>
#include <tapegrad/nn/io/same_file.hpp>

#include "interrupt.hpp"
#include "dataset.hpp"
#include "evaluate.hpp"
#include "generator.hpp"
#include "model_file.hpp"
#include "report.hpp"
#include "score.hpp"
#include "train.hpp"

namespace fraud {

int cmd_generate(const Args& args) {
    GeneratorOptions o;
    o.rows = args.u64("rows", 100000, 0, 4'000'000'000ull);
    o.seed = args.u64("seed", 1);
    o.fraud_rate = args.real("fraud-rate", 0.01, 0.0, 0.5);
    o.malformed_rate = args.real("malformed", 0.0, 0.0, 1.0);
    const std::string out = args.required("out");
    const auto t0 = std::chrono::steady_clock::now();
    tg::nn::AtomicFile file(out);
    const GeneratorStats s = generate(o, [&](std::string_view chunk) { file.write(chunk); }, &interrupt_flag());
    if (s.interrupted) {
        file.abandon();
        fmt::print(stderr, "generate: interrupted after {} of {} rows; {} left unchanged\n", s.rows, o.rows, out);
        return exit_interrupted;
    }
    file.commit();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fmt::print(stderr, "generate: wrote {} rows ({} fraud, {:.2f}%; {} malformed) to {} in {:.2f} s\n", s.rows,
               s.fraud, s.rows ? 100.0 * double(s.fraud) / double(s.rows) : 0.0, s.malformed, out, secs);
    return 0;
}

namespace {

/// A file named on the command line.
struct FileFlag {
    std::string_view flag;  ///< without the leading "--"
    std::string path;
    bool output;
};

bool is_char_device(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISCHR(st.st_mode);
}

/// Usage error when an output is the same file as an input or as another output,
/// however the two are spelt (tg::nn::same_file). Standard input and output ("-")
/// and character devices such as /dev/null, which lose nothing, may be shared.
void refuse_shared_files(const std::vector<FileFlag>& files) {
    for (std::size_t i = 0; i < files.size(); ++i)
        for (std::size_t j = i + 1; j < files.size(); ++j) {
            const FileFlag &a = files[i], &b = files[j];
            if (!(a.output || b.output) || a.path == "-" || b.path == "-") continue;
            if (!tg::nn::same_file(a.path, b.path) || is_char_device(a.path)) continue;
            const FileFlag& out = b.output ? b : a;
            const FileFlag& other = b.output ? a : b;
            throw UsageError(fmt::format("--{} '{}' and --{} '{}' are the same file: the {} would {}", other.flag,
                                         other.path, out.flag, out.path, out.flag,
                                         other.output ? "overwrite the other output" : "destroy the input"));
        }
}

/// Say how much of a loaded labelled file was usable.
void report_loaded(const std::string& path, const char* cmd, const LabelledData& d) {
    fmt::print(stderr, "{}: {}: {} rows, {} fraud ({:.2f}%), {} rejected\n", cmd, path, d.data.size(), d.fraud(),
               100.0 * double(d.fraud()) / double(d.data.size()), d.rejected);
}

/// Load a labelled file and say how much of it was usable.
LabelledData load_and_report(const std::string& path, const char* cmd) {
    LabelledData d = load_labelled(path);
    report_loaded(path, cmd, d);
    for (const std::string& r : d.first_rejects) fmt::print(stderr, "  rejected {}\n", r);
    return d;
}

struct TrainPaths {
    std::string data, model, history, plot;
};

/// Load, train, and (the chief alone, with several workers) write and report.
int train_and_write(TrainOptions o, const TrainPaths& paths) {
    const bool chief = !o.strategy || o.strategy->is_chief();
    LabelledData data;
    if (o.strategy) {  // each worker parses its part of the file; the rows are then exchanged
        data = load_labelled_everywhere(paths.data, *o.strategy);
        for (const std::string& r : data.first_rejects)
            fmt::print(stderr, "  rejected {} (rank {})\n", r, o.strategy->worker());
        if (chief) report_loaded(paths.data, "train", data);
    } else {
        data = load_and_report(paths.data, "train");
    }
    const TrainResult r = train_model(data, o);
    if (!chief) return r.interrupted ? exit_interrupted : 0;
    if (r.interrupted) {
        fmt::print(stderr, "train: interrupted after epoch {}; {} left unchanged\n", r.history.epochs(), paths.model);
        return exit_interrupted;
    }
    if (!r.history.stop_reason.empty() && o.verbose == 0) fmt::print(stderr, "train: {}\n", r.history.stop_reason);
    save_model(r.model, paths.model);
    r.history.write_csv(paths.history);
    const bool plotted =
        tg::nn::plot_history(r.history, paths.plot, {"loss", "val_loss"}, arch_name(o.arch) + " training loss");
    fmt::print(stderr,
               "train: {}: best epoch {} of {}, validation PR-AUC {} ROC-AUC {}, alert threshold {:.4f}, {:.1f} s{}\n"
               "train: wrote {}, {}{}\n",
               r.model.describe(), r.best_epoch + 1, r.history.epochs(), r.model.info.at("val_pr_auc"),
               r.model.info.at("val_roc_auc"), r.model.threshold, r.seconds,
               o.strategy ? fmt::format(" on {} processes", o.strategy->workers()) : "", paths.model, paths.history,
               plotted ? ", " + paths.plot : " (no gnuplot: no plot)");
    return 0;
}

}  // namespace

int cmd_train(const Args& args) {
    TrainOptions o;
    TrainPaths paths;
    paths.data = args.required("data");
    paths.model = args.required("model");
    try {
        o.arch = arch_from_name(args.str("arch", "mlp"));
        if (args.has("hidden")) {
            if (o.arch != Arch::mlp) throw UsageError("--hidden applies to --arch mlp only");
            o.hidden = parse_hidden(args.str("hidden"));
        }
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    o.epochs = int(args.u64("epochs", 30, 1, 100000));
    o.seed = args.u64("seed", 1);
    o.batch_size = args.u64("batch-size", 256, 1, 1u << 20);
    o.lr = args.real("lr", 0.0, 1e-9, 10.0);
    o.patience = int(args.u64("patience", 4, 1, 1000));
    o.val_fraction = args.real("val-fraction", 0.2, 0.01, 0.9);
    o.pos_weight = args.real_opt("pos-weight", 1e-6, 1e6);
    o.verbose = args.has("quiet") ? 0 : 1;
    o.out = &std::cerr;
    o.stop = &interrupt_flag();
    paths.history = args.str("history", paths.model + ".history.csv");
    paths.plot = args.str("plot", paths.model + ".loss.png");
    refuse_shared_files({{"data", paths.data, false},
                         {"model", paths.model, true},
                         {"history", paths.history, true},
                         {"plot", paths.plot, true}});

    // Started by mpirun (or srun) as one of several processes: train data-parallel.
    const int processes = tg::dist::launched_processes();
    if (processes == 1) return train_and_write(o, paths);
    if (!tg::dist::available())
        throw UsageError(fmt::format("started as one of {} processes (mpirun or srun), but this tapegrad-fraud was "
                                     "built without MPI: install libopenmpi-dev and rebuild (meson setup "
                                     "--reconfigure build -Dmpi=enabled)",
                                     processes));
    tg::dist::Environment mpi;
    o.strategy = tg::dist::data_parallel();
    try {
        return train_and_write(o, paths);
    } catch (const std::exception& e) {
        // The other ranks may be waiting in a collective: end them all with this message.
        tg::dist::abort_job(fmt::format("tapegrad-fraud train: rank {}: {}", tg::dist::rank(), e.what()));
    }
}

int cmd_evaluate(const Args& args) {
    const std::string data_path = args.required("data");
    const std::vector<std::string> model_paths = args.all("model");
    if (model_paths.empty()) throw UsageError("--model is required");
    const auto threshold = args.real_opt("threshold", 0.0, 1.0);
    const auto target_precision = args.real_opt("target-precision", 0.0, 1.0);
    const auto target_recall = args.real_opt("target-recall", 0.0, 1.0);
    std::vector<FraudModel> models;  // all loaded (and checked) before the data is read
    for (const std::string& p : model_paths) models.push_back(load_model(p));
    const LabelledData data = load_and_report(data_path, "evaluate");
    std::vector<Evaluation> evals;
    for (std::size_t i = 0; i < models.size(); ++i) {
        evals.push_back(evaluate_model(models[i], data, threshold, target_precision, target_recall));
        if (models.size() > 1) evals.back().name = fmt::format("{} [{}]", model_paths[i], arch_name(models[i].arch));
        else evals.back().name = fmt::format("{}: {}", model_paths[i], models[i].describe());
        fmt::print("{}\n", format_evaluation(evals.back()));
    }
    if (evals.size() > 1) fmt::print("comparison on {} ({} rows)\n{}", data_path, data.data.size(), comparison_table(evals));
    return 0;
}
int cmd_score(const Args& args) {
    const std::string model_path = args.required("model");
    const std::string in_path = args.required("in");
    const std::string alerts_path = args.required("alerts");
    const std::string rejects_path = args.required("rejects");
    if (rejects_path == "-") throw UsageError("--rejects needs a file (alerts may go to standard output)");
    refuse_shared_files({{"model", model_path, false},
                         {"in", in_path, false},
                         {"alerts", alerts_path, true},
                         {"rejects", rejects_path, true}});
    ScoreOptions so;
    const auto threshold = args.real_opt("threshold", 0.0, 1.0);
    so.top_features = args.u64("top-features", 3, 0, n_raw);
    so.batch_size = args.u64("batch-size", 4096, 1, 1u << 20);

    // Everything that can be wrong with the model or the header fails here, before any row is read.
    const FraudModel model = load_model(model_path);
    so.threshold = threshold.value_or(model.threshold);
    const int fd = in_path == "-" ? 0 : ::open(in_path.c_str(), O_RDONLY);
    if (fd < 0) throw std::runtime_error(fmt::format("{}: cannot open: {}", in_path, std::strerror(errno)));
    struct Closer {
        int fd;
        ~Closer() {
            if (fd > 0) ::close(fd);
        }
    } closer{fd};
    TransactionReader reader(fd, in_path == "-" ? "<stdin>" : in_path, false);

    tg::nn::AtomicFile alerts(alerts_path), rejects_file(rejects_path);
    RejectWriter rejects([&](std::string_view s) { rejects_file.write(s); });
    const ScoreStats st = score_stream(model, reader, [&](std::string_view s) { alerts.write(s); }, rejects, so,
                                       &interrupt_flag());
    std::FILE* summary = alerts_path == "-" ? stderr : stdout;  // keep a JSON stream on stdout clean
    if (st.interrupted) {
        rejects_file.abandon();
        if (alerts_path != "-") alerts.abandon();
        fmt::print(stderr,
                   "score: interrupted at input line {}: read {} rows (scored {}, flagged {}, rejected {}); "
                   "{} and {} left as they were\n",
                   st.last_line, st.read, st.scored, st.flagged, st.rejected, alerts_path, rejects_path);
        return exit_interrupted;
    }
    if (st.non_finite) {
        fmt::print(stderr,
                   "score: warning: {} rows not scored: non-finite score (the model's log-odds overflowed; first at "
                   "input line {})\n",
                   st.non_finite, st.first_non_finite_line);
        if (!args.has("allow-nan-scores")) {
            rejects_file.abandon();
            alerts.abandon();
            fmt::print(stderr, "score: failed: {} left as {} (--allow-nan-scores writes {} anyway)\n",
                       alerts_path == "-" ? rejects_path : alerts_path + " and " + rejects_path,
                       alerts_path == "-" ? "it was" : "they were", alerts_path == "-" ? "it" : "them");
            return 1;
        }
    }
    tg::nn::commit_together(alerts, rejects_file);  // both new, or both as they were
    if (st.rejected) {
        std::string by;
        for (std::size_t r = 0; r < n_reject_kinds; ++r)
            if (st.rejects_by_reason[r]) by += fmt::format(" {}={}", reject_name(Reject(r)), st.rejects_by_reason[r]);
        fmt::print(stderr, "score: rejected by reason:{} (see {})\n", by, rejects_path);
    }
    if (st.labelled && st.fraud)
        fmt::print(stderr, "score: the stream is labelled: {} of {} fraudulent rows flagged ({:.1f}%), {} false alerts\n",
                   st.flagged_fraud, st.fraud, 100.0 * double(st.flagged_fraud) / double(st.fraud),
                   st.flagged - st.flagged_fraud);
    fmt::print(summary, "read={} scored={} flagged={} rejected={}{} rows_per_s={:.0f}\n", st.read, st.scored, st.flagged,
               st.rejected, st.non_finite ? fmt::format(" not_scored={}", st.non_finite) : "", st.rows_per_second());
    return 0;
}
int cmd_demo(const Args& args) {
    DemoOptions o;
    o.dir = args.str("dir", "fraud-data");
    o.train_rows = args.u64("train-rows", o.train_rows, 1000, 100'000'000);
    o.stream_rows = args.u64("stream-rows", o.stream_rows, 1, 4'000'000'000ull);
    o.seed = args.u64("seed", 1);
    o.epochs = int(args.u64("epochs", 30, 1, 10000));
    return run_demo(o);
}

}  // namespace fraud
