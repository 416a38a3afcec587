#include "train.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "../graph/grad_mode.hpp"
#include "../ops/ops.hpp"
#include "clip.hpp"
#include "io/safetensors.hpp"

namespace tg::nn {

namespace {

using Clock = std::chrono::steady_clock;

bool lower_is_better(const std::string& key) {
    return key.find("loss") != std::string::npos || key.find("mse") != std::string::npos ||
           key.find("mae") != std::string::npos;
}

bool minimizes(Mode mode, const std::string& key) {
    return mode == Mode::automatic ? lower_is_better(key) : mode == Mode::min;
}

double monitored(const Logs& logs, const std::string& key, const char* who) {
    auto it = logs.find(key);
    if (it == logs.end()) {
        std::vector<std::string> known;
        for (const auto& [k, v] : logs) known.push_back(k);
        throw std::invalid_argument(fmt::format("{}: no '{}' in the epoch's logs (known: {}); add validation data or "
                                                "the metric, or monitor another key",
                                                who, key, fmt::join(known, ", ")));
    }
    return it->second;
}

NamedTensors snapshot(const Module& model) {
    NoGradGuard no_grad;
    NamedTensors out;
    for (const auto& [n, t] : model.state_dict()) out.emplace_back(n, t.clone());
    return out;
}

std::string duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "--:--";
    const auto s = static_cast<long long>(seconds + 0.5);
    if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
    return fmt::format("{:02}:{:02}", s / 60, s % 60);
}

std::string format_logs(const Logs& logs, const std::vector<std::string>& order) {
    std::string out;
    for (const auto& k : order) {
        auto it = logs.find(k);
        if (it == logs.end()) continue;
        out += fmt::format("  {} {:.4g}", k, it->second);
    }
    return out;
}

/// Batched forward of data in eval mode without recording; returns (outputs, weighted mean loss).
std::pair<Tensor, double> run_eval(Module& model, const LossFn& loss, const Dataset& data, std::size_t batch_size) {
    NoGradGuard no_grad;
    const bool was_training = model.is_training();
    model.eval();
    std::vector<Tensor> outs;
    double total = 0;
    const std::size_t n = data.size();
    try {
        for (std::size_t start = 0; start < n; start += batch_size) {
            const std::size_t stop = std::min(n, start + batch_size);
            const Tensor x = start == 0 && stop == n ? data.x : slice(data.x, 0, static_cast<std::int64_t>(start),
                                                                      static_cast<std::int64_t>(stop));
            const Tensor out = model(x);
            if (loss && data.y.defined()) {
                const Tensor y = start == 0 && stop == n ? data.y : slice(data.y, 0, static_cast<std::int64_t>(start),
                                                                          static_cast<std::int64_t>(stop));
                total += loss(out, y).item() * static_cast<double>(stop - start);
            }
            outs.push_back(out);
        }
    } catch (...) {
        model.train(was_training);
        throw;
    }
    model.train(was_training);
    Tensor all = outs.size() == 1 ? outs[0] : concat(outs, 0);
    return {all, n ? total / static_cast<double>(n) : 0.0};
}

/// Running value shown on the progress bar: cheap metrics as batch-weighted averages.
bool streamable(const std::string& name) { return name == "accuracy" || name == "acc" || name == "mse" || name == "mae"; }

class Progress {
public:
    Progress(std::ostream& out, bool bar, int verbose) : out_(out), bar_(bar), verbose_(verbose) {}

    void epoch_begin(int epoch, int epochs, std::size_t batches) {
        epoch_ = epoch;
        epochs_ = epochs;
        batches_ = batches;
        start_ = Clock::now();
        last_draw_ = start_ - std::chrono::seconds(1);
    }

