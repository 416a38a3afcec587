#pragma once
/// @ingroup nn
/// The pieces both CSV readers share (read_csv, which loads a whole file, and
/// CsvStream, which streams parts of files): RFC 4180 field splitting and the
/// mapping from a header's columns to features and label.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csv.hpp"

namespace tg::nn {

/// RFC 4180 field splitting, fed a record piece by piece: a quoted field may hold
/// line ends, so a reader feeds one line at a time and asks whether a quote is
/// still open, scanning each line once.
class RecordSplitter {
public:
    RecordSplitter(char delimiter, std::vector<std::string>& fields) : delimiter_(delimiter), fields_(fields) {
        fields_.clear();
    }
    void feed(std::string_view text);
    bool in_quotes() const { return quoted_; }
    /// The last field; call once, at the end of the record.
    void finish() { fields_.push_back(std::move(field_)); }

private:
    char delimiter_;
    std::vector<std::string>& fields_;
    std::string field_;
    bool quoted_ = false, was_quoted_ = false;
};

/// The header's names (trimmed; `fields` of the first record), or "0", "1", ...
/// without a header. Throws IoError naming file and line for a name given twice.
std::vector<std::string> column_names(const std::vector<std::string>& fields, bool header, const std::string& file,
                                      std::size_t line);

/// Which columns are features and which is the label (CsvOptions::features,
/// label, ignore), and one record's cells turned into numbers.
class CsvColumns {
public:
    /// Throws IoError naming the file and the columns it has for an unknown column.
    CsvColumns(std::vector<std::string> names, const CsvOptions& options, const std::string& file);
    std::size_t width() const { return names_.size(); }  ///< fields per record
    std::size_t features() const { return feature_cols_.size(); }
    bool has_label() const { return label_col_ < names_.size(); }
    const std::vector<std::string>& names() const { return names_; }
    std::vector<std::string> feature_names() const;
    std::string label_name() const { return has_label() ? names_[label_col_] : std::string(); }
    /// One record's features (features() of them) and label (numeric, or its text when
    /// categorical_label). The problem, without file and line, when a field count or
    /// a cell is wrong.
    std::optional<CsvIssue> parse(const std::vector<std::string>& fields, double* features, double& label,
                                  std::string& label_text) const;

private:
    std::vector<std::string> names_;
    std::vector<std::size_t> feature_cols_;
    std::size_t label_col_;
    bool allow_non_finite_, categorical_;
    std::map<std::string, double, std::less<>> class_index_;  // CsvOptions::classes: name -> number
    std::string class_list_;                                  // the same, for messages
};

/// What happens to a malformed row (CsvOptions::skip_bad_rows, on_bad_row,
/// max_printed): thrown as an IoError, or counted in report, passed to
/// on_bad_row or printed, and kept in report.issues (the first max_kept).
class BadRows {
public:
    BadRows(const CsvOptions& options, CsvReport& report, std::size_t max_kept = std::size_t(-1))
        : options_(options), report_(report), max_kept_(max_kept) {}
    void operator()(CsvIssue issue);

private:
    const CsvOptions& options_;
    CsvReport& report_;
    std::size_t max_kept_, printed_ = 0;
};

}  // namespace tg::nn
