#pragma once
// Where the tutorials find their data files (tutorials/data/).
#include <filesystem>
#include <string>

namespace tut {

/// The path of a file of tutorials/data. Looks in $TAPEGRAD_TUTORIAL_DATA, then
/// in the source tree the program was built from, then in tutorials/data under
/// the working directory and its parents. Throws std::runtime_error saying where
/// it looked when the file is in none of them.
std::filesystem::path data_path(const std::string& file);

}  // namespace tut
