#include "csv.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include <fmt/format.h>

namespace tg::nn {

std::string CsvIssue::to_string() const {
    if (column == 0) return fmt::format("{}:{}: {}", file, line, message);
    if (column_name.empty()) return fmt::format("{}:{}: column {}: {}", file, line, column, message);
    return fmt::format("{}:{}: column {} ('{}'): {}", file, line, column, column_name, message);
}

bool split_csv_record(const std::string& record, char delimiter, std::vector<std::string>& fields) {
    fields.clear();
    std::string field;
    bool quoted = false, was_quoted = false;
    for (std::size_t i = 0; i < record.size(); ++i) {
        const char c = record[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < record.size() && record[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field += c;
            }
        } else if (c == '"' && field.empty() && !was_quoted) {
            quoted = true;
            was_quoted = true;
        } else if (c == delimiter) {
            fields.push_back(std::move(field));
            field.clear();
            was_quoted = false;
        } else {
            field += c;
        }
    }
    fields.push_back(std::move(field));
    return !quoted;
}

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// The cell as a number, or an error message.
bool parse_number(std::string_view cell, bool allow_non_finite, double& out, std::string& error) {
    const std::string_view s = trim(cell);
    if (s.empty()) {
        error = "empty cell (a number is expected)";
        return false;
    }
    std::string_view digits = s;
    if (digits.front() == '+') digits.remove_prefix(1);
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    if (ec == std::errc::result_out_of_range) {
        error = fmt::format("'{}' is out of the range of a double", s);
        return false;
    }
    if (ec != std::errc() || ptr != digits.data() + digits.size()) {
        error = fmt::format("'{}' is not a number", s.size() > 40 ? std::string(s.substr(0, 40)) + "..." : std::string(s));
        return false;
    }
    if (!allow_non_finite && !std::isfinite(out)) {
        error = fmt::format("'{}' is not a finite number", s);
        return false;
    }
    return true;
}

}  // namespace

CsvData read_csv(const std::string& path, const CsvOptions& options) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError(fmt::format("read_csv: cannot open '{}'", path));
    return read_csv(in, path, options);
}

