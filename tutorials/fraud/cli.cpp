// Flag parsing, usage texts and dispatch. The subcommands themselves live in
// commands.cpp; this file only turns a command line into their options.
#include "cli.hpp"

#include <charconv>
#include <cstdio>
#include <exception>

#include <fmt/format.h>

#include "interrupt.hpp"
#include "commands.hpp"

namespace fraud {

// ---- Args -------------------------------------------------------------------

Args::Args(std::string_view command, const std::vector<FlagSpec>& specs, const std::vector<std::string_view>& argv)
    : command_(command) {
    for (std::size_t i = 0; i < argv.size(); ++i) {
        std::string_view a = argv[i];
        if (a == "--help" || a == "-h") {
            help_ = true;
            continue;
        }
        if (a.size() < 3 || a.substr(0, 2) != "--")
            throw UsageError(fmt::format("unexpected argument '{}' (flags start with --)", a));
        a.remove_prefix(2);
        std::string_view name = a, value;
        bool inline_value = false;
        if (const auto eq = a.find('='); eq != std::string_view::npos) {
            name = a.substr(0, eq);
            value = a.substr(eq + 1);
            inline_value = true;
        }
        const FlagSpec* spec = nullptr;
        for (const FlagSpec& s : specs)
            if (s.name == name) spec = &s;
        if (!spec) throw UsageError(fmt::format("unknown flag --{}", name));
        if (spec->value.empty()) {
            if (inline_value) throw UsageError(fmt::format("--{} takes no value", name));
        } else if (!inline_value) {
            if (i + 1 >= argv.size()) throw UsageError(fmt::format("--{} needs a value ({})", name, spec->value));
            value = argv[++i];
        }
        auto& slot = values_[std::string(name)];
        if (!slot.empty() && !spec->repeatable) throw UsageError(fmt::format("--{} given twice", name));
        slot.emplace_back(value);
    }
}

bool Args::has(std::string_view name) const { return values_.find(name) != values_.end(); }

std::string Args::str(std::string_view name, std::string_view fallback) const {
    const auto it = values_.find(name);
    return it == values_.end() ? std::string(fallback) : it->second.back();
}

std::vector<std::string> Args::all(std::string_view name) const {
    const auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::string Args::required(std::string_view name) const {
    if (!has(name)) throw UsageError(fmt::format("--{} is required", name));
    std::string v = str(name);
    if (v.empty()) throw UsageError(fmt::format("--{} must not be empty", name));
    return v;
}

std::uint64_t Args::u64(std::string_view name, std::uint64_t fallback, std::uint64_t min, std::uint64_t max) const {
    if (!has(name)) return fallback;
    const std::string s = str(name);
    std::uint64_t v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size() || s.empty())
        throw UsageError(fmt::format("--{}: '{}' is not a whole number", name, s));
    if (v < min || v > max) throw UsageError(fmt::format("--{}: {} outside [{}, {}]", name, v, min, max));
    return v;
}

std::optional<double> Args::real_opt(std::string_view name, double min, double max) const {
    if (!has(name)) return std::nullopt;
    const std::string s = str(name);
    double v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size() || s.empty() || !(v == v))
        throw UsageError(fmt::format("--{}: '{}' is not a number", name, s));
    if (v < min || v > max) throw UsageError(fmt::format("--{}: {} outside [{}, {}]", name, v, min, max));
    return v;
}

double Args::real(std::string_view name, double fallback, double min, double max) const {
    return real_opt(name, min, max).value_or(fallback);
}

// ---- usage ------------------------------------------------------------------

