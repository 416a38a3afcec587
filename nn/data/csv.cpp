#include "csv.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "csv_parse.hpp"
#include "gzip.hpp"

namespace tg::nn {

std::string CsvIssue::to_string() const {
    if (column == 0) return fmt::format("{}:{}: {}", file, line, message);
    if (column_name.empty()) return fmt::format("{}:{}: column {}: {}", file, line, column, message);
    return fmt::format("{}:{}: column {} ('{}'): {}", file, line, column, column_name, message);
}

bool split_csv_record(const std::string& record, char delimiter, std::vector<std::string>& fields) {
    RecordSplitter split(delimiter, fields);
    split.feed(record);
    split.finish();
    return !split.in_quotes();
}

CsvData read_csv(const std::string& path, const CsvOptions& options) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError(fmt::format("read_csv: cannot open '{}'", path));
    char magic[2] = {0, 0};
    in.read(magic, 2);
    if (in.gcount() == 2 && magic[0] == '\x1f' && magic[1] == '\x8b') {  // gzip: read_csv keeps every row
        std::istringstream text(read_gzip(path));                          // anyway, so decompress at once
        return read_csv(text, path, options);
    }
    in.clear();
    in.seekg(0);
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
    bool unterminated = false;
    std::size_t first_line = next_record(unterminated);
    if (first_line == 0) throw IoError(fmt::format("{}: the file is empty", name));
    if (unterminated)
        throw IoError(fmt::format("{}:{}: unterminated quoted field ({})", name, first_line, unterminated_why));
    const CsvColumns columns(column_names(fields, options.header, name, first_line), options, name);
    out.feature_names = columns.feature_names();
    out.label_name = columns.label_name();

    // ---- rows
    std::vector<double> xs, ys;
    std::vector<std::string> label_names;  // categorical labels, per kept row
    std::vector<double> row(columns.features());
    BadRows bad_rows(options, out.report);
    auto bad_row = [&](CsvIssue issue) {
        issue.file = name;
        bad_rows(std::move(issue));
    };

    std::size_t at = options.header ? next_record(unterminated) : first_line;
    while (at != 0) {
        ++out.report.rows_read;
        if (unterminated) {
            bad_row({name, at, 0, "", fmt::format("unterminated quoted field ({})", unterminated_why)});
        } else {
            double label = 0;
            std::string label_text;
            if (auto issue = columns.parse(fields, row.data(), label, label_text)) {
                issue->line = at;
                bad_row(std::move(*issue));
            } else {
                xs.insert(xs.end(), row.begin(), row.end());
                if (options.categorical_label && options.classes.empty()) label_names.push_back(std::move(label_text));
                else if (columns.has_label()) ys.push_back(label);
                ++out.report.rows_kept;
            }
        }
        at = next_record(unterminated);
    }

    const std::size_t n = out.report.rows_kept;
    out.x = from_vector(xs, {n, columns.features()}, {options.dtype});
    if (columns.has_label()) {
        if (!options.classes.empty()) {
            out.classes = options.classes;  // the labels are already numbered, in this order
        } else if (options.categorical_label) {
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
