#include "atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include <fmt/format.h>

#include "../../graph/error.hpp"

namespace tg::nn {

namespace fs = std::filesystem;

namespace {

std::atomic<int> g_renames_before_fault{-1};

std::string errno_text(int err) { return std::strerror(err); }

// Note [temporary names]
// A temporary (or a backup kept during commit_together) is named
// ".NAME.KIND.PID.RANDOM" in the target's directory, KIND being "tmp" or "bak".
// It is created with O_EXCL (a hard link for a backup, which also fails on an
// existing name) and O_NOFOLLOW, so a file or symlink someone planted there is
// never opened or overwritten; the random part makes the name unguessable.
// The PID says whose it is: a run killed before its commit leaves its temporary
// behind, and the next AtomicFile for the same target removes those whose process
// no longer exists (kill(pid, 0) fails with ESRCH). A reused PID only delays the
// removal. On a directory shared between machines (NFS), a PID of another host
// may look dead here: that run's rename then fails with an error; nothing is lost.
// NAME is cut to 200 bytes so the whole name fits in NAME_MAX.
std::string short_name(const std::string& name) { return name.substr(0, 200); }

std::string temporary_name(const std::string& name, std::string_view kind) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return fmt::format(".{}.{}.{}.{:016x}", short_name(name), kind, ::getpid(), rng());
}

/// The PID in a temporary's name of target `name`, or 0 if file is not one.
pid_t owner_of(const std::string& file, const std::string& name) {
    const std::string prefix = fmt::format(".{}.", short_name(name));  // not "." + ...: GCC 12 warns falsely (-Wrestrict)
    if (file.size() <= prefix.size() || file.compare(0, prefix.size(), prefix) != 0) return 0;
    std::string_view rest = std::string_view(file).substr(prefix.size());
    if (rest.substr(0, 4) != "tmp." && rest.substr(0, 4) != "bak.") return 0;
    rest.remove_prefix(4);
    pid_t pid = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), pid);
    if (ec != std::errc() || pid <= 0 || end == rest.data() + rest.size() || *end != '.') return 0;
    if (rest.data() + rest.size() - (end + 1) != 16) return 0;
    return pid;
}

/// Remove temporaries of target `name` in dir left by processes that no longer run (Note [temporary names]).
void remove_stale_temporaries(const fs::path& dir, const std::string& name) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string file = it->path().filename().string();
        const pid_t pid = owner_of(file, name);
        if (pid != 0 && ::kill(pid, 0) != 0 && errno == ESRCH) ::unlink(it->path().c_str());
    }
}

/// Rename into place, through the test seam.
int rename_into_place(const fs::path& from, const fs::path& to) {
    const int n = g_renames_before_fault.load();
    if (n >= 0) {
        g_renames_before_fault = n - 1;
        if (n == 0) {
            errno = ENOSPC;
            return -1;
        }
    }
    return ::rename(from.c_str(), to.c_str());
}

/// Keep the current content of target under a backup name (a hard link): commit_together's way back.
fs::path keep_backup(const fs::path& target) {
    const fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    for (int attempt = 0;; ++attempt) {
        const fs::path backup = dir / temporary_name(target.filename().string(), "bak");
        if (::link(target.c_str(), backup.c_str()) == 0) return backup;
        if (errno != EEXIST || attempt == 100)
            throw IoError(fmt::format("{}: cannot keep the old version (hard link {}) while committing: {}",
                                      target.string(), backup.string(), errno_text(errno)));
    }
}

void sync_directory(const fs::path& file) {
    const fs::path dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;  // best effort: the rename itself is done
    ::fsync(fd);
    ::close(fd);
}

}  // namespace

AtomicFile::AtomicFile(fs::path path) : path_(std::move(path)) {
    if (path_ == "-") {
        direct_ = true;
        fd_ = STDOUT_FILENO;
        std::fflush(stdout);  // what was printed before comes first
        return;
    }
    target_ = path_;
    struct stat st {};
    const bool exists = ::stat(path_.c_str(), &st) == 0;
    if (!exists && errno != ENOENT)
        throw IoError(fmt::format("{}: cannot write: {}", path_.string(), errno_text(errno)));
    if (exists && S_ISDIR(st.st_mode)) throw IoError(fmt::format("{}: cannot write: is a directory", path_.string()));
    if (exists && !S_ISREG(st.st_mode)) {
        // a device, FIFO or socket: replacing it would destroy it, so write into it
        fd_ = ::open(path_.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (fd_ < 0) throw IoError(fmt::format("{}: cannot open: {}", path_.string(), errno_text(errno)));
        direct_ = true;
        return;
    }
    struct stat link {};
    if (exists && ::lstat(path_.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) target_ = fs::canonical(path_);
    const std::string name = target_.filename().string();
    if (name.empty() || name == "." || name == "..")
        throw IoError(fmt::format("{}: cannot write: not a file name", path_.string()));
    const fs::path dir = target_.parent_path().empty() ? fs::path(".") : target_.parent_path();
    remove_stale_temporaries(dir, name);
    for (int attempt = 0; fd_ < 0; ++attempt) {
        tmp_ = dir / temporary_name(name, "tmp");
        fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd_ < 0 && (errno != EEXIST || attempt == 100))
            throw IoError(fmt::format("{}: cannot create the temporary file {}: {}", path_.string(), tmp_.string(),
                                      errno_text(errno)));
    }
    if (exists) ::fchmod(fd_, st.st_mode & 07777);  // keep the replaced file's permissions (best effort)
}

AtomicFile::~AtomicFile() {
    if (!committed_) abandon();
}

void AtomicFile::write(std::string_view bytes) {
    if (fd_ < 0) throw IoError(fmt::format("{}: write after close", path_.string()));
    if (buffer_.size() + bytes.size() > buffer_size) flush_buffer();
    if (bytes.size() >= buffer_size) {  // a large block goes out as it is, without a copy
        write_all(bytes);
        return;
    }
    if (buffer_.capacity() < buffer_size) buffer_.reserve(buffer_size);
    buffer_.append(bytes);
}

void AtomicFile::flush_buffer() {
    write_all(buffer_);
    buffer_.clear();
}

void AtomicFile::write_all(std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            throw IoError(fmt::format("{}: write failed: {}", direct_ ? path_.string() : tmp_.string(), errno_text(errno)));
        ++system_writes_;
        bytes.remove_prefix(std::size_t(n));
    }
}

