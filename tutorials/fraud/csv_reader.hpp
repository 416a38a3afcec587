#pragma once
// Streaming CSV input for transactions: nn's line reader over a file descriptor
// with a fixed buffer (memory does not grow with the input), an RFC 4180 field
// splitter (quotes, "" escapes; no newlines inside quotes), and a transaction
// parser that maps the header to the schema and turns every bad line into a
// Reject with a reason, never an exception.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <tapegrad/nn/data/line_reader.hpp>

#include "schema.hpp"

namespace fraud {

/// Why an input line was not scored. Each has a stable name (reject_name) used in rejects files.
enum class Reject : std::uint8_t {
    blank_line,          ///< empty or only whitespace
    missing_fields,      ///< fewer fields than the header
    extra_fields,        ///< more fields than the header
    non_numeric,         ///< a numeric column holds something that is not a number
    not_finite,          ///< NaN, Inf, or a number too large for a double
    out_of_range,        ///< a number outside its column's range (negative amount, flag 2, hour 25, ...)
    unterminated_quote,  ///< a quoted field that is not closed before the end of the line
    bad_quote,           ///< text after a closing quote, or a quote inside an unquoted field
    header_mismatch,     ///< a header line (first field "id") with other columns than the stream's header
    repeated_header,     ///< the stream's header again (e.g. two CSV files concatenated)
    line_too_long,       ///< longer than the reader's line limit (the rest of the line is skipped)
    bad_id,              ///< empty transaction id, or longer than 64 bytes
};
inline constexpr std::size_t n_reject_kinds = 12;
std::string_view reject_name(Reject r);

/// The line reader is nn's (bounded memory, optional byte range).
using tg::nn::LineReader;

/// Result of splitting a line into fields.
enum class SplitStatus : std::uint8_t { ok, unterminated_quote, bad_quote };

/// Split line at commas into fields (views into line, or into scratch for quoted
/// fields with "" escapes). fields and scratch are reused between calls, so a
/// steady stream of lines allocates nothing.
SplitStatus split_fields(std::string_view line, std::vector<std::string_view>& fields, std::string& scratch);

/// Where the schema's columns sit in a file's header.
struct HeaderMap {
    std::vector<std::string> names;          ///< the header's fields, as read
    int id = -1;                             ///< index of the id column
    int label = -1;                          ///< index of is_fraud, or -1
    int pattern = -1;                        ///< index of the generator's pattern column, or -1
    std::array<int, n_raw> raw{};            ///< index of each raw column
};

/// Map a header to the schema. Columns may come in any order; id and every raw
/// column are required, is_fraud when need_label, and nothing else but
/// is_fraud and pattern is allowed. Throws std::runtime_error naming the
/// source, the missing, unexpected or duplicated columns.
HeaderMap map_header(const std::vector<std::string_view>& fields, bool need_label, const std::string& source);

/// One parsed transaction (views valid until the next line is read).
struct ParsedRow {
    std::string_view id;
    double raw[n_raw];
    int label = -1;                 ///< 0/1, or -1 when the file has no label column
    std::string_view pattern;       ///< the generator's pattern name, when present
};

/// Parse the fields of one data line. On failure returns false and fills reason and detail.
bool parse_row(const HeaderMap& h, const std::vector<std::string_view>& fields, ParsedRow& row, Reject& reason,
               std::string& detail);

/// Check a transaction id (1 to 64 bytes, after trimming for CSV). On failure
/// returns false with reason bad_id and detail. The CSV reader and the scoring
/// service's JSON parser share this and check_raw_value, so both reject alike.
bool check_id(std::string_view id, Reject& reason, std::string& detail);

/// Check a parsed number for raw column `column`: not_finite when NaN or infinite,
/// out_of_range outside the column's range (schema.hpp check_value).
bool check_raw_value(std::size_t column, double v, Reject& reason, std::string& detail);

/// Called for each rejected line: line number, reason, detail, the raw line (possibly cut).
using RejectSink = std::function<void(std::uint64_t, Reject, std::string_view, std::string_view)>;

/// Transactions from a CSV stream: reads and checks the header at construction
/// (so a file that does not fit the schema fails before any row is read), then
/// yields valid rows and reports every other line to a RejectSink.
class TransactionReader {
public:
    /// Throws std::runtime_error on a missing or mismatched header, tg::IoError on read errors.
    /// max_line, buffer_size and the byte range [begin, end) as for LineReader;
    /// a range that starts inside the file takes its header from the file's first line.
    TransactionReader(int fd, std::string name, bool need_label, std::size_t max_line = 64 * 1024,
                      std::size_t buffer_size = 1 << 20, std::uint64_t begin = 0,
                      std::uint64_t end = LineReader::to_end);
    /// The next valid row; false at the end of the input.
    bool next(ParsedRow& row, const RejectSink& on_reject);
    const HeaderMap& header() const { return header_; }
    void set_stop(const std::atomic<bool>* stop) { lines_.set_stop(stop); }
    std::uint64_t line_number() const { return lines_.line_number(); }
    std::uint64_t rows_read() const { return read_; }       ///< data lines seen (header excluded)
    std::uint64_t rows_rejected() const { return rejected_; }
    const std::array<std::uint64_t, n_reject_kinds>& rejects_by_reason() const { return by_reason_; }

private:
    LineReader lines_;
    HeaderMap header_;
    std::vector<std::string_view> fields_;
    std::string scratch_, detail_;
    std::uint64_t read_ = 0, rejected_ = 0;
    std::array<std::uint64_t, n_reject_kinds> by_reason_{};
};

/// Writes rejects as CSV: line,reason,detail,content (content quoted and cut to 256 bytes).
class RejectWriter {
public:
    explicit RejectWriter(std::function<void(std::string_view)> out);
    void write(std::uint64_t line, Reject reason, std::string_view detail, std::string_view raw);
    void flush();
    ~RejectWriter() = default;

private:
    std::function<void(std::string_view)> out_;
    std::string buf_;
};

/// Append s to out as one CSV field, quoted when needed.
void append_csv_field(std::string& out, std::string_view s);

}  // namespace fraud
