// See Note [checked element counts] in numel.hpp.
#include "numel.hpp"

#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace tg {

std::size_t checked_numel(const Shape& shape, const char* op, std::size_t element_bytes) {
    std::size_t n = 1;
    bool overflow = false;
    for (std::size_t d : shape) overflow |= __builtin_mul_overflow(n, d, &n);
    // a zero anywhere makes the product 0 however large the other sizes are
    for (std::size_t d : shape)
        if (d == 0) return 0;
    std::size_t bytes = 0;
    if (!overflow && !__builtin_mul_overflow(n, element_bytes, &bytes) && bytes <= kMaxTensorBytes) return n;
    std::string hint;
    for (std::size_t d : shape)
        if (d > static_cast<std::size_t>(PTRDIFF_MAX)) {
            hint = fmt::format(" (size {} is a negative number converted to an unsigned size: {} as a signed one)", d,
                               static_cast<std::ptrdiff_t>(d));
            break;
        }
    throw ShapeError(fmt::format("{}: shape {} has {} elements, more than a tensor can hold (at most {} bytes: {} "
                                 "elements of {} bytes){}",
                                 op, shape_str(shape), overflow ? std::string("over 2^64") : std::to_string(n),
                                 kMaxTensorBytes, kMaxTensorBytes / element_bytes, element_bytes, hint));
}

}  // namespace tg
