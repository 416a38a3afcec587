#pragma once
/// @ingroup nn
/// Plots drawn with gnuplot when it is installed (the numbers are always in a
/// CSV beside: History::write_csv). Nothing here is needed to train.
#include <string>
#include <vector>

#include "../training/history.hpp"

namespace tg::nn {

/// The gnuplot program found on PATH, or "" when it is not installed.
std::string gnuplot_path();

/// Plot the history's keys (default: every key holding "loss") against the epoch
/// into a PNG. Returns false, writing nothing, when gnuplot is not installed or
/// there is nothing to plot; throws std::out_of_range for an unknown key and
/// IoError when gnuplot fails. The PNG is replaced atomically.
bool plot_history(const History& history, const std::string& png_path, const std::vector<std::string>& keys = {},
                  const std::string& title = "training history");

}  // namespace tg::nn
