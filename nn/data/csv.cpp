#include "csv.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "number.hpp"

namespace tg::nn {

std::string CsvIssue::to_string() const {
    if (column == 0) return fmt::format("{}:{}: {}", file, line, message);
    if (column_name.empty()) return fmt::format("{}:{}: column {}: {}", file, line, column, message);
    return fmt::format("{}:{}: column {} ('{}'): {}", file, line, column, column_name, message);
}

namespace {

/// RFC 4180 field splitting, fed a record piece by piece: a quoted field may hold
/// line ends, so the reader feeds one line at a time and asks whether a quote is
/// still open, scanning each line once.
class RecordSplitter {
public:
    RecordSplitter(char delimiter, std::vector<std::string>& fields) : delimiter_(delimiter), fields_(fields) {
        fields_.clear();
    }
    void feed(std::string_view text) {
        for (std::size_t i = 0; i < text.size(); ++i) {
            const char c = text[i];
            if (quoted_) {
                if (c != '"') field_ += c;
                else if (i + 1 < text.size() && text[i + 1] == '"') field_ += '"', ++i;
                else quoted_ = false;
            } else if (c == '"' && field_.empty() && !was_quoted_) {
                quoted_ = was_quoted_ = true;
            } else if (c == delimiter_) {
                fields_.push_back(std::move(field_));
                field_.clear();
                was_quoted_ = false;
            } else {
                field_ += c;
            }
        }
    }
    bool in_quotes() const { return quoted_; }
    /// The last field; call once, at the end of the record.
    void finish() { fields_.push_back(std::move(field_)); }

private:
    char delimiter_;
    std::vector<std::string>& fields_;
    std::string field_;
    bool quoted_ = false, was_quoted_ = false;
};

}  // namespace

bool split_csv_record(const std::string& record, char delimiter, std::vector<std::string>& fields) {
    RecordSplitter split(delimiter, fields);
    split.feed(record);
    split.finish();
    return !split.in_quotes();
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
    switch (parse_decimal(s, out)) {
        case DecimalStatus::ok: break;
        case DecimalStatus::overflow:
            error = fmt::format("'{}' is too large for a double", s);
            return false;
        case DecimalStatus::not_a_number:
            error = fmt::format("'{}' is not a number",
                                s.size() > 40 ? std::string(s.substr(0, 40)) + "..." : std::string(s));
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
    std::vector<std::string> fields;

    // Lines read ahead for a quote that was never closed, to be read again (with their numbers).
    std::deque<std::pair<std::size_t, std::string>> pending;
    auto next_line = [&](std::string& line, std::size_t& number) {
        if (!pending.empty()) {
            number = pending.front().first;
            line = std::move(pending.front().second);
            pending.pop_front();
            return true;
        }
        if (!std::getline(in, line)) return false;
        number = ++line_no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return true;
    };
    // Reads the next record into fields (joining lines inside quotes); returns its first
    // line number, 0 at the end. A quote still open after max_record_lines lines, or at the
    // end of the file, is unterminated: the record is its first line alone (reported by the
    // caller) and the lines after it are read again as records of their own, so one stray
    // quote costs one row, and time linear in the file.
    const std::size_t max_lines = std::max<std::size_t>(options.max_record_lines, 1);
    std::string unterminated_why;
    auto next_record = [&](bool& unterminated) -> std::size_t {
        unterminated = false;
        std::string line;
        std::size_t first = 0;
        while (next_line(line, first)) {
            if (line.empty()) {
                ++out.report.blank_lines;
                continue;
            }
            RecordSplitter split(options.delimiter, fields);
            split.feed(line);
            std::vector<std::pair<std::size_t, std::string>> continued;
            bool at_end = false;
            while (split.in_quotes() && continued.size() + 1 < max_lines) {
                std::string more;
                std::size_t number = 0;
                if (!next_line(more, number)) {
                    at_end = true;
                    break;
                }
                split.feed("\n");
                split.feed(more);
                continued.emplace_back(number, std::move(more));
            }
            split.finish();
            if (split.in_quotes()) {
                unterminated = true;
                unterminated_why = at_end ? "the file ends inside quotes"
                                          : fmt::format("no closing quote within {} lines", max_lines);
                pending.insert(pending.begin(), std::make_move_iterator(continued.begin()),
                               std::make_move_iterator(continued.end()));
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
    if (unterminated)
        throw IoError(fmt::format("{}:{}: unterminated quoted field ({})", name, first_line, unterminated_why));
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
            bad_row({name, at, 0, "", fmt::format("unterminated quoted field ({})", unterminated_why)});
        } else if (fields.size() != width) {
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
