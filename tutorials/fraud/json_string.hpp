#pragma once
// JSON string literals for the demo's JSON outputs (alerts, the service's answers).
#include <string>
#include <string_view>

namespace fraud {

/// Append s to out as a JSON string literal (quotes, escapes, control characters);
/// bytes that are not valid UTF-8 become U+FFFD, so the result is always valid JSON.
void append_json_string(std::string& out, std::string_view s);

}  // namespace fraud
