#pragma once
/// @ingroup nn
/// Output files that are either the old complete file or the new complete one.
/// Every file tapegrad writes (models, checkpoints, histories, the fraud demo's
/// outputs) goes through here.
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>

namespace tg::nn {

/// Writes to a new temporary file beside path and renames it over path on
/// commit() (after fsync); without a commit (an error, an interrupt) the
/// temporary file is removed and path is untouched.
///
/// - The temporary file is ".NAME.tmp.PID.RANDOM" in path's directory, created
///   exclusively (never an existing file, never through a symlink) with the
///   permissions of the file it replaces. Temporaries of processes that no
///   longer run are removed when the next AtomicFile for the same path is made.
/// - A path that is a symlink to a file replaces the file it points to (the link stays).
/// - Special files are written in place, not atomically: "-" (standard output),
///   character and block devices (/dev/null), FIFOs and sockets. Replacing them
///   would destroy them. See direct().
/// - Writes go through a buffer of buffer_size bytes.
class AtomicFile {
public:
    static constexpr std::size_t buffer_size = std::size_t(1) << 20;

    /// Throws tg::IoError when the file cannot be created (or path is a directory).
    explicit AtomicFile(std::filesystem::path path);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    /// Append bytes. Throws tg::IoError on a write error (disk full, ...).
    void write(std::string_view bytes);
    /// Flush, sync and rename into place. Throws tg::IoError on failure (the
    /// target then keeps its old content). The same as commit_together(*this).
    void commit();
    /// Remove the temporary file; the target keeps its old content.
    void abandon();
    const std::filesystem::path& path() const { return path_; }
    bool committed() const { return committed_; }
    /// Written in place (standard output or a special file): no temporary, no rename.
    bool direct() const { return direct_; }
    /// How many write(2) calls this file has made so far.
    std::uint64_t system_writes() const { return system_writes_; }

private:
    friend void commit_together(std::initializer_list<AtomicFile*> files);
    void flush_buffer();
    void write_all(std::string_view bytes);
    void finish_writing();  // flush, fsync and close; throws IoError (and abandons)
    void close_fd();

    std::filesystem::path path_;    // as given, for messages
    std::filesystem::path target_;  // the file renamed over (symlinks resolved)
    std::filesystem::path tmp_;
    int fd_ = -1;
    std::string buffer_;
    std::uint64_t system_writes_ = 0;
    bool direct_ = false;
    bool committed_ = false;
};

/// Commit several files so that either all of them are replaced or none is: all
/// are flushed and synced first, then renamed one by one; if a rename fails, the
/// files already renamed get their old content back (from hard links kept until
/// the end). Throws tg::IoError naming the file that failed. Special files
/// (direct()) are only flushed: they cannot be rolled back.
void commit_together(std::initializer_list<AtomicFile*> files);
template <class... Files>
void commit_together(AtomicFile& first, Files&... rest) {
    commit_together({&first, &rest...});
}

/// Write bytes to path atomically (AtomicFile). who names the caller in errors.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes, std::string_view who);

namespace detail {
/// Test seam: the rename into place after the next `after` renames fails as if
/// the disk were full (ENOSPC); a negative value switches the fault off.
void fail_rename_for_testing(int after);
}  // namespace detail

}  // namespace tg::nn
