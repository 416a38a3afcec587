#pragma once
/// @ingroup nn
/// Reading one decimal number from text, for the CSV readers.
#include <string_view>

namespace tg::nn {

enum class DecimalStatus {
    ok,            ///< the whole text is a number (possibly "nan" or "inf": check std::isfinite)
    not_a_number,  ///< empty, or not entirely a number
    overflow,      ///< a number too large for a double (e.g. "1e400")
};

/// Parse all of `text` as std::from_chars does (general format, locale-independent),
/// also accepting one leading '+'. As C's strtod, a number too small for a double
/// (e.g. "1e-400") underflows to zero with its sign: only overflow is an error.
/// `out` is set only when the result is ok.
DecimalStatus parse_decimal(std::string_view text, double& out);

}  // namespace tg::nn
