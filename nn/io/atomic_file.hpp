#pragma once
/// @ingroup nn
/// Output files that are either the old complete file or the new complete one.
/// Every file tapegrad writes (models, checkpoints, histories, the fraud demo's
/// outputs) goes through here.
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

namespace tg::nn {

/// Writes to a temporary file beside path and renames it over path on commit()
/// (after fsync); without a commit (an error, an interrupt) the temporary file is
/// removed and path is untouched. The path "-" means standard output (written
/// directly, not atomically).
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

/// Write bytes to path atomically (AtomicFile). who names the caller in errors.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes, std::string_view who);

}  // namespace tg::nn
