#include "progress.hpp"

#include <unistd.h>

#include <cmath>
#include <ostream>

#include <fmt/format.h>

namespace tg::nn {

namespace {

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

constexpr std::size_t kBarWidth = 30;

}  // namespace

bool is_terminal(int fd) { return ::isatty(fd) == 1; }

void Progress::epoch_begin(int epoch, int epochs, std::size_t batches) {
    epoch_ = epoch;
    epochs_ = epochs;
    batches_ = batches;
    start_ = Clock::now();
    last_draw_ = start_ - std::chrono::seconds(1);
}

void Progress::batch_end(std::size_t done, const Logs& running) {
    if (verbose_ == 0 || !bar_) return;
    const auto now = Clock::now();
    if (done != batches_ && now - last_draw_ < std::chrono::milliseconds(100)) return;  // redraw at most 10 times a second
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
    const double eta = rate > 0 ? static_cast<double>(batches_ - done) / rate : NAN;
    const std::size_t filled = batches_ ? done * kBarWidth / batches_ : kBarWidth;
    std::string bar(filled, '=');
    if (filled < kBarWidth) bar += '>' + std::string(kBarWidth - filled - 1, '.');
    std::string line = fmt::format("\rEpoch {}/{} [{}] {}/{}  {:.1f} batch/s  ETA {}", epoch_ + 1, epochs_, bar, done,
                                   batches_, rate, duration(eta));
    if (auto it = running.find("loss"); it != running.end()) line += fmt::format("  loss {:.4f}", it->second);
    for (const auto& [k, v] : running)
        if (k != "loss") line += fmt::format("  {} {:.4f}", k, v);
    out_ << line << "\x1b[K" << std::flush;  // clear the rest of the line
    mid_bar_ = true;
}

void Progress::epoch_end(const Logs& logs, const std::vector<std::string>& order) {
    mid_bar_ = false;
    if (verbose_ == 0) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    if (bar_)
        out_ << fmt::format("\rEpoch {}/{} [{}] {}/{}  {:.2f}s{}", epoch_ + 1, epochs_, std::string(kBarWidth, '='),
                            batches_, batches_, elapsed, format_logs(logs, order))
             << "\x1b[K\n"
             << std::flush;
    else
        out_ << fmt::format("epoch {}/{}{}  ({:.2f}s)\n", epoch_ + 1, epochs_, format_logs(logs, order), elapsed)
             << std::flush;
}

void Progress::message(const std::string& text) {
    if (mid_bar_) out_ << "\n";
    mid_bar_ = false;
    if (verbose_ != 0) out_ << text << "\n" << std::flush;
}

}  // namespace tg::nn
