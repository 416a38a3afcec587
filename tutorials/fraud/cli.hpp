#pragma once
// Command-line front end of tapegrad-fraud: a small flag parser and the
// subcommands. Exit codes: 0 success, 1 error, 2 usage error, 130 interrupted.
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fraud {

/// A bad command line: unknown flag, missing or malformed value. Exit code 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// A flag a subcommand accepts.
struct FlagSpec {
    std::string_view name;      ///< without the leading "--"
    std::string_view value;     ///< placeholder for the value ("N", "FILE"), empty for a switch
    std::string_view help;
    bool repeatable = false;
};

/// Parsed flags of one subcommand: "--name value", "--name=value" or a switch "--name".
class Args {
public:
    /// Throws UsageError on unknown flags, missing values, positional arguments, repeats.
    Args(std::string_view command, const std::vector<FlagSpec>& specs, const std::vector<std::string_view>& argv);
    bool has(std::string_view name) const;
    bool help() const { return help_; }
    std::string str(std::string_view name, std::string_view fallback = {}) const;
    std::vector<std::string> all(std::string_view name) const;  ///< every value of a repeatable flag
    /// Required string flag: UsageError when absent.
    std::string required(std::string_view name) const;
    std::uint64_t u64(std::string_view name, std::uint64_t fallback, std::uint64_t min = 0,
                      std::uint64_t max = ~std::uint64_t(0)) const;
    double real(std::string_view name, double fallback, double min, double max) const;
    std::optional<double> real_opt(std::string_view name, double min, double max) const;

private:
    std::string command_;
    std::map<std::string, std::vector<std::string>, std::less<>> values_;
    bool help_ = false;
};

/// The program's main: dispatches to the subcommands, maps exceptions to exit codes.
int cli_main(int argc, char** argv);

}  // namespace fraud
