#include "line_reader.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "../../graph/error.hpp"
#include "gzip.hpp"

namespace tg::nn {

namespace {

bool is_whole_input(std::uint64_t begin, std::uint64_t end) { return begin == 0 && end == LineReader::to_end; }

}  // namespace

LineReader::LineReader(int fd, std::string name, std::size_t max_line, std::size_t buffer_size, std::uint64_t begin,
                       std::uint64_t end)
    : fd_(fd),
      name_(std::move(name)),
      max_line_(max_line),
      buf_(std::max(buffer_size, 2 * max_line + 2)),
      range_begin_(begin),
      range_end_(end),
      offset_(begin) {
    if (begin > end)
        throw IoError(fmt::format("{}: LineReader: the byte range [{}, {}) ends before it begins", name_, begin, end));
}

LineReader::LineReader(GzipReader& source, std::string name, std::size_t max_line, std::size_t buffer_size)
    : LineReader(-1, std::move(name), max_line, buffer_size) {
    gzip_ = &source;
}

bool LineReader::fill() {
    if (eof_) return false;
    if (begin_ > 0) {  // move the unread tail to the front
        std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    // A whole input may be a pipe: read(). A range is read with pread, which
    // leaves the descriptor's position alone (several readers may share it).
    const bool positional = !is_whole_input(range_begin_, range_end_);
    while (true) {
        std::size_t want = buf_.size() - end_;
        if (positional) want = std::size_t(std::min<std::uint64_t>(want, range_end_ - offset_));
        if (want == 0 && positional) {
            eof_ = true;
            return false;
        }
        if (gzip_) {  // decompressed bytes; errors are IoErrors naming the file
            const std::size_t got = gzip_->read(buf_.data() + end_, want);
            if (got == 0) {
                eof_ = true;
                return false;
            }
            end_ += got;
            return true;
        }
        const ssize_t n = positional ? ::pread(fd_, buf_.data() + end_, want, off_t(offset_))
                                     : ::read(fd_, buf_.data() + end_, want);
        if (n > 0) {
            end_ += std::size_t(n);
            offset_ += std::uint64_t(n);
            return true;
        }
        if (n == 0) {
            eof_ = true;
            return false;
        }
        if (errno == EINTR) {  // a signal: go on reading unless the caller was asked to stop
            if (stop_ && stop_->load()) {
                eof_ = true;
                return false;
            }
            continue;
        }
        throw IoError(fmt::format("{}: read error after line {}: {}", name_, line_number(), std::strerror(errno)));
    }
}

void LineReader::rewind() {
    if (gzip_) throw IoError(fmt::format("{}: cannot rewind a gzip stream (open the file again)", name_));
    if (is_whole_input(range_begin_, range_end_) && ::lseek(fd_, 0, SEEK_SET) < 0)
        throw IoError(fmt::format("{}: cannot read the input again (a pipe?): {}", name_, std::strerror(errno)));
    begin_ = end_ = 0;
    offset_ = range_begin_;
    eof_ = skipping_ = false;
    line_no_ = 0;
}

std::uint64_t LineReader::line_number() const {
    if (lines_before_ == to_end) lines_before_ = range_begin_ == 0 ? 0 : count_lines(fd_, name_, range_begin_);
    return lines_before_ + line_no_;
}

bool LineReader::next(std::string_view& line, bool& too_long) {
    too_long = false;
    while (true) {
        const char* start = buf_.data() + begin_;
        const std::size_t avail = end_ - begin_;
        const void* nl = avail ? std::memchr(start, '\n', avail) : nullptr;
        if (skipping_) {  // drop the rest of an over-long line
            if (nl) {
                begin_ += std::size_t(static_cast<const char*>(nl) - start) + 1;
                skipping_ = false;
                continue;
            }
            begin_ = end_ = 0;
            if (!fill()) return false;
            continue;
        }
        std::size_t len = 0;
        bool have = false;
        if (nl) {
            len = std::size_t(static_cast<const char*>(nl) - start);
            have = true;
            if (len > max_line_) {
                line = std::string_view(start, max_line_);
                too_long = true;
                begin_ += len + 1;
                ++line_no_;
                return true;
            }
            begin_ += len + 1;
        } else if (avail > max_line_) {
            line = std::string_view(start, max_line_);
            too_long = true;
            skipping_ = true;
            begin_ += max_line_;  // the view stays valid: fill() only runs on the next call
            ++line_no_;
            return true;
        } else if (!fill()) {
            if (end_ == begin_) return false;
            len = end_ - begin_;  // last line without a newline
            start = buf_.data() + begin_;
            begin_ = end_;
            have = true;
        } else {
            continue;
        }
        if (have) {
            if (len > 0 && start[len - 1] == '\r') --len;
            line = std::string_view(start, len);
            ++line_no_;
            return true;
        }
    }
}

std::uint64_t count_lines(int fd, const std::string& name, std::uint64_t bytes) {
    std::vector<char> buf(1 << 20);
    std::uint64_t lines = 0, at = 0;
    while (at < bytes) {
        const ssize_t n = ::pread(fd, buf.data(), std::size_t(std::min<std::uint64_t>(buf.size(), bytes - at)), off_t(at));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw IoError(fmt::format("{}: read error while counting lines: {}", name, std::strerror(errno)));
        if (n == 0) break;
        const char* p = buf.data();
        const char* const end = p + n;
        while ((p = static_cast<const char*>(std::memchr(p, '\n', std::size_t(end - p))))) ++lines, ++p;
        at += std::uint64_t(n);
    }
    return lines;
}

}  // namespace tg::nn