namespace {

struct Command {
    std::string_view name;
    std::string_view synopsis;
    std::string_view summary;
    std::vector<FlagSpec> flags;
    int (*run)(const Args&);
};

const std::vector<Command>& commands() {
    static const std::vector<Command> c{
        {"generate", "generate --rows N --seed S --out FILE.csv [--fraud-rate R]",
         "Write a synthetic card-transaction CSV with labelled fraud patterns (same seed, same bytes).",
         {{"rows", "N", "data rows to write (default 100000)"},
          {"seed", "S", "random seed (default 1)"},
          {"out", "FILE.csv", "output file, '-' for standard output (required)"},
          {"fraud-rate", "R", "expected share of fraudulent rows, 0..0.5 (default 0.01)"},
          {"malformed", "R", "share of rows replaced by malformed lines, 0..1 (default 0)"}},
         &cmd_generate},
        {"train", "train --data FILE.csv --model MODEL [--arch perceptron|logistic|mlp] [--hidden 64,32] [--epochs N] [--seed S]",
         "Train a model on a labelled CSV; writes MODEL (safetensors), MODEL.history.csv and a loss plot.",
         {{"data", "FILE.csv", "labelled transactions (required)"},
          {"model", "MODEL", "output model file (required)"},
          {"arch", "NAME", "perceptron, logistic or mlp (default mlp)"},
          {"hidden", "SIZES", "hidden layer sizes of the MLP, comma-separated (default 64,32)"},
          {"epochs", "N", "maximum epochs (default 30; early stopping may end sooner)"},
          {"seed", "S", "seed for the split, initialisation and shuffling (default 1)"},
          {"batch-size", "N", "mini-batch size (default 256)"},
          {"lr", "X", "learning rate (default 0.003 for Adam, 0.01 for the perceptron)"},
          {"patience", "N", "epochs without validation improvement before stopping (default 4)"},
          {"val-fraction", "F", "share of rows held out for validation (default 0.2)"},
          {"pos-weight", "W", "weight of the fraud class in the loss (default: legit/fraud ratio, capped at 50)"},
          {"history", "FILE.csv", "per-epoch history (default MODEL.history.csv)"},
          {"plot", "FILE.png", "loss plot, drawn with gnuplot when installed (default MODEL.loss.png)"},
          {"quiet", "", "no progress output"}},
         &cmd_train},
        {"evaluate", "evaluate --data FILE.csv --model MODEL [--model MODEL2 ...] [--threshold T]",
         "Precision, recall, F1, ROC-AUC, PR-AUC and the confusion matrix; several --model give a comparison table.",
         {{"data", "FILE.csv", "labelled transactions (required)"},
          {"model", "MODEL", "model file (required; repeat to compare models)", true},
          {"threshold", "T", "decision threshold on the fraud probability (default: the model's)"},
          {"target-precision", "P", "also report the threshold reaching this precision on the data"},
          {"target-recall", "R", "also report the threshold reaching this recall on the data"}},
         &cmd_evaluate},
        {"score", "score --model MODEL --in FILE.csv|- --alerts ALERTS.jsonl --rejects REJECTS.csv [--threshold T]",
         "Score a transaction stream in bounded memory: alerts as JSON lines, malformed rows to the rejects file.",
         {{"model", "MODEL", "model file (required)"},
          {"in", "FILE.csv", "transactions, '-' for standard input (required)"},
          {"alerts", "FILE.jsonl", "alerts output, '-' for standard output (required)"},
          {"rejects", "FILE.csv", "rejected lines with line number and reason (required)"},
          {"threshold", "T", "alert threshold on the fraud probability (default: the model's)"},
          {"top-features", "K", "features listed per alert (default 3)"},
          {"batch-size", "N", "rows scored together (default 4096)"},
          {"allow-nan-scores", "", "write the outputs even when some rows get no finite score"}},
         &cmd_score},
        {"serve", "serve --model MODEL [--host 127.0.0.1] [--port 8080] [--threshold T] [--alerts FILE.jsonl]",
         "Score transactions over HTTP (POST /v1/score), micro-batched; hot model reload; Prometheus metrics.",
         {{"model", "MODEL", "model file (required); read again on SIGHUP or POST /v1/reload"},
          {"host", "ADDR", "address to listen on (default 127.0.0.1)"},
          {"port", "N", "port to listen on, 0 for any free one (default 8080)"},
          {"threshold", "T", "alert threshold on the fraud probability (default: the model's)"},
          {"alerts", "FILE.jsonl", "append each flagged transaction to this file, one JSON line (default: none)"},
          {"top-features", "K", "features listed per flagged transaction (default 3)"},
          {"max-batch", "N", "transactions scored together at most (default 1024)"},
          {"max-wait-us", "US", "longest wait for more requests to batch, while some are arriving (default 200)"},
          {"threads", "N", "HTTP threads, the most connections served at once (default 32)"},
          {"max-body-bytes", "N", "longest request body; longer ones get 413 (default 1048576)"},
          {"timeout-ms", "MS", "read and write timeout of a connection (default 5000)"}},
         &cmd_serve},
        {"loadtest", "loadtest --url http://127.0.0.1:8080 [--rate R | --clients C] [--batch B] [--requests N] [--seconds S]",
         "Load a running scoring service; prints throughput and latency percentiles as one line.",
         {{"url", "URL", "the service, http://HOST:PORT (default http://127.0.0.1:8080)"},
          {"rate", "R", "requests per second over all clients (default 0: each client as fast as it can)"},
          {"clients", "C", "concurrent clients, one keep-alive connection each (default 4)"},
          {"batch", "B", "transactions per request; 1 sends single objects (default 1)"},
          {"requests", "N", "stop after N requests (default 100000)"},
          {"seconds", "S", "stop after S seconds (default 10)"},
          {"warmup", "N", "requests sent first and not measured (default 200)"},
          {"seed", "S", "seed of the generated transactions (default 5)"}},
         &cmd_loadtest},
        {"demo", "demo [--dir DIR] [--train-rows N] [--stream-rows N]",
         "The default run: generate data if absent, train and compare models, score a held-out stream, report.",
         {{"dir", "DIR", "where data, models and outputs go (default fraud-data)"},
          {"train-rows", "N", "rows of the training file (default 200000)"},
          {"stream-rows", "N", "rows of the held-out stream (default 1000000)"},
          {"seed", "S", "seed of the training data (the test file uses S+1, the stream S+2; default 1)"},
          {"epochs", "N", "maximum epochs per model (default 30)"}},
         &cmd_demo},
    };
    return c;
}

std::string command_help(const Command& c) {
    std::string s = fmt::format("usage: tapegrad-fraud {}\n\n{}\n\nflags:\n", c.synopsis, c.summary);
    for (const FlagSpec& f : c.flags) {
        const std::string left = f.value.empty() ? fmt::format("--{}", f.name) : fmt::format("--{} {}", f.name, f.value);
        s += fmt::format("  {:<24} {}\n", left, f.help);
    }
    s += fmt::format("  {:<24} {}\n", "--help", "show this help");
    return s;
}

std::string main_help() {
    std::string s =
        "usage: tapegrad-fraud [COMMAND] [FLAGS]\n\n"
        "Fraud detection on card-transaction streams with tapegrad. Without a command, runs the demo.\n\n"
        "commands:\n";
    for (const Command& c : commands()) s += fmt::format("  {:<10} {}\n", c.name, c.summary);
    s += "\n'tapegrad-fraud COMMAND --help' describes a command's flags.\n"
         "exit codes: 0 success, 1 error, 2 usage error, 130 interrupted (Ctrl-C).\n";
    return s;
}

}  // namespace

