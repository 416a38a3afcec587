#pragma once
// The scoring service's alerts file: JSON lines appended a batch at a time.
// Unlike score's outputs (tg::nn::AtomicFile, replaced whole), this file grows
// for the life of the service, so each batch's lines go out in one write loop
// and a failed write is cut back to the last whole line: a reader never sees a
// partial line.
#include <cstdint>
#include <string>
#include <string_view>

namespace fraud {

class AlertLog {
public:
    /// Opens (creating) path for appending. Throws tg::IoError when it cannot.
    explicit AlertLog(std::string path);
    ~AlertLog();
    AlertLog(const AlertLog&) = delete;
    AlertLog& operator=(const AlertLog&) = delete;

    /// Append whole lines (lines must end with '\n'). Returns false, with the
    /// file cut back to its size before the call, when the write fails (disk full):
    /// the service keeps scoring and counts the failure.
    bool append(std::string_view lines);
    const std::string& path() const { return path_; }

private:
    std::string path_;
    int fd_ = -1;
    std::uint64_t size_ = 0;  // bytes of whole lines in the file
};

}  // namespace fraud
