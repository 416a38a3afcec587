#pragma once
// Error types and the helpers every op uses to report bad input.
// Messages lead with the op's name, then what was expected and what was given,
// e.g. "matmul: (3, 4) @ (5, 2): inner dimensions 4 and 5 differ (at model.cpp:12)".
#include <cstddef>
#include <source_location>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tg {

using Shape = std::vector<std::size_t>;

/// Incompatible shapes, bad axes or indices given to an op.
struct ShapeError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};
/// float and double mixed in one op, or an op that does not support a dtype.
struct DTypeError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};
/// Misuse of the autograd graph: backward twice, backward on a non-scalar without seed, ...
struct GraphError : std::logic_error {
    using std::logic_error::logic_error;
};
/// Thrown in anomaly mode when an op produces NaN or Inf.
struct AnomalyError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
/// A file that cannot be read or written, or whose content is malformed.
struct IoError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// "(2, 3)"; a scalar (rank 0) is "()".
std::string shape_str(const Shape& shape);
template <class S>
std::string shape_str(const S& shape) {
    return shape_str(Shape(shape.begin(), shape.end()));
}

/// " (at file.cpp:12)" for a caller's location, "" when unknown.
std::string where(const std::source_location& loc);

[[noreturn]] void throw_shape_error(std::string_view op, std::string_view what,
                                    const std::source_location& loc = {});
[[noreturn]] void throw_dtype_error(std::string_view op, std::string_view what,
                                    const std::source_location& loc = {});

}  // namespace tg
