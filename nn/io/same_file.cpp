#include "same_file.hpp"

#include <sys/stat.h>

#include <optional>
#include <string>
#include <tuple>

namespace tg::nn {

namespace fs = std::filesystem;

namespace {

/// What a path refers to: a file (device, inode), a name in a directory
/// (directory's device and inode, name), or, failing both, a normalised spelling.
struct FileIdentity {
    bool exists = false;
    dev_t dev = 0;
    ino_t ino = 0;
    std::string name;

    bool operator==(const FileIdentity& o) const {
        return std::tie(exists, dev, ino, name) == std::tie(o.exists, o.dev, o.ino, o.name);
    }
};

FileIdentity identity(const fs::path& p) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) return {true, st.st_dev, st.st_ino, {}};
    const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
    if (::stat(dir.c_str(), &st) == 0) return {false, st.st_dev, st.st_ino, p.filename().string()};
    std::error_code ec;
    return {false, 0, 0, fs::absolute(p, ec).lexically_normal().string()};
}

}  // namespace

bool same_file(const fs::path& a, const fs::path& b) { return identity(a) == identity(b); }

}  // namespace tg::nn