void AtomicFile::close_fd() {
    if (fd_ >= 0 && fd_ != STDOUT_FILENO) ::close(fd_);
    fd_ = -1;
}

void AtomicFile::finish_writing() {
    if (fd_ < 0) throw IoError(fmt::format("{}: commit after close", path_.string()));
    flush_buffer();
    if (direct_) {
        close_fd();
        return;
    }
    if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
        const int err = errno;
        fd_ = -1;
        abandon();
        throw IoError(fmt::format("{}: write failed: {}", tmp_.string(), errno_text(err)));
    }
    fd_ = -1;
}

void AtomicFile::commit() { commit_together({this}); }

void AtomicFile::abandon() {
    if (direct_) {
        try {  // written in place: what was written goes out
            if (fd_ >= 0) flush_buffer();
        } catch (const IoError&) {
        }
        close_fd();
        return;
    }
    close_fd();
    buffer_.clear();
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
    tmp_.clear();
}

void commit_together(std::initializer_list<AtomicFile*> files) {
    std::vector<AtomicFile*> todo;
    for (AtomicFile* f : files)
        if (!f->committed_) todo.push_back(f);
    // 1. everything on disk; a failure here renames nothing
    for (AtomicFile* f : todo) f->finish_writing();
    std::vector<AtomicFile*> renamed;
    for (AtomicFile* f : todo)
        if (!f->direct_) renamed.push_back(f);
    // 2. the old versions kept (hard links), except the last file's: its rename is the last step
    std::vector<fs::path> backups(renamed.size());
    const auto remove_backups = [&] {
        for (const fs::path& b : backups)
            if (!b.empty()) ::unlink(b.c_str());
    };
    try {
        for (std::size_t i = 0; i + 1 < renamed.size(); ++i) {
            struct stat st {};
            if (::lstat(renamed[i]->target_.c_str(), &st) == 0) backups[i] = keep_backup(renamed[i]->target_);
        }
    } catch (const IoError&) {
        remove_backups();
        for (AtomicFile* f : renamed) f->abandon();
        throw;
    }
    // 3. the renames; on a failure, the files already renamed get their old version back
    for (std::size_t i = 0; i < renamed.size(); ++i) {
        AtomicFile& f = *renamed[i];
        if (rename_into_place(f.tmp_, f.target_) == 0) {
            f.tmp_.clear();
            continue;
        }
        const int err = errno;
        const std::string tmp = f.tmp_.string();
        std::string undo_failures;
        for (std::size_t j = i; j-- > 0;) {
            const fs::path& target = renamed[j]->target_;
            const bool undone = backups[j].empty() ? ::unlink(target.c_str()) == 0
                                                   : ::rename(backups[j].c_str(), target.c_str()) == 0;
            if (undone) backups[j].clear();  // else the backup stays, for the user
            else undo_failures += fmt::format("; {} could not get its old version back ({})", target.string(),
                                              backups[j].empty() ? "the new file is left" : "kept as " + backups[j].string());
        }
        for (std::size_t k = i; k < renamed.size(); ++k)
            if (!backups[k].empty()) ::unlink(backups[k].c_str());  // those targets were not touched
        for (AtomicFile* g : renamed) g->abandon();
        throw IoError(fmt::format("{}: cannot rename {} into place: {}{}", f.path_.string(), tmp, errno_text(err),
                                  undo_failures.empty() ? "; no file was changed" : undo_failures));
    }
    remove_backups();
    for (AtomicFile* f : renamed) sync_directory(f->target_);
    for (AtomicFile* f : todo) f->committed_ = true;
}

void write_file_atomically(const fs::path& path, std::string_view bytes, std::string_view who) {
    try {
        AtomicFile f(path);
        f.write(bytes);
        f.commit();
    } catch (const IoError& e) {
        throw IoError(fmt::format("{}: {}", who, e.what()));
    }
}

namespace detail {
void fail_rename_for_testing(int after) { g_renames_before_fault = after; }
}  // namespace detail

}  // namespace tg::nn
