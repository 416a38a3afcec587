#pragma once
// Output files that are either the old complete file or the new complete one,
// and the SIGINT flag long-running commands poll.
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

namespace fraud {

/// Writes to "<path>.tmp" and renames it over path on commit(); without a commit
/// (an error, an interrupt) the temporary file is removed and path is untouched.
/// The path "-" means standard output (written directly, not atomically).
class AtomicFile {
public:
    /// Throws tg::IoError when the temporary file cannot be created.
    explicit AtomicFile(std::filesystem::path path);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    /// Append bytes. Throws tg::IoError on a write error (disk full, ...).
    void write(std::string_view bytes);
    /// Flush, sync and rename into place. Throws tg::IoError on failure.
    void commit();
    /// Remove the temporary file; the target keeps its old content.
    void abandon();
    const std::filesystem::path& path() const { return path_; }
    bool committed() const { return committed_; }

private:
    std::filesystem::path path_, tmp_;
    std::FILE* f_ = nullptr;
    bool to_stdout_ = false;
    bool committed_ = false;
};

/// Install a SIGINT handler that sets interrupted() instead of killing the
/// process; a second SIGINT kills as usual (the handler resets itself).
void install_interrupt_handler();
/// True once SIGINT arrived (after install_interrupt_handler).
bool interrupted();
/// The flag itself, for loops that take a std::atomic<bool>*.
const std::atomic<bool>& interrupt_flag();
/// Clear the flag (tests, and the demo between steps).
void clear_interrupt();
/// Set the flag as SIGINT would (tests).
void request_interrupt();

}  // namespace fraud
