#include "atomic_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "../../graph/error.hpp"

namespace tg::nn {

AtomicFile::AtomicFile(std::filesystem::path path) : path_(std::move(path)) {
    if (path_ == "-") {
        to_stdout_ = true;
        f_ = stdout;
        return;
    }
    tmp_ = path_;
    tmp_ += ".tmp";
    f_ = std::fopen(tmp_.c_str(), "wb");
    if (!f_) throw IoError(fmt::format("{}: cannot create: {}", tmp_.string(), std::strerror(errno)));
    std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
}

AtomicFile::~AtomicFile() {
    if (!committed_) abandon();
}

void AtomicFile::write(std::string_view bytes) {
    if (!f_) throw IoError(fmt::format("{}: write after close", path_.string()));
    if (bytes.empty()) return;
    if (std::fwrite(bytes.data(), 1, bytes.size(), f_) != bytes.size())
        throw IoError(fmt::format("{}: write failed: {}", to_stdout_ ? "stdout" : tmp_.string(), std::strerror(errno)));
}

void AtomicFile::commit() {
    if (committed_) return;
    if (!f_) throw IoError(fmt::format("{}: commit after close", path_.string()));
    if (to_stdout_) {
        std::fflush(f_);
        f_ = nullptr;
        committed_ = true;
        return;
    }
    const bool ok = std::fflush(f_) == 0 && ::fsync(fileno(f_)) == 0 && !std::ferror(f_);
    const int err = errno;
    const bool closed = std::fclose(f_) == 0;
    f_ = nullptr;
    if (!ok || !closed) {
        std::filesystem::remove(tmp_);
        throw IoError(fmt::format("{}: write failed: {}", tmp_.string(), std::strerror(err)));
    }
    std::error_code ec;
    std::filesystem::rename(tmp_, path_, ec);
    if (ec) {
        std::filesystem::remove(tmp_);
        throw IoError(fmt::format("{}: cannot rename {} into place: {}", path_.string(), tmp_.string(), ec.message()));
    }
    committed_ = true;
}

void AtomicFile::abandon() {
    if (to_stdout_) {
        if (f_) std::fflush(f_);
        f_ = nullptr;
        return;
    }
    if (f_) std::fclose(f_);
    f_ = nullptr;
    std::error_code ec;
    std::filesystem::remove(tmp_, ec);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view bytes, std::string_view who) {
    try {
        AtomicFile f(path);
        f.write(bytes);
        f.commit();
    } catch (const IoError& e) {
        throw IoError(fmt::format("{}: {}", who, e.what()));
    }
}

}  // namespace tg::nn