    void batch_end(std::size_t done, const Logs& running) {
        if (verbose_ == 0 || !bar_) return;
        const auto now = Clock::now();
        if (done != batches_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
        last_draw_ = now;
        const double elapsed = std::chrono::duration<double>(now - start_).count();
        const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
        const double eta = rate > 0 ? static_cast<double>(batches_ - done) / rate : NAN;
        constexpr std::size_t width = 30;
        const std::size_t filled = batches_ ? done * width / batches_ : width;
        std::string bar(filled, '=');
        if (filled < width) bar += '>' + std::string(width - filled - 1, '.');
        std::string line = fmt::format("\rEpoch {}/{} [{}] {}/{}  {:.1f} batch/s  ETA {}", epoch_ + 1, epochs_, bar,
                                       done, batches_, rate, duration(eta));
        if (auto it = running.find("loss"); it != running.end()) line += fmt::format("  loss {:.4f}", it->second);
        for (const auto& [k, v] : running)
            if (k != "loss") line += fmt::format("  {} {:.4f}", k, v);
        out_ << line << "\x1b[K" << std::flush;  // clear the rest of the line
    }

    void epoch_end(const Logs& logs, const std::vector<std::string>& order) {
        if (verbose_ == 0) return;
        const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
        if (bar_)
            out_ << fmt::format("\rEpoch {}/{} [{}] {}/{}  {:.2f}s{}", epoch_ + 1, epochs_, std::string(30, '='),
                                batches_, batches_, elapsed, format_logs(logs, order))
                 << "\x1b[K\n"
                 << std::flush;
        else
            out_ << fmt::format("epoch {}/{}{}  ({:.2f}s)\n", epoch_ + 1, epochs_, format_logs(logs, order), elapsed)
                 << std::flush;
    }

    void message(const std::string& text) {
        if (verbose_ != 0) out_ << text << "\n" << std::flush;
    }

private:
    std::ostream& out_;
    bool bar_;
    int verbose_;
    int epoch_ = 0, epochs_ = 0;
    std::size_t batches_ = 0;
    Clock::time_point start_, last_draw_;
};

}  // namespace

bool is_terminal(int fd) { return ::isatty(fd) == 1; }

// ---- History ------------------------------------------------------------------------

void History::append(const Logs& logs, const std::vector<std::string>& order) {
    for (const auto& k : order)
        if (logs.count(k) && !values_.count(k)) {
            keys_.push_back(k);
            values_.emplace(k, std::vector<double>(epochs_, NAN));
        }
    for (const auto& [k, v] : logs) {
        auto it = values_.find(k);
        if (it == values_.end()) {
            keys_.push_back(k);
            it = values_.emplace(k, std::vector<double>(epochs_, NAN)).first;
        }
        it->second.push_back(v);
    }
    ++epochs_;
    for (auto& [k, v] : values_)
        if (v.size() < epochs_) v.push_back(NAN);  // a key missing this epoch
}

const std::vector<double>& History::operator[](const std::string& key) const {
    auto it = values_.find(key);
    if (it == values_.end())
        throw std::out_of_range(fmt::format("History: no '{}' (known: {})", key, fmt::join(keys_, ", ")));
    return it->second;
}

std::size_t History::best_epoch(const std::string& key) const {
    const auto& v = (*this)[key];
    if (v.empty()) throw std::out_of_range("History::best_epoch: no epochs");
    const bool lower = lower_is_better(key);
    std::size_t best = 0;
    for (std::size_t i = 1; i < v.size(); ++i)
        if (lower ? v[i] < v[best] : v[i] > v[best]) best = i;
    return best;
}

void History::write_csv(const std::string& path) const {
    std::ostringstream os;
    os << "epoch";
    for (const auto& k : keys_) os << "," << k;
    os << "\n";
    for (std::size_t e = 0; e < epochs_; ++e) {
        os << e + 1;
        for (const auto& k : keys_) os << "," << fmt::format("{:.9g}", values_.at(k)[e]);
        os << "\n";
    }
    const std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f) throw IoError(fmt::format("History::write_csv: cannot create '{}'", tmp));
        f << os.str();
        f.flush();
        if (!f) {
            std::remove(tmp.c_str());
            throw IoError(fmt::format("History::write_csv: writing '{}' failed", tmp));
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw IoError(fmt::format("History::write_csv: cannot rename '{}' to '{}': {}", tmp, path, ec.message()));
}

namespace {

std::string find_on_path(const std::string& program) {
    const char* path = std::getenv("PATH");
    if (!path) return {};
    std::string dirs = path;
    std::size_t start = 0;
    while (start <= dirs.size()) {
        const std::size_t colon = dirs.find(':', start);
        const std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
        const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + program;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    return {};
}

std::string gnuplot_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

}  // namespace

bool History::plot(const std::string& png_path, const std::vector<std::string>& keys, const std::string& title) const {
    const std::string gnuplot = find_on_path("gnuplot");
    if (gnuplot.empty()) return false;
    std::vector<std::string> chosen = keys;
    if (chosen.empty())
        for (const auto& k : keys_)
            if (k.find("loss") != std::string::npos) chosen.push_back(k);
    for (const auto& k : chosen) (void)(*this)[k];  // throws for an unknown key
    if (chosen.empty() || epochs_ == 0) return false;

    const std::string data = png_path + ".plot.csv", script = png_path + ".plot.gp", tmp_png = png_path + ".tmp";
    {
        std::ofstream d(data);
        for (std::size_t e = 0; e < epochs_; ++e) {
            d << e + 1;
            for (const auto& k : chosen) d << " " << fmt::format("{:.9g}", values_.at(k)[e]);
            d << "\n";
        }
        std::ofstream g(script);
        g << "set terminal pngcairo size 900,540 noenhanced\n"
          << "set output " << gnuplot_quote(tmp_png) << "\n"
          << "set title " << gnuplot_quote(title) << "\nset xlabel 'epoch'\nset grid\nset key outside right\n"
          << "plot ";
        for (std::size_t i = 0; i < chosen.size(); ++i)
            g << (i ? ", " : "") << gnuplot_quote(data) << " using 1:" << i + 2 << " with linespoints title "
              << gnuplot_quote(chosen[i]);
        g << "\n";
    }
    const std::string cmd = fmt::format("'{}' '{}' 2>/dev/null", gnuplot, script);
    int rc = std::system(cmd.c_str());
    if (rc != 0) {  // no cairo terminal: the plain png terminal
        std::string text;
        {
            std::ifstream in(script);
            std::stringstream ss;
            ss << in.rdbuf();
            text = ss.str();
        }
        text.replace(text.find("pngcairo"), 8, "png");
        std::ofstream(script) << text;
        rc = std::system(cmd.c_str());
    }
    std::remove(data.c_str());
    std::remove(script.c_str());
    if (rc != 0) {
        std::remove(tmp_png.c_str());
        throw IoError(fmt::format("History::plot: gnuplot failed (exit status {})", rc));
    }
    std::error_code ec;
    std::filesystem::rename(tmp_png, png_path, ec);
    if (ec) throw IoError(fmt::format("History::plot: cannot write '{}': {}", png_path, ec.message()));
    return true;
}

// ---- callbacks ------------------------------------------------------------------------

void EarlyStopping::on_train_begin(TrainState&) {
    minimize_ = minimizes(o_.mode, o_.monitor);
    best_ = minimize_ ? HUGE_VAL : -HUGE_VAL;
    best_epoch_ = stopped_epoch_ = -1;
    wait_ = 0;
    best_state_.clear();
}

void EarlyStopping::on_epoch_end(TrainState& s, Logs& logs) {
    const double v = monitored(logs, o_.monitor, "EarlyStopping");
    const bool better = minimize_ ? v < best_ - o_.min_delta : v > best_ + o_.min_delta;
    if (better) {
        best_ = v;
        best_epoch_ = s.epoch;
        wait_ = 0;
        if (o_.restore_best_weights) best_state_ = snapshot(s.model);
        return;
    }
    if (++wait_ >= o_.patience) {
        stopped_epoch_ = s.epoch;
        s.stop_training = true;
        s.history.stop_reason = fmt::format("early stopping: {} did not improve for {} epochs (best {:.6g} at epoch {})",
                                            o_.monitor, o_.patience, best_, best_epoch_ + 1);
    }
}

void EarlyStopping::on_train_end(TrainState& s) {
    if (o_.restore_best_weights && !best_state_.empty() && best_epoch_ != s.epoch)
        s.model.load_state_dict(best_state_);
}

void ModelCheckpoint::on_train_begin(TrainState&) {
    minimize_ = minimizes(o_.mode, o_.monitor);
    have_best_ = false;
}

void ModelCheckpoint::on_epoch_end(TrainState& s, Logs& logs) {
    if (o_.save_best_only) {
        const double v = monitored(logs, o_.monitor, "ModelCheckpoint");
        const bool better = !have_best_ || (minimize_ ? v < best_ : v > best_);
        if (!better) return;
        best_ = v;
        have_best_ = true;
    }
    std::string path = o_.path;
    for (std::size_t at; (at = path.find("{epoch}")) != std::string::npos;)
        path.replace(at, 7, std::to_string(s.epoch + 1));
    SaveOptions so;
    so.optimizer = o_.save_optimizer ? &s.optimizer : nullptr;
    so.metadata["epoch"] = std::to_string(s.epoch + 1);
    for (const auto& [k, v] : logs) so.metadata["logs." + k] = fmt::format("{:.9g}", v);
    save(s.model, path, so);
    saved_.push_back(path);
}

// ---- fit, evaluate, predict -------------------------------------------------------------

Logs evaluate(Module& model, const LossFn& loss, const Dataset& data, const EvaluateOptions& options) {
    if (data.empty()) throw std::invalid_argument("evaluate: the data set is empty");
    if (options.batch_size == 0) throw std::invalid_argument("evaluate: batch_size must be positive");
    const auto [outputs, mean_loss] = run_eval(model, loss, data, options.batch_size);
    Logs logs;
    if (loss && data.y.defined()) logs["loss"] = mean_loss;
    for (const Metric& m : options.metrics) {
        if (!data.y.defined()) throw std::invalid_argument("evaluate: metrics need targets (y)");
        logs[m.name] = m.fn(outputs, data.y);
    }
    return logs;
}

Tensor predict(Module& model, const Tensor& x, std::size_t batch_size) {
    check_defined("predict", x);
    if (batch_size == 0) throw std::invalid_argument("predict: batch_size must be positive");
    return run_eval(model, {}, Dataset(x), batch_size).first;
}

History fit(Module& model, const LossFn& loss, optim::Optimizer& optimizer, const Dataset& train_in,
            const FitOptions& options) {
    if (!loss) throw std::invalid_argument("fit: no loss function");
    if (options.epochs < 0) throw std::invalid_argument("fit: epochs must be >= 0");
    if (options.batch_size == 0) throw std::invalid_argument("fit: batch_size must be positive");
    if (!train_in.y.defined()) throw std::invalid_argument("fit: the training data has no targets (y)");
    if (train_in.empty()) throw std::invalid_argument("fit: the training data set is empty");
    if (!(options.validation_split >= 0 && options.validation_split < 1))
        throw std::invalid_argument(fmt::format("fit: validation_split {} must be in [0, 1)", options.validation_split));

    Dataset train = train_in, validation = options.validation;
    if (validation.empty() && options.validation_split > 0) {
        const std::size_t n = train_in.size();
        const auto n_val = static_cast<std::size_t>(std::ceil(options.validation_split * static_cast<double>(n)));
        if (n_val == 0 || n_val >= n) throw std::invalid_argument("fit: validation_split leaves no rows on one side");
        train = train_in.slice(0, n - n_val);
        validation = train_in.slice(n - n_val, n);
    }
    if (!validation.empty() && !validation.y.defined())
        throw std::invalid_argument("fit: the validation data has no targets (y)");

    std::ostream& out = options.out ? *options.out : std::cout;
    const bool tty = options.verbose == 1 && &out == &std::cout && is_terminal(STDOUT_FILENO);
    Progress progress(out, tty, options.verbose);

    History history;
    TrainState state{model, optimizer, history, 0, options.epochs, false};
    DataLoader loader(train, {.batch_size = options.batch_size, .shuffle = options.shuffle, .drop_last = false,
                              .seed = options.seed});
    std::vector<std::string> order{"loss"};
    for (const Metric& m : options.metrics) order.push_back(m.name);
    if (!validation.empty()) {
        order.push_back("val_loss");
        for (const Metric& m : options.metrics) order.push_back("val_" + m.name);
    }
    order.push_back("lr");

    for (auto& cb : options.callbacks) cb->on_train_begin(state);
    model.train();
    for (int epoch = 0; epoch < options.epochs; ++epoch) {
        state.epoch = epoch;
        for (auto& cb : options.callbacks) cb->on_epoch_begin(state);
        progress.epoch_begin(epoch, options.epochs, loader.size());
        model.train();
        double total = 0;
        std::size_t seen = 0, done = 0;
        std::vector<Tensor> outputs, targets;
        Logs running;
        bool diverged = false;
        for (const Batch& b : loader) {
            optimizer.zero_grad();
            const Tensor out_b = model(b.x);
            const Tensor l = loss(out_b, b.y);
            if (l.size() != 1)
                throw ShapeError(fmt::format("fit: the loss must be one number, got shape {} (use a mean or sum "
                                             "reduction)",
                                             shape_str(l.shape())));
            const double lv = l.item();
            if (!std::isfinite(lv)) {
                history.stop_reason = fmt::format("the loss became {} at epoch {}, batch {}: training stopped (lower "
                                                  "the learning rate, standardise the inputs, or clip gradients)",
                                                  lv, epoch + 1, done + 1);
                diverged = true;
                break;
            }
            l.backward();
            if (options.clip_grad_norm > 0) clip_grad_norm_(optimizer.params(), options.clip_grad_norm);
            optimizer.step();
            const std::size_t nb = b.x.size(0);
            total += lv * static_cast<double>(nb);
            seen += nb;
            ++done;
            if (!options.metrics.empty()) {
                outputs.push_back(out_b.detach());
                targets.push_back(b.y);
            }
            if (tty) {
                running["loss"] = total / static_cast<double>(seen);
                for (const Metric& m : options.metrics)
                    if (streamable(m.name)) {
                        const double prev = running.count(m.name) ? running[m.name] : 0.0;
                        const double v = m.fn(outputs.back(), b.y);
                        running[m.name] = prev + (v - prev) * static_cast<double>(nb) / static_cast<double>(seen);
                    }
            }
            for (auto& cb : options.callbacks) cb->on_batch_end(state, done - 1, lv);
            progress.batch_end(done, running);
        }
        if (diverged) {
            if (tty) out << "\n";
            progress.message("fit: " + history.stop_reason);
            if (options.verbose == 0) std::cerr << "fit: " << history.stop_reason << "\n";
            break;
        }

        Logs logs;
        logs["loss"] = seen ? total / static_cast<double>(seen) : NAN;
        if (!options.metrics.empty() && !outputs.empty()) {
            const Tensor all_out = outputs.size() == 1 ? outputs[0] : concat(outputs, 0);
            const Tensor all_y = targets.size() == 1 ? targets[0] : concat(targets, 0);
            for (const Metric& m : options.metrics) logs[m.name] = m.fn(all_out, all_y);
        }
        if (!validation.empty()) {
            const auto [val_out, val_loss] = run_eval(model, loss, validation, std::max<std::size_t>(options.batch_size, 256));
            logs["val_loss"] = val_loss;
            for (const Metric& m : options.metrics) logs["val_" + m.name] = m.fn(val_out, validation.y);
        }
        logs["lr"] = optimizer.lr();
        for (auto& cb : options.callbacks) cb->on_epoch_end(state, logs);
        std::vector<std::string> shown = order;
        for (const auto& [k, v] : logs)
            if (std::find(shown.begin(), shown.end(), k) == shown.end()) shown.push_back(k);
        history.append(logs, shown);
        progress.epoch_end(logs, shown);
        if (options.scheduler) {
            if (options.scheduler->needs_metric())
                options.scheduler->step(logs.count("val_loss") ? logs["val_loss"] : logs["loss"]);
            else
                options.scheduler->step();
        }
        if (state.stop_training) {
            progress.message(history.stop_reason.empty() ? "training stopped by a callback" : history.stop_reason);
            break;
        }
    }
    for (auto& cb : options.callbacks) cb->on_train_end(state);
    return history;
}

}  // namespace tg::nn
