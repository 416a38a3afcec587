#include "csv_parse.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <set>

#include <fmt/format.h>

#include "number.hpp"

namespace tg::nn {

void RecordSplitter::feed(std::string_view text) {
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

std::vector<std::string> column_names(const std::vector<std::string>& fields, bool header, const std::string& file,
                                      std::size_t line) {
    std::vector<std::string> names;
    if (!header) {
        for (std::size_t c = 0; c < fields.size(); ++c) names.push_back(std::to_string(c));
        return names;
    }
    std::set<std::string> seen;
    for (std::size_t c = 0; c < fields.size(); ++c) {
        names.emplace_back(trim(fields[c]));
        if (!seen.insert(names.back()).second)
            throw IoError(fmt::format("{}:{}: column {}: the name '{}' appears twice in the header", file, line, c + 1,
                                      names.back()));
    }
    return names;
}

CsvColumns::CsvColumns(std::vector<std::string> names, const CsvOptions& options, const std::string& file)
    : names_(std::move(names)),
      label_col_(names_.size()),
      allow_non_finite_(options.allow_non_finite),
      categorical_(options.categorical_label || !options.classes.empty()) {
    for (const std::string& c : options.classes)
        if (!class_index_.emplace(c, static_cast<double>(class_index_.size())).second)
            throw std::invalid_argument(fmt::format("{}: the class '{}' is given twice in CsvOptions::classes", file, c));
    class_list_ = fmt::format("{}", fmt::join(options.classes, ", "));
    auto find_column = [&](const std::string& col, const char* role) {
        auto it = std::find(names_.begin(), names_.end(), col);
        if (it == names_.end())
            throw IoError(fmt::format("{}: no {} column '{}'; the columns are: {}", file, role, col, fmt::join(names_, ", ")));
        return static_cast<std::size_t>(it - names_.begin());
    };
    if (!options.label.empty()) label_col_ = find_column(options.label, "label");
    if (!options.features.empty()) {
        for (const auto& f : options.features) feature_cols_.push_back(find_column(f, "feature"));
    } else {
        for (const auto& ig : options.ignore) find_column(ig, "ignored");
        for (std::size_t c = 0; c < names_.size(); ++c)
            if (c != label_col_ && std::find(options.ignore.begin(), options.ignore.end(), names_[c]) == options.ignore.end())
                feature_cols_.push_back(c);
    }
    if (feature_cols_.empty()) throw IoError(fmt::format("{}: no feature columns selected", file));
}

std::vector<std::string> CsvColumns::feature_names() const {
    std::vector<std::string> out;
    for (std::size_t c : feature_cols_) out.push_back(names_[c]);
    return out;
}

std::optional<CsvIssue> CsvColumns::parse(const std::vector<std::string>& fields, double* features, double& label,
                                          std::string& label_text) const {
    if (fields.size() != width())
        return CsvIssue{"", 0, 0, "", fmt::format("expected {} fields, found {}", width(), fields.size())};
    std::string error;
    for (std::size_t k = 0; k < feature_cols_.size(); ++k) {
        const std::size_t c = feature_cols_[k];
        if (!parse_number(fields[c], allow_non_finite_, features[k], error))
            return CsvIssue{"", 0, c + 1, names_[c], error};
    }
    if (!has_label()) return std::nullopt;
    if (categorical_) {
        label_text = trim(fields[label_col_]);
        if (label_text.empty()) return CsvIssue{"", 0, label_col_ + 1, names_[label_col_], "empty label"};
        if (!class_index_.empty()) {
            const auto it = class_index_.find(label_text);
            if (it == class_index_.end())
                return CsvIssue{"", 0, label_col_ + 1, names_[label_col_],
                                fmt::format("'{}' is not one of the classes given ({})", label_text, class_list_)};
            label = it->second;
        }
    } else if (!parse_number(fields[label_col_], allow_non_finite_, label, error)) {
        return CsvIssue{"", 0, label_col_ + 1, names_[label_col_], error};
    }
    return std::nullopt;
}

void BadRows::operator()(CsvIssue issue) {
    if (!options_.skip_bad_rows) throw IoError(issue.to_string());
    ++report_.rows_skipped;
    if (options_.on_bad_row) options_.on_bad_row(issue);
    else if (printed_ < options_.max_printed) {
        std::cerr << "warning: " << issue.to_string() << " (row skipped)\n";
        if (++printed_ == options_.max_printed) std::cerr << "warning: further skipped rows are not printed\n";
    }
    if (report_.issues.size() < max_kept_) report_.issues.push_back(std::move(issue));
}

}  // namespace tg::nn
