#pragma once
// Printing tensors: fmt::format("{}", t) and std::cout << t.
#include <ostream>

#include <fmt/format.h>

#include "tensor.hpp"

template <>
struct fmt::formatter<tg::Tensor> : fmt::formatter<std::string_view> {
    template <class FormatContext>
    auto format(const tg::Tensor& t, FormatContext& ctx) const {
        const std::string s = tg::to_string(t);
        return fmt::formatter<std::string_view>::format(std::string_view(s), ctx);
    }
};

namespace tg {
inline std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << to_string(t); }
}  // namespace tg
