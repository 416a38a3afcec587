#include "error.hpp"

#include <fmt/format.h>

namespace tg {

std::string shape_str(const Shape& shape) {
    return fmt::format("({})", fmt::join(shape, ", "));
}

namespace {

thread_local const CallSite* active_site = nullptr;

bool known(const std::source_location& loc) {
    return loc.line() != 0 && loc.file_name() != nullptr && *loc.file_name() != '\0';
}

// The prefix this file was compiled under ("../" when meson compiles
// "../graph/error.cpp"): every library source was compiled the same way.
std::string_view library_root() {
    static const std::string_view root = [] {
        std::string_view self = std::source_location::current().file_name();
        constexpr std::string_view tail = "graph/error.cpp";
        if (self.ends_with(tail)) self.remove_suffix(tail.size());
        return self;
    }();
    return root;
}

std::string_view base_name(std::string_view file) {
    if (auto slash = file.find_last_of('/'); slash != std::string_view::npos) file.remove_prefix(slash + 1);
    return file;
}

}  // namespace

bool in_library(const std::source_location& loc) {
    if (!known(loc)) return false;
    std::string_view file = loc.file_name();
    const std::string_view root = library_root();
    if (!file.starts_with(root)) return false;
    file.remove_prefix(root.size());
    return file.starts_with("graph/") || file.starts_with("ops/") || file.starts_with("nn/") ||
           file.starts_with("dist/");
}

CallSiteScope::CallSiteScope(const CallSite& site) : saved_(active_site) {
    // A call from library code (Sequential calling its layers, fit() calling the
    // model) is not the user's line: the outer site, if any, stays.
    if (known(site.loc) && !in_library(site.loc)) active_site = &site;
}

CallSiteScope::~CallSiteScope() { active_site = saved_; }

std::string where(const std::source_location& loc) {
    if (active_site && (!known(loc) || in_library(loc))) {
        const CallSite& s = *active_site;
        if (!known(s.loc)) return {};
        if (s.describe) return fmt::format(" (at {}:{}, in {})", base_name(s.loc.file_name()), s.loc.line(),
                                           s.describe(s.owner));
        return fmt::format(" (at {}:{})", base_name(s.loc.file_name()), s.loc.line());
    }
    // the library's own line would only mislead: say nothing rather than that
    if (!known(loc) || in_library(loc)) return {};
    return fmt::format(" (at {}:{})", base_name(loc.file_name()), loc.line());
}

void throw_shape_error(std::string_view op, std::string_view what, const std::source_location& loc) {
    throw ShapeError(fmt::format("{}: {}{}", op, what, where(loc)));
}

void throw_dtype_error(std::string_view op, std::string_view what, const std::source_location& loc) {
    throw DTypeError(fmt::format("{}: {}{}", op, what, where(loc)));
}

}  // namespace tg
