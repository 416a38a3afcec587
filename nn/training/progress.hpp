#pragma once
/// @ingroup nn
/// What fit() shows while it trains: a progress bar with rate, ETA and running
/// numbers on a terminal, else one line per epoch.
#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include "history.hpp"

namespace tg::nn {

/// Is this file descriptor's stream a terminal (for progress bars)?
bool is_terminal(int fd);

class Progress {
public:
    /// verbose 0: silent. bar: redraw one line per batch (on a terminal only).
    Progress(std::ostream& out, bool bar, int verbose) : out_(out), bar_(bar), verbose_(verbose) {}

    void epoch_begin(int epoch, int epochs, std::size_t batches);
    /// After batch `done` (1-based) of the epoch; running holds the numbers so far.
    void batch_end(std::size_t done, const Logs& running);
    /// The epoch's line, with the keys in order.
    void epoch_end(const Logs& logs, const std::vector<std::string>& order);
    /// A line of its own (ending a bar that is being drawn).
    void message(const std::string& text);

private:
    using Clock = std::chrono::steady_clock;
    std::ostream& out_;
    bool bar_;
    int verbose_;
    bool mid_bar_ = false;
    int epoch_ = 0, epochs_ = 0;
    std::size_t batches_ = 0;
    Clock::time_point start_, last_draw_;
};

}  // namespace tg::nn
