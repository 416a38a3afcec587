#pragma once
// For the test suite (tests/test_tutorials*.cpp): run a tutorial as its program
// would, capturing what it prints, and check the README's quoted output.
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include <unistd.h>

#include "readme_check.hpp"
#include "report.hpp"

namespace tut::testing {

/// What a tutorial printed and where its files went.
struct Captured {
    std::string output;
    std::filesystem::path dir;  ///< the tutorial's output directory (a temporary one)
};

/// Run `run(report)` for topic with output captured and files written to a
/// temporary directory, without gnuplot. Returns run's result; fills captured.
template <class F>
auto run_captured(const std::string& topic, F&& run, Captured& captured) {
    const auto root = std::filesystem::temp_directory_path() / ("tapegrad-tutorial-test-" + std::to_string(::getpid()));
    std::ostringstream out;
    Report report(out, topic, root, /*run_gnuplot=*/false);
    captured.dir = report.dir();
    auto result = run(report);
    captured.output = out.str();
    return result;
}

/// Remove a run's temporary files.
inline void remove_files(const Captured& captured) {
    std::error_code ec;
    std::filesystem::remove_all(captured.dir, ec);
}

/// Problems between tutorials/<topic>/README.md and the captured output (empty:
/// none). With TAPEGRAD_UPDATE_READMES=1 in the environment, stale blocks are
/// rewritten instead (and still reported, so the run shows what changed).
inline std::vector<std::string> readme_problems(const std::string& topic, const std::string& output) {
    const char* update = std::getenv("TAPEGRAD_UPDATE_READMES");
    const bool rewrite = update && std::string(update) == "1";
    return check_readme(std::filesystem::path("tutorials") / topic / "README.md", topic, output, rewrite);
}

}  // namespace tut::testing
