#pragma once
/// @ingroup nn
/// Reading numeric tables from CSV files into tensors.
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "dataset.hpp"

namespace tg::nn {

/// One malformed row: where it is and what is wrong.
struct CsvIssue {
    std::string file;
    std::size_t line = 0;     ///< 1-based line number in the file
    std::size_t column = 0;   ///< 1-based column, 0 when the whole row is wrong (field count)
    std::string column_name;  ///< header name of that column, when known
    std::string message;      ///< e.g. "'abc' is not a number"
    /// "data.csv:12: column 3 ('amount'): 'abc' is not a number"
    std::string to_string() const;
};

struct CsvOptions {
    /// Feature columns by header name, in this order. Empty: every column except
    /// the label and those in `ignore`.
    std::vector<std::string> features{};
    /// The label column (empty: none, y stays undefined).
    std::string label{};
    /// Columns left out when `features` is empty (ids, text columns).
    std::vector<std::string> ignore{};
    char delimiter = ',';
    /// First row holds the column names. Without a header, columns are named "0", "1", ...
    bool header = true;
    /// Skip malformed rows instead of throwing. Each is reported: passed to
    /// on_bad_row, or else printed to stderr (the first max_printed of them),
    /// and counted in CsvReport. Never silently dropped.
    bool skip_bad_rows = false;
    std::function<void(const CsvIssue&)> on_bad_row{};
    std::size_t max_printed = 10;
    /// A quoted field may hold line ends (RFC 4180), over at most this many lines.
    /// A quote still open after them, or at the end of the file, is reported as an
    /// unterminated quote on the record's first line; with skip_bad_rows that line
    /// alone is skipped and the lines after it are read as rows of their own.
    std::size_t max_record_lines = 100;
    /// Accept "nan" and "inf" cells (otherwise a row holding them is malformed).
    bool allow_non_finite = false;
    /// The label column holds names (e.g. "setosa"): map them to 0, 1, ... in sorted order.
    bool categorical_label = false;
    /// The class names in the order to number them (0, 1, ...), for a categorical label
    /// (giving them implies categorical_label). A label not in the list is a malformed
    /// row naming file, line and value; a name given twice throws std::invalid_argument.
    /// With the order known before the first row, CsvStream accepts it too.
    std::vector<std::string> classes{};
    DType dtype = DType::f32;
};

struct CsvReport {
    std::size_t rows_read = 0;     ///< data rows seen (not counting the header and blank lines)
    std::size_t rows_kept = 0;
    std::size_t rows_skipped = 0;  ///< rows_read = rows_kept + rows_skipped
    std::size_t blank_lines = 0;   ///< empty lines, ignored
    std::vector<CsvIssue> issues;  ///< one per skipped row
};

struct CsvData {
    Tensor x;  ///< [rows, features]
    Tensor y;  ///< [rows] (undefined without a label column)
    std::vector<std::string> feature_names;
    std::string label_name;
    std::vector<std::string> classes;  ///< names of the label values when categorical_label (options.classes when given)
    CsvReport report;
    Dataset dataset() const { return Dataset(x, y); }
};

/// Read a CSV file (RFC 4180 quoting: "a,b", "say ""hi""", CRLF line ends), in time
/// linear in its size. Numbers are read as std::from_chars reads them, with an
/// optional '+'; one too small for a double ("1e-400") underflows to 0, as strtod.
/// Throws IoError naming the file, line and column for a missing file, an unknown
/// column name, a row with the wrong number of fields, a cell that is not a number
/// or too large for a double, or an unterminated quote (unless skip_bad_rows, for
/// the per-row problems).
///
///     auto csv = read_csv("tutorials/data/iris.csv", {.label = "target", .ignore = {"target_name"}});
///     Dataset data = csv.dataset();
CsvData read_csv(const std::string& path, const CsvOptions& options = {});
/// The same from a stream; `name` is used in messages.
CsvData read_csv(std::istream& in, const std::string& name, const CsvOptions& options = {});

/// Split one CSV record (no line end) into fields, honouring quotes.
/// Returns false when a quote is left open (the record continues on the next line).
bool split_csv_record(const std::string& record, char delimiter, std::vector<std::string>& fields);

}  // namespace tg::nn
