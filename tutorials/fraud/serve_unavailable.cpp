// serve and loadtest in a build without cpp-httplib: a clear error instead of a missing command.
#include <stdexcept>

#include "commands.hpp"

namespace fraud {

namespace {
[[noreturn]] void unavailable(const char* cmd) {
    throw std::runtime_error(std::string(cmd) +
                             " needs cpp-httplib, which this build did not find: install libcpp-httplib-dev "
                             "(scripts/setup does) and rebuild (meson setup --reconfigure build)");
}
}  // namespace

int cmd_serve(const Args&) { unavailable("serve"); }
int cmd_loadtest(const Args&) { unavailable("loadtest"); }

}  // namespace fraud
