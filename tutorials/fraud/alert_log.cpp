#include "alert_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <tapegrad/graph/error.hpp>

namespace fraud {

AlertLog::AlertLog(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) throw tg::IoError(fmt::format("alerts file {}: cannot open for appending: {}", path_, std::strerror(errno)));
    struct stat st {};
    if (::fstat(fd_, &st) == 0) size_ = std::uint64_t(st.st_size);
}

AlertLog::~AlertLog() {
    if (fd_ >= 0) ::close(fd_);
}

bool AlertLog::append(std::string_view lines) {
    std::size_t done = 0;
    while (done < lines.size()) {
        const ssize_t n = ::write(fd_, lines.data() + done, lines.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            // cut the partial batch off; should even that fail, no better remedy is left
            if (done > 0 && ::ftruncate(fd_, off_t(size_)) != 0) return false;
            return false;
        }
        done += std::size_t(n);
    }
    size_ += lines.size();
    return true;
}

}  // namespace fraud