CsvData read_csv(std::istream& in, const std::string& name, const CsvOptions& options) {
    CsvData out;
    std::size_t line_no = 0;
    std::string line, record;
    std::vector<std::string> fields;

    // Reads the next record (joining lines inside quotes); returns its first line number, 0 at the end.
    auto next_record = [&](bool& unterminated) -> std::size_t {
        unterminated = false;
        while (std::getline(in, line)) {
            ++line_no;
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.empty()) {
                ++out.report.blank_lines;
                continue;
            }
            const std::size_t first = line_no;
            record = line;
            while (!split_csv_record(record, options.delimiter, fields)) {
                if (!std::getline(in, line)) {
                    unterminated = true;
                    return first;
                }
                ++line_no;
                if (!line.empty() && line.back() == '\r') line.pop_back();
                record += '\n';
                record += line;
            }
            return first;
        }
        return 0;
    };

    // ---- header and columns
    std::vector<std::string> names;
    bool unterminated = false;
    std::size_t first_line = next_record(unterminated);
    if (first_line == 0) throw IoError(fmt::format("{}: the file is empty", name));
    if (unterminated) throw IoError(fmt::format("{}:{}: unterminated quoted field", name, first_line));
    if (options.header) {
        names = fields;
        for (auto& n : names) n = std::string(trim(n));
        std::set<std::string> seen;
        for (std::size_t c = 0; c < names.size(); ++c)
            if (!seen.insert(names[c]).second)
                throw IoError(fmt::format("{}:{}: column {}: the name '{}' appears twice in the header", name,
                                          first_line, c + 1, names[c]));
    } else {
        for (std::size_t c = 0; c < fields.size(); ++c) names.push_back(std::to_string(c));
    }
    const std::size_t width = names.size();
    auto find_column = [&](const std::string& col, const char* role) {
        auto it = std::find(names.begin(), names.end(), col);
        if (it == names.end())
            throw IoError(fmt::format("{}: no {} column '{}'; the columns are: {}", name, role, col,
                                      fmt::join(names, ", ")));
        return static_cast<std::size_t>(it - names.begin());
    };
    std::vector<std::size_t> feature_cols;
    std::size_t label_col = width;
    if (!options.label.empty()) label_col = find_column(options.label, "label");
    if (!options.features.empty()) {
        for (const auto& f : options.features) feature_cols.push_back(find_column(f, "feature"));
    } else {
        for (const auto& ig : options.ignore) find_column(ig, "ignored");
        for (std::size_t c = 0; c < width; ++c)
            if (c != label_col && std::find(options.ignore.begin(), options.ignore.end(), names[c]) == options.ignore.end())
                feature_cols.push_back(c);
    }
    if (feature_cols.empty()) throw IoError(fmt::format("{}: no feature columns selected", name));
    for (std::size_t c : feature_cols) out.feature_names.push_back(names[c]);
    if (label_col < width) out.label_name = names[label_col];

    // ---- rows
    std::vector<double> xs, ys;
    std::vector<std::string> label_names;  // categorical labels, per kept row
    std::vector<double> row(feature_cols.size());
    std::size_t printed = 0;
    auto bad_row = [&](CsvIssue issue) {
        issue.file = name;
        if (!options.skip_bad_rows) throw IoError(issue.to_string());
        ++out.report.rows_skipped;
        if (options.on_bad_row) options.on_bad_row(issue);
        else if (printed < options.max_printed) {
            std::cerr << "warning: " << issue.to_string() << " (row skipped)\n";
            if (++printed == options.max_printed) std::cerr << "warning: further skipped rows are not printed\n";
        }
        out.report.issues.push_back(std::move(issue));
    };

    std::size_t at = options.header ? next_record(unterminated) : first_line;
    while (at != 0) {
        ++out.report.rows_read;
        if (unterminated) {
            bad_row({name, at, 0, "", "unterminated quoted field (the file ends inside quotes)"});
            break;
        }
        if (fields.size() != width) {
            bad_row({name, at, 0, "",
                     fmt::format("expected {} fields, found {}", width, fields.size())});
        } else {
            bool ok = true;
            std::string error;
            for (std::size_t k = 0; k < feature_cols.size() && ok; ++k) {
                const std::size_t c = feature_cols[k];
                if (!parse_number(fields[c], options.allow_non_finite, row[k], error)) {
                    bad_row({name, at, c + 1, names[c], error});
                    ok = false;
                }
            }
            double label = 0;
            if (ok && label_col < width) {
                if (options.categorical_label) {
                    const std::string_view v = trim(fields[label_col]);
                    if (v.empty()) {
                        bad_row({name, at, label_col + 1, names[label_col], "empty label"});
                        ok = false;
                    } else {
                        label_names.emplace_back(v);
                    }
                } else if (!parse_number(fields[label_col], options.allow_non_finite, label, error)) {
                    bad_row({name, at, label_col + 1, names[label_col], error});
                    ok = false;
                }
            }
            if (ok) {
                xs.insert(xs.end(), row.begin(), row.end());
                if (label_col < width && !options.categorical_label) ys.push_back(label);
                ++out.report.rows_kept;
            }
        }
        at = next_record(unterminated);
    }

    const std::size_t n = out.report.rows_kept;
    out.x = from_vector(xs, {n, feature_cols.size()}, {options.dtype});
    if (label_col < width) {
        if (options.categorical_label) {
            std::set<std::string> distinct(label_names.begin(), label_names.end());
            out.classes.assign(distinct.begin(), distinct.end());
            std::map<std::string, double> index;
            for (std::size_t i = 0; i < out.classes.size(); ++i) index[out.classes[i]] = static_cast<double>(i);
            for (const auto& l : label_names) ys.push_back(index[l]);
        }
        out.y = from_vector(ys, {n}, {options.dtype});
    }
    return out;
}

}  // namespace tg::nn
