#pragma once
/// @ingroup nn
/// Whether two paths name the same file, by identity rather than spelling.
#include <filesystem>

namespace tg::nn {

/// True when a and b name the same file, however they are spelt ("a", "./a",
/// "d/../a", a symlink, a hard link): for files that exist, the same device and
/// inode; for a file that does not exist yet, the same directory (device and
/// inode) and the same name, i.e. the file that writing either would create. An
/// existing file and a path that does not exist are never the same. When a
/// directory does not exist either, the absolute normalised spellings are compared.
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b);

}  // namespace tg::nn
