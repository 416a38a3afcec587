#pragma once
// What every tutorial program shares: the stream it prints to, the directory its
// plots go to, and how plots are written (CSV always, PNG through gnuplot when it
// is installed).
//
// Note [tutorial output is checked]
// ---------------------------------
// Each tutorial's README pastes parts of what its program prints. The test suite
// runs every tutorial and compares (tests/test_tutorials*.cpp, readme_check.hpp).
// So a program must print the same text on every run: seed every random
// generator, print no timings, and print sections with section(), whose titles
// name the README's output blocks. The files written are listed at the end, in
// a last section "Files" that READMEs do not quote: it depends on the machine
// (the output directory, whether gnuplot is installed).
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace tg::nn {
class History;
}

namespace tut {

/// The printing and file-writing side of a tutorial run.
class Report {
public:
    /// out: where to print. topic: e.g. "03_activations"; plots go to
    /// dir / topic (default dir: "tutorial-output" under the working directory).
    /// run_gnuplot: make PNGs when gnuplot is on PATH (the test suite turns it off).
    Report(std::ostream& out, std::string topic, std::filesystem::path dir = "tutorial-output",
           bool run_gnuplot = true);

    std::ostream& out;  ///< print the tutorial's text here

    /// Print "=== title ===" on its own line, after a blank line.
    void section(const std::string& title);

    /// Write dir/name.csv: a header line and one line per row (values with 10
    /// significant digits). Written atomically; listed by files_summary().
    void csv(const std::string& name, const std::vector<std::string>& header,
             const std::vector<std::vector<double>>& rows);

    /// Write dir/filename (any text, e.g. a Graphviz .dot file) atomically.
    void text_file(const std::string& filename, const std::string& text);

    /// Write dir/name.gp (a gnuplot script that reads CSV files of dir and
    /// writes name.png), then run it when gnuplot is installed. The script starts
    /// with the PNG terminal settings and `set datafile separator ','`, so
    /// `script` holds only the plot commands.
    void gnuplot(const std::string& name, const std::string& script);

    /// The last section, "Files": every file written, and whether PNGs were made.
    void files_summary();

    const std::filesystem::path& dir() const { return dir_; }
    const std::string& topic() const { return topic_; }

private:
    std::string topic_;
    std::filesystem::path dir_;
    bool run_gnuplot_;
    bool skipped_png_ = false;
    std::vector<std::string> files_;
};

/// A training history as history.csv (epoch, loss, val_loss, accuracy,
/// val_accuracy) and history.png (loss and accuracy side by side).
/// accuracy_range: gnuplot's y range of the accuracy plot, e.g. "[0.5:1]"
/// (empty: automatic).
void history_files(Report& report, const tg::nn::History& h, const std::string& accuracy_range = "");

/// True when a `gnuplot` executable is on PATH (checked once).
bool gnuplot_available();

/// Write text to path atomically (path.tmp, then rename). Throws std::runtime_error.
void write_file_atomic(const std::filesystem::path& path, const std::string& text);

}  // namespace tut
