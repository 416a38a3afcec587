#include "file_ranges.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "../../graph/error.hpp"

namespace tg::nn {

namespace {

class OpenFile {
public:
    explicit OpenFile(const std::string& path) : path_(path), fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
        if (fd_ < 0) throw IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
        struct stat st{};
        if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
            ::close(fd_);
            throw IoError(fmt::format("{}: not a regular file (a part of the input is found by its size and offsets)", path));
        }
        size_ = std::uint64_t(st.st_size);
    }
    ~OpenFile() { ::close(fd_); }
    OpenFile(const OpenFile&) = delete;
    OpenFile& operator=(const OpenFile&) = delete;
    std::uint64_t size() const { return size_; }

    /// Offset of the first line start at or after `at` (0 < at <= size): just past
    /// the first '\n' at or after at - 1, or the file's size when none follows.
    std::uint64_t line_start_from(std::uint64_t at) const {
        char buf[64 * 1024];
        for (std::uint64_t pos = at - 1; pos < size_;) {
            const ssize_t n = ::pread(fd_, buf, sizeof buf, off_t(pos));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw IoError(fmt::format("{}: read error: {}", path_, std::strerror(errno)));
            if (n == 0) break;  // the file shrank: its end is the cut
            if (const void* nl = std::memchr(buf, '\n', std::size_t(n)))
                return pos + std::uint64_t(static_cast<const char*>(nl) - buf) + 1;
            pos += std::uint64_t(n);
        }
        return size_;
    }

private:
    std::string path_;
    int fd_;
    std::uint64_t size_ = 0;
};

}  // namespace

std::vector<FileRange> line_aligned_part(const std::vector<std::string>& files, std::size_t part, std::size_t parts) {
    if (parts == 0 || part >= parts)
        throw std::invalid_argument(fmt::format("line_aligned_part: part {} of {} (parts are 0 .. parts-1)", part, parts));
    std::vector<std::uint64_t> sizes, starts;  // starts: each file's first byte in the files taken together
    std::uint64_t total = 0;
    for (const auto& f : files) {
        starts.push_back(total);
        sizes.push_back(OpenFile(f).size());
        total += sizes.back();
    }
    // The first line start at or after the byte `cut` of all the files: files are
    // never joined, so a cut inside a file's last line moves to the next file.
    auto line_start = [&](std::size_t k) -> std::uint64_t {
        const auto cut = std::uint64_t((unsigned __int128)total * k / parts);
        for (std::size_t f = 0; f < files.size(); ++f) {
            if (cut >= starts[f] + sizes[f]) continue;
            if (cut == starts[f]) return cut;
            return starts[f] + OpenFile(files[f]).line_start_from(cut - starts[f]);
        }
        return total;
    };
    const std::uint64_t begin = line_start(part), end = line_start(part + 1);
    std::vector<FileRange> out;
    for (std::size_t f = 0; f < files.size(); ++f) {
        const std::uint64_t lo = std::max(begin, starts[f]), hi = std::min(end, starts[f] + sizes[f]);
        if (lo < hi) out.push_back({files[f], lo - starts[f], hi - starts[f]});
    }
    return out;
}

}  // namespace tg::nn
