#pragma once
// Note [kinds and names]: activations, init schemes and metrics each have an enum
// for code (a typo fails to compile) and names for configs and command lines. Each
// keeps one table of (name, kind) pairs, several names to a kind allowed, the first
// being the kind's own name; both routes look up that table through these helpers,
// so the lists cannot drift apart. Used by the .cpp files only.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tg::nn::detail {

template <class Kind>
struct NamedKind {
    std::string_view name;
    Kind kind;
};

/// Every name in the table, in order.
template <class Kind, std::size_t N>
std::vector<std::string> all_names(const NamedKind<Kind> (&table)[N]) {
    std::vector<std::string> names;
    for (const auto& entry : table) names.emplace_back(entry.name);
    return names;
}

/// The kind a name stands for, if the table has it (exact match).
template <class Kind, std::size_t N>
std::optional<Kind> kind_named(const NamedKind<Kind> (&table)[N], std::string_view name) {
    for (const auto& entry : table)
        if (entry.name == name) return entry.kind;
    return std::nullopt;
}

/// The first name of a kind ("" for a value the table lacks).
template <class Kind, std::size_t N>
std::string name_of(const NamedKind<Kind> (&table)[N], Kind kind) {
    for (const auto& entry : table)
        if (entry.kind == kind) return std::string(entry.name);
    return "";
}

}  // namespace tg::nn::detail
