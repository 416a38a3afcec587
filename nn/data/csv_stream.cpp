#include "csv_stream.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "csv_parse.hpp"
#include "gzip.hpp"
#include "line_reader.hpp"

namespace tg::nn {

namespace {

constexpr std::size_t max_kept_issues = 1000;

class FileDescriptor {
public:
    explicit FileDescriptor(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
        if (fd_ < 0) throw IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    }
    ~FileDescriptor() { ::close(fd_); }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

/// A one-line record's fields; false when a quote is left open at the line end.
bool split_line(std::string_view line, char delimiter, std::vector<std::string>& fields) {
    RecordSplitter split(delimiter, fields);
    split.feed(line);
    split.finish();
    return !split.in_quotes();
}

/// The first line of path, split into fields (the file's header, or the width of its rows).
std::vector<std::string> first_record(const std::string& path, char delimiter) {
    std::optional<FileDescriptor> fd;
    std::optional<GzipReader> gz;
    std::optional<LineReader> lines;
    if (is_gzip_file(path)) {
        gz.emplace(path);
        lines.emplace(*gz, path, 64 * 1024, 0);
    } else {
        fd.emplace(path);
        lines.emplace(fd->get(), path, 64 * 1024, 0);
    }
    std::string_view line;
    bool too_long = false;
    if (!lines->next(line, too_long)) throw IoError(fmt::format("{}: the file is empty", path));
    if (too_long) throw IoError(fmt::format("{}:1: the first line is longer than 64 KiB", path));
    std::vector<std::string> fields;
    if (!split_line(line, delimiter, fields)) throw IoError(fmt::format("{}:1: unterminated quoted field", path));
    return fields;
}

}  // namespace

/// Where reading stands: the range being read and its open file.
struct CsvStream::Reader {
    CsvColumns columns;
    std::vector<std::string> header;  // the first file's first record, which every file's must equal
    std::size_t range = 0;            // index into ranges_ of the range being read
    std::optional<FileDescriptor> fd;
    std::optional<GzipReader> gz;  // a gzip file is read whole, decompressed as it goes
    std::optional<LineReader> lines;
    std::vector<std::string> fields;
    std::vector<double> row;
    BadRows bad_rows;
};

CsvStream::CsvStream(std::vector<std::string> files, CsvOptions options, std::size_t part, std::size_t parts)
    : options_(std::move(options)) {
    if (files.empty()) throw std::invalid_argument("CsvStream: no files given");
    if (options_.categorical_label && options_.classes.empty())
        throw std::invalid_argument(
            "CsvStream: categorical_label needs every row before the first batch; give the class order "
            "(CsvOptions::classes), map the names to numbers "
            "beforehand, or use read_csv");
    if (parts > 1)
        for (const std::string& f : files)
            if (is_gzip_file(f))
                throw std::invalid_argument(fmt::format(
                    "CsvStream: {} is gzip-compressed, and a compressed file cannot be cut into byte parts; "
                    "decompress it, or split the data into several files", f));
    ranges_ = line_aligned_part(files, part, parts);
    auto header = first_record(files.front(), options_.delimiter);
    CsvColumns columns(column_names(header, options_.header, files.front(), 1), options_, files.front());
    feature_names_ = columns.feature_names();
    label_name_ = columns.label_name();
    reader_ = std::unique_ptr<Reader>(new Reader{std::move(columns), std::move(header), 0, {}, {}, {}, {},
                                                 std::vector<double>(feature_names_.size()),
                                                 BadRows(options_, report_, max_kept_issues)});
}

CsvStream::~CsvStream() = default;
CsvStream::CsvStream(CsvStream&&) noexcept = default;
CsvStream& CsvStream::operator=(CsvStream&&) noexcept = default;

void CsvStream::rewind() {
    reader_->range = 0;
    reader_->lines.reset();
    reader_->gz.reset();
    reader_->fd.reset();
}

bool CsvStream::next(std::size_t rows, Batch& out) {
    if (rows == 0) throw std::invalid_argument("CsvStream::next: rows must be at least 1");
    Reader& r = *reader_;
    std::vector<double> xs, ys;
    std::size_t kept = 0;
    std::string label_text;
    while (kept < rows && r.range < ranges_.size()) {
        const FileRange& range = ranges_[r.range];
        if (!r.lines) {  // open the next range; skip and check the header when it starts the file
            if (is_gzip_file(range.file)) {  // one part only (see the constructor): the whole file
                r.gz.emplace(range.file);
                r.lines.emplace(*r.gz, range.file);
            } else {
                r.fd.emplace(range.file);
                r.lines.emplace(r.fd->get(), range.file, 64 * 1024, 1 << 20, range.begin, range.end);
            }
            if (range.begin == 0 && options_.header) {
                std::string_view line;
                bool too_long = false;
                if (!r.lines->next(line, too_long) || too_long || !split_line(line, options_.delimiter, r.fields) ||
                    r.fields != r.header)
                    throw IoError(fmt::format("{}:1: the header differs from {}'s ({})", range.file,
                                              ranges_.front().file, fmt::join(r.header, ",")));
            }
        }
        std::string_view line;
        bool too_long = false;
        if (!r.lines->next(line, too_long)) {
            r.lines.reset();
            r.gz.reset();
            r.fd.reset();
            ++r.range;
            continue;
        }
        if (line.empty()) {
            ++report_.blank_lines;
            continue;
        }
        ++report_.rows_read;
        auto bad = [&](CsvIssue issue) {
            issue.file = range.file;
            issue.line = r.lines->line_number();
            r.bad_rows(std::move(issue));
        };
        double label = 0;
        if (too_long) {
            bad({"", 0, 0, "", "the line is longer than 64 KiB"});
        } else if (!split_line(line, options_.delimiter, r.fields)) {
            bad({"", 0, 0, "", "unterminated quoted field (a streamed record is one line)"});
        } else if (auto issue = r.columns.parse(r.fields, r.row.data(), label, label_text)) {
            bad(std::move(*issue));
        } else {
            xs.insert(xs.end(), r.row.begin(), r.row.end());
            if (r.columns.has_label()) ys.push_back(label);
            ++kept;
            ++report_.rows_kept;
        }
    }
    if (kept == 0) return false;
    out.x = from_vector(xs, {kept, feature_names_.size()}, {options_.dtype});
    out.y = r.columns.has_label() ? from_vector(ys, {kept}, {options_.dtype}) : Tensor();
    return true;
}

}  // namespace tg::nn
