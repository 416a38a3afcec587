#pragma once
/// @ingroup nn
/// Reading a file (or a pipe) line by line through a fixed buffer, optionally
/// only the lines of one byte range: the streaming CSV readers' first stage.
#include <atomic>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace tg::nn {

class GzipReader;

/// Reads lines from a file descriptor through a fixed buffer. A line longer
/// than max_line is returned cut to max_line bytes with too_long set, and its
/// remainder is skipped, so memory stays bounded whatever the input.
///
/// With a byte range [begin, end) (regular files only: it reads with pread),
/// the reader returns the lines that start inside the range; `begin` must be
/// the start of a line (see line_aligned_part). Line numbers still count from
/// the top of the file: the lines before `begin` are counted the first time a
/// number is asked for (once; a reader that reports nothing never pays for it).
class LineReader {
public:
    static constexpr std::uint64_t to_end = std::numeric_limits<std::uint64_t>::max();
    /// fd is not closed by the reader. name is used in error messages.
    LineReader(int fd, std::string name, std::size_t max_line = 64 * 1024, std::size_t buffer_size = 1 << 20,
               std::uint64_t begin = 0, std::uint64_t end = to_end);
    /// Lines of a gzip file's decompressed text (the whole file; no byte range, no rewind).
    /// source is not owned and must outlive the reader.
    LineReader(GzipReader& source, std::string name, std::size_t max_line = 64 * 1024,
               std::size_t buffer_size = 1 << 20);
    /// Next line without its "\n" (and without a trailing "\r"); false at the end.
    /// The view stays valid until the next call. Throws tg::IoError on read errors.
    bool next(std::string_view& line, bool& too_long);
    /// 1-based number in the file of the line last returned.
    std::uint64_t line_number() const;
    const std::string& name() const { return name_; }
    /// When *stop becomes true, a read interrupted by a signal ends the input
    /// (so Ctrl-C stops a reader waiting on an idle pipe).
    void set_stop(const std::atomic<bool>* stop) { stop_ = stop; }
    /// Start again at the beginning of the range (regular files only).
    void rewind();

private:
    bool fill();  // read more; false at the end of the input or range
    const std::atomic<bool>* stop_ = nullptr;
    int fd_;
    GzipReader* gzip_ = nullptr;  // when set, the bytes come from it instead of fd_
    std::string name_;
    std::size_t max_line_;
    std::vector<char> buf_;
    std::size_t begin_ = 0, end_ = 0;
    bool eof_ = false;
    bool skipping_ = false;  // discarding the rest of an over-long line
    std::uint64_t line_no_ = 0;  // lines returned since the range's start
    std::uint64_t range_begin_, range_end_, offset_;  // offset_: next byte to read (with pread)
    mutable std::uint64_t lines_before_ = to_end;     // lines before range_begin_, counted on demand
};

/// Number of line ends ('\n') in the first `bytes` bytes of the file behind fd
/// (read with pread, so fd's position is not moved). name is for messages.
std::uint64_t count_lines(int fd, const std::string& name, std::uint64_t bytes);

}  // namespace tg::nn
