#include "report.hpp"

#include <cstdlib>
#include <fstream>
#include <ostream>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <tapegrad/tapegrad.hpp>

namespace tut {

namespace fs = std::filesystem;

bool gnuplot_available() {
    static const bool found = !tg::nn::gnuplot_path().empty();
    return found;
}

void write_file_atomic(const fs::path& path, const std::string& text) { tg::nn::write_file_atomically(path, text, "tutorial"); }

namespace {

// Quote a path for /bin/sh: inside single quotes everything is literal but the quote itself.
std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

}  // namespace

Report::Report(std::ostream& out, std::string topic, fs::path dir, bool run_gnuplot)
    : out(out), topic_(std::move(topic)), dir_(std::move(dir) / topic_), run_gnuplot_(run_gnuplot) {}

void Report::section(const std::string& title) { fmt::print(out, "\n=== {} ===\n", title); }

void Report::csv(const std::string& name, const std::vector<std::string>& header,
                 const std::vector<std::vector<double>>& rows) {
    fs::create_directories(dir_);
    std::string text = fmt::format("{}\n", fmt::join(header, ","));
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i) fmt::format_to(std::back_inserter(text), "{}{:.10g}", i ? "," : "", row[i]);
        text += '\n';
    }
    const fs::path path = dir_ / (name + ".csv");
    write_file_atomic(path, text);
    files_.push_back(fmt::format("wrote {}", path.string()));
}

void Report::text_file(const std::string& filename, const std::string& text) {
    fs::create_directories(dir_);
    const fs::path path = dir_ / filename;
    write_file_atomic(path, text);
    files_.push_back(fmt::format("wrote {}", path.string()));
}

void Report::gnuplot(const std::string& name, const std::string& script) {
    fs::create_directories(dir_);
    const std::string full = fmt::format(
        "# Run in this directory: gnuplot {0}.gp  (reads the CSV files here, writes {0}.png)\n"
        "set terminal pngcairo size 900,600 noenhanced font 'sans,10'\n"
        "set output '{0}.png'\n"
        "set datafile separator ','\n"
        "set key autotitle columnhead\n"
        "{1}",
        name, script);
    write_file_atomic(dir_ / (name + ".gp"), full);
    if (!run_gnuplot_) return;
    if (!gnuplot_available()) {
        skipped_png_ = true;
        return;
    }
    const std::string cmd =
        fmt::format("cd {} && gnuplot {} >/dev/null 2>&1", shell_quote(dir_.string()), shell_quote(name + ".gp"));
    const int rc = std::system(cmd.c_str());
    if (rc == 0)
        files_.push_back(fmt::format("wrote {}", (dir_ / (name + ".png")).string()));
    else
        files_.push_back(fmt::format("gnuplot failed on {} (the script is there to inspect)", (dir_ / (name + ".gp")).string()));
}

void Report::files_summary() {
    if (files_.empty()) return;
    section("Files");
    for (const std::string& line : files_) fmt::print(out, "{}\n", line);
    fmt::print(out, "(each .gp file is the gnuplot script of the PNG of the same name: run `gnuplot NAME.gp` in {})\n",
               dir_.string());
    if (skipped_png_) fmt::print(out, "gnuplot is not installed, so no PNG was drawn: install it and run the scripts.\n");
}

void history_files(Report& report, const tg::nn::History& h, const std::string& accuracy_range) {
    std::vector<std::vector<double>> rows;
    for (std::size_t e = 0; e < h.epochs(); ++e)
        rows.push_back({static_cast<double>(e + 1), h["loss"][e], h["val_loss"][e], h["accuracy"][e],
                        h["val_accuracy"][e]});
    report.csv("history", {"epoch", "loss", "val_loss", "accuracy", "val_accuracy"}, rows);
    report.gnuplot("history", fmt::format("set multiplot layout 1,2\nset grid\nset xlabel 'epoch'\n"
                                          "set title 'loss'\nplot for [k=2:3] 'history.csv' using 1:k with lines lw 2\n"
                                          "set title 'accuracy'\nset key bottom right\n{}"
                                          "plot for [k=4:5] 'history.csv' using 1:k with lines lw 2\nunset multiplot\n",
                                          accuracy_range.empty() ? "" : "set yrange " + accuracy_range + "\n"));
}

}  // namespace tut
