// The built library loads at run time (dlopen, Python's ctypes), not only when
// linked: see Note [caching allocator] on thread-local storage.
#include <cstdlib>
#include <string>

#include "helpers.hpp"

TEST_CASE("loading: libtapegrad can be dlopen'ed by a program not linked with it") {
    // paths from tests/meson.build
    const std::string command = std::string("'") + TAPEGRAD_DLOPEN_PROBE + "' '" + TAPEGRAD_LIB_PATH + "'";
    INFO(command);
    CHECK(std::system(command.c_str()) == 0);
}
