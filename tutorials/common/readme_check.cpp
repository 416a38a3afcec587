#include "readme_check.hpp"

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "report.hpp"

namespace tut {

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

bool is_section_title(const std::string& line) {
    return line.size() > 8 && line.rfind("=== ", 0) == 0 && line.compare(line.size() - 4, 4, " ===") == 0;
}

// The first line where a and b differ, for the message.
std::string first_difference(const std::string& expected, const std::string& actual) {
    const auto a = lines_of(expected), b = lines_of(actual);
    for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
        const std::string x = i < a.size() ? a[i] : "<end>", y = i < b.size() ? b[i] : "<end>";
        if (x != y) return fmt::format("line {} of the block:\n  README:  {}\n  program: {}", i + 1, x, y);
    }
    return "(no difference)";
}

}  // namespace

std::string slug(const std::string& title) {
    std::string s;
    bool dash = false;
    for (unsigned char c : title) {
        if (std::isalnum(c)) {
            if (dash && !s.empty()) s += '-';
            s += static_cast<char>(std::tolower(c));
            dash = false;
        } else {
            dash = true;
        }
    }
    return s;
}

std::string output_section(const std::string& output, const std::string& section_slug) {
    const auto lines = lines_of(output);
    std::vector<std::string> picked;
    bool inside = false;
    for (const std::string& line : lines) {
        if (is_section_title(line)) {
            if (inside) break;
            inside = slug(line.substr(4, line.size() - 8)) == section_slug;
        }
        if (inside) picked.push_back(line);
    }
    while (!picked.empty() && trim(picked.back()).empty()) picked.pop_back();
    std::string s;
    for (const auto& l : picked) s += l + '\n';
    return s;
}

std::vector<ReadmeBlock> readme_blocks(const std::string& markdown) {
    const auto lines = lines_of(markdown);
    std::vector<ReadmeBlock> blocks;
    const std::string open = "<!-- output:";
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string t = trim(lines[i]);
        if (t.rfind(open, 0) != 0) continue;
        const auto close = t.find("-->");
        if (close == std::string::npos) throw std::runtime_error(fmt::format("line {}: marker without -->", i + 1));
        const std::string ref = trim(t.substr(open.size(), close - open.size()));
        ReadmeBlock b;
        const auto hash = ref.find('#');
        b.topic = ref.substr(0, hash);
        b.section = hash == std::string::npos ? "" : ref.substr(hash + 1);
        std::size_t j = i + 1;
        while (j < lines.size() && trim(lines[j]).empty()) ++j;
        if (j == lines.size() || trim(lines[j]) != "```text")
            throw std::runtime_error(fmt::format("line {}: output marker '{}' not followed by a ```text block", i + 1, ref));
        b.first_line = j + 1;
        std::size_t k = b.first_line;
        while (k < lines.size() && trim(lines[k]) != "```") ++k;
        if (k == lines.size()) throw std::runtime_error(fmt::format("line {}: ```text block never closed", j + 1));
        b.last_line = k;
        for (std::size_t m = b.first_line; m < k; ++m) b.text += lines[m] + '\n';
        blocks.push_back(std::move(b));
        i = k;
    }
    return blocks;
}

std::vector<std::string> check_readme(const std::filesystem::path& path, const std::string& topic,
                                      const std::string& output, bool update) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return {fmt::format("{}: cannot read", path.string())};
    std::stringstream buf;
    buf << f.rdbuf();
    const std::string markdown = buf.str();
    std::vector<ReadmeBlock> blocks;
    try {
        blocks = readme_blocks(markdown);
    } catch (const std::exception& e) {
        return {fmt::format("{}: {}", path.string(), e.what())};
    }
    std::vector<std::string> problems;
    auto lines = lines_of(markdown);
    std::size_t quoted = 0;
    // replace from the last block up, so earlier line numbers stay valid
    for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) {
        const ReadmeBlock& b = *it;
        if (b.topic != topic) continue;
        ++quoted;
        const std::string expected = output_section(output, b.section);
        if (expected.empty()) {
            problems.push_back(fmt::format("{}:{}: the program prints no section '{}'", path.string(), b.first_line,
                                           b.section));
            continue;
        }
        if (expected == b.text) continue;
        problems.push_back(fmt::format("{}:{}: block '{}#{}' differs from the program's output{}; {}", path.string(),
                                       b.first_line, b.topic, b.section, update ? " (rewritten)" : "",
                                       first_difference(b.text, expected)));
        if (update) {
            auto fresh = lines_of(expected);
            lines.erase(lines.begin() + static_cast<long>(b.first_line), lines.begin() + static_cast<long>(b.last_line));
            lines.insert(lines.begin() + static_cast<long>(b.first_line), fresh.begin(), fresh.end());
        }
    }
    if (quoted == 0) problems.push_back(fmt::format("{}: quotes no output of {}", path.string(), topic));
    if (update && !problems.empty()) {
        std::string text;
        for (const auto& l : lines) text += l + '\n';
        write_file_atomic(path, text);
    }
    return problems;
}

}  // namespace tut