int cli_main(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    const Command* cmd = nullptr;
    if (args.empty() || args[0].substr(0, 2) == "--") {
        if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
            std::fputs(main_help().c_str(), stdout);
            return 0;
        }
        cmd = &commands().back();  // the demo
    } else {
        if (args[0] == "help") {
            std::fputs(main_help().c_str(), stdout);
            return 0;
        }
        for (const Command& c : commands())
            if (c.name == args[0]) cmd = &c;
        if (!cmd) {
            fmt::print(stderr, "tapegrad-fraud: unknown command '{}'\n\n{}", args[0], main_help());
            return 2;
        }
        args.erase(args.begin());
    }
    try {
        const Args parsed(cmd->name, cmd->flags, args);
        if (parsed.help()) {
            std::fputs(command_help(*cmd).c_str(), stdout);
            return 0;
        }
        install_interrupt_handler();
        return cmd->run(parsed);
    } catch (const UsageError& e) {
        fmt::print(stderr, "tapegrad-fraud {}: {}\n\n{}", cmd->name, e.what(), command_help(*cmd));
        return 2;
    } catch (const std::exception& e) {
        std::fflush(stdout);
        fmt::print(stderr, "tapegrad-fraud {}: error: {}\n", cmd->name, e.what());
        return 1;
    }
}

}  // namespace fraud
