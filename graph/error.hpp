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

/// Note [error locations]
/// -----------------------
/// Errors end with the user's file and line: " (at model.cpp:12)". Ops take a
/// defaulted std::source_location, evaluated where the user wrote the call; the
/// operators (a + b, ...) get it through TensorAt. An op called from inside the
/// library (a layer's forward calling matmul) would name the library's own file,
/// so Module::operator() records its caller's location as the active call site
/// for the duration of forward, and where() reports that site instead of a
/// location inside the library (or an empty one). A nested module called from
/// library code (Sequential calling Linear) keeps the site of the user's call;
/// one called from user code (a user's forward calling (*fc)(x)) names that line.

/// The active call site: a user's call of a module, with the module's type name
/// for the message (computed only when an error is formatted).
struct CallSite {
    std::source_location loc;
    const void* owner = nullptr;
    std::string (*describe)(const void* owner) = nullptr;
};

/// True when loc lies in the library's own sources (graph/, ops/, nn/, dist/ of
/// the tree this library was built from).
bool in_library(const std::source_location& loc);

/// While alive, makes `site` the active call site of this thread, unless its
/// location is unknown or inside the library (then an outer user call, if any,
/// stays the one reported). Cheap: a thread-local pointer saved and restored.
class CallSiteScope {
public:
    explicit CallSiteScope(const CallSite& site);
    ~CallSiteScope();
    CallSiteScope(const CallSiteScope&) = delete;
    CallSiteScope& operator=(const CallSiteScope&) = delete;

private:
    const CallSite* saved_;
};

/// " (at file.cpp:12)" for a caller's location, "" when unknown. When a call site
/// is active (Note [error locations]) and loc is empty or inside the library, the
/// site's: " (at model.cpp:12, in Linear)". A location inside the library with
/// no active site gives "" (the library's own line would mislead).
std::string where(const std::source_location& loc);

[[noreturn]] void throw_shape_error(std::string_view op, std::string_view what,
                                    const std::source_location& loc = {});
[[noreturn]] void throw_dtype_error(std::string_view op, std::string_view what,
                                    const std::source_location& loc = {});

}  // namespace tg
