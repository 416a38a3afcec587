#include "data.hpp"

#include <cstdlib>
#include <stdexcept>
#include <system_error>
#include <vector>

#include <fmt/format.h>

namespace tut {

namespace fs = std::filesystem;

fs::path data_path(const std::string& file) {
    std::vector<fs::path> dirs;
    if (const char* env = std::getenv("TAPEGRAD_TUTORIAL_DATA")) dirs.emplace_back(env);
#ifdef TAPEGRAD_TUTORIAL_DATA_DIR
    dirs.emplace_back(TAPEGRAD_TUTORIAL_DATA_DIR);  // set by tutorials/meson.build
#endif
    std::error_code ec;
    fs::path here = fs::current_path(ec);
    for (int up = 0; up < 4 && !here.empty(); ++up) {
        dirs.push_back(here / "tutorials" / "data");
        if (here == here.parent_path()) break;
        here = here.parent_path();
    }
    std::vector<std::string> tried;
    for (const fs::path& d : dirs) {
        const fs::path p = d / file;
        if (fs::is_regular_file(p, ec)) return p;
        tried.push_back(d.string());
    }
    throw std::runtime_error(fmt::format("tutorial data file '{}' not found; looked in: {} "
                                         "(set TAPEGRAD_TUTORIAL_DATA to the tutorials/data directory)",
                                         file, fmt::join(tried, ", ")));
}

}  // namespace tut
