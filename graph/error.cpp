#include "error.hpp"

#include <fmt/format.h>

namespace tg {

std::string shape_str(const Shape& shape) {
    return fmt::format("({})", fmt::join(shape, ", "));
}

std::string where(const std::source_location& loc) {
    if (loc.line() == 0 || loc.file_name() == nullptr || *loc.file_name() == '\0') return {};
    std::string_view file = loc.file_name();
    if (auto slash = file.find_last_of('/'); slash != std::string_view::npos) file.remove_prefix(slash + 1);
    return fmt::format(" (at {}:{})", file, loc.line());
}

void throw_shape_error(std::string_view op, std::string_view what, const std::source_location& loc) {
    throw ShapeError(fmt::format("{}: {}{}", op, what, where(loc)));
}

void throw_dtype_error(std::string_view op, std::string_view what, const std::source_location& loc) {
    throw DTypeError(fmt::format("{}: {}{}", op, what, where(loc)));
}

}  // namespace tg
