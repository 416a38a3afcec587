#include "csv_reader.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>
#include <tapegrad/graph/error.hpp>
#include <tapegrad/nn/data/number.hpp>

namespace fraud {

std::string_view reject_name(Reject r) {
    switch (r) {
        case Reject::blank_line: return "blank_line";
        case Reject::missing_fields: return "missing_fields";
        case Reject::extra_fields: return "extra_fields";
        case Reject::non_numeric: return "non_numeric";
        case Reject::not_finite: return "not_finite";
        case Reject::out_of_range: return "out_of_range";
        case Reject::unterminated_quote: return "unterminated_quote";
        case Reject::bad_quote: return "bad_quote";
        case Reject::header_mismatch: return "header_mismatch";
        case Reject::repeated_header: return "repeated_header";
        case Reject::line_too_long: return "line_too_long";
        case Reject::bad_id: return "bad_id";
    }
    return "unknown";
}

// ---- fields -----------------------------------------------------------------

SplitStatus split_fields(std::string_view line, std::vector<std::string_view>& fields, std::string& scratch) {
    fields.clear();
    scratch.clear();
    if (!std::memchr(line.data(), '"', line.size())) {  // the common case: no quotes at all
        const char* p = line.data();
        const char* const end = p + line.size();
        while (true) {
            const char* comma = static_cast<const char*>(std::memchr(p, ',', std::size_t(end - p)));
            if (!comma) {
                fields.emplace_back(p, std::size_t(end - p));
                return SplitStatus::ok;
            }
            fields.emplace_back(p, std::size_t(comma - p));
            p = comma + 1;
        }
    }
    if (scratch.capacity() < line.size()) scratch.reserve(line.size());  // views into scratch must not move
    const char* p = line.data();
    const char* const end = p + line.size();
    while (true) {
        if (p < end && *p == '"') {
            ++p;
            const std::size_t out_start = scratch.size();
            bool closed = false;
            while (p < end) {
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        scratch.push_back('"');
                        p += 2;
                        continue;
                    }
                    ++p;
                    closed = true;
                    break;
                }
                scratch.push_back(*p++);
            }
            if (!closed) return SplitStatus::unterminated_quote;
            fields.emplace_back(scratch.data() + out_start, scratch.size() - out_start);
            if (p == end) return SplitStatus::ok;
            if (*p != ',') return SplitStatus::bad_quote;
            ++p;
            if (p == end) {  // trailing comma: one more, empty field
                fields.emplace_back();
                return SplitStatus::ok;
            }
            continue;
        }
        const char* comma = static_cast<const char*>(std::memchr(p, ',', std::size_t(end - p)));
        const char* stop = comma ? comma : end;
        if (std::memchr(p, '"', std::size_t(stop - p))) return SplitStatus::bad_quote;
        fields.emplace_back(p, std::size_t(stop - p));
        if (!comma) return SplitStatus::ok;
        p = comma + 1;
        if (p == end) {
            fields.emplace_back();
            return SplitStatus::ok;
        }
    }
}

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

bool is_blank(std::string_view s) { return trim(s).empty(); }

std::string preview(std::string_view s, std::size_t max = 40) {
    if (s.size() <= max) return std::string(s);
    return std::string(s.substr(0, max)) + "...";
}

}  // namespace

// ---- header -----------------------------------------------------------------

HeaderMap map_header(const std::vector<std::string_view>& fields, bool need_label, const std::string& source) {
    HeaderMap h;
    h.raw.fill(-1);
    std::vector<std::string> unexpected, duplicated;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::string_view name = trim(fields[i]);
        h.names.emplace_back(name);
        int* slot = nullptr;
        if (name == id_column) slot = &h.id;
        else if (name == label_column) slot = &h.label;
        else if (name == "pattern") slot = &h.pattern;
        else
            for (std::size_t c = 0; c < n_raw; ++c)
                if (name == raw_columns()[c].name) slot = &h.raw[c];
        if (!slot) {
            unexpected.emplace_back(name);
            continue;
        }
        if (*slot >= 0) duplicated.emplace_back(name);
        *slot = int(i);
    }
    std::vector<std::string> missing;
    if (h.id < 0) missing.emplace_back(id_column);
    for (std::size_t c = 0; c < n_raw; ++c)
        if (h.raw[c] < 0) missing.emplace_back(raw_columns()[c].name);
    if (need_label && h.label < 0) missing.emplace_back(label_column);
    if (!missing.empty() || !unexpected.empty() || !duplicated.empty()) {
        std::string msg = fmt::format("{}: line 1: the header does not match the model's columns", source);
        if (!missing.empty()) msg += fmt::format("; missing: {}", fmt::join(missing, ", "));
        if (!unexpected.empty()) msg += fmt::format("; unexpected: {}", fmt::join(unexpected, ", "));
        if (!duplicated.empty()) msg += fmt::format("; duplicated: {}", fmt::join(duplicated, ", "));
        std::vector<std::string> want{std::string(id_column)};
        for (const Column& c : raw_columns()) want.emplace_back(c.name);
        msg += fmt::format(" (expected {}{}, in any order)", fmt::join(want, ","),
                           need_label ? ",is_fraud" : " [,is_fraud] [,pattern]");
        throw std::runtime_error(msg);
    }
    return h;
}

// ---- rows -------------------------------------------------------------------

bool check_id(std::string_view id, Reject& reason, std::string& detail) {
    if (!id.empty() && id.size() <= 64) return true;
    reason = Reject::bad_id;
    detail = id.empty() ? "empty id" : fmt::format("id of {} bytes (at most 64)", id.size());
    return false;
}

bool check_raw_value(std::size_t column, double v, Reject& reason, std::string& detail) {
    if (!std::isfinite(v)) {
        reason = Reject::not_finite;
        detail = fmt::format("{}: '{}' is not finite", raw_columns()[column].name, v);
        return false;
    }
    if (!value_ok(column, v)) {
        reason = Reject::out_of_range;
        detail = check_value(column, v);
        return false;
    }
    return true;
}

bool parse_row(const HeaderMap& h, const std::vector<std::string_view>& fields, ParsedRow& row, Reject& reason,
               std::string& detail) {
    if (fields.size() < h.names.size()) {
        reason = Reject::missing_fields;
        detail = fmt::format("{} fields, the header has {}", fields.size(), h.names.size());
        return false;
    }
    if (fields.size() > h.names.size()) {
        reason = Reject::extra_fields;
        detail = fmt::format("{} fields, the header has {}", fields.size(), h.names.size());
        return false;
    }
    row.id = trim(fields[std::size_t(h.id)]);
    if (!check_id(row.id, reason, detail)) return false;
    for (std::size_t c = 0; c < n_raw; ++c) {
        std::string_view f = trim(fields[std::size_t(h.raw[c])]);
        double v = 0;
        const tg::nn::DecimalStatus parsed = tg::nn::parse_decimal(f, v);  // "1e-400" underflows to 0, as strtod
        if (parsed == tg::nn::DecimalStatus::overflow) {
            reason = Reject::not_finite;
            detail = fmt::format("{}: '{}' is too large for a double", raw_columns()[c].name, preview(f));
            return false;
        }
        if (parsed != tg::nn::DecimalStatus::ok) {
            reason = Reject::non_numeric;
            detail = fmt::format("{}: '{}' is not a number", raw_columns()[c].name, preview(f));
            return false;
        }
        if (!check_raw_value(c, v, reason, detail)) return false;
        row.raw[c] = v;
    }
    row.label = -1;
    if (h.label >= 0) {
        const std::string_view f = trim(fields[std::size_t(h.label)]);
        double v = -1;
        const auto res = std::from_chars(f.data(), f.data() + f.size(), v);
        if (res.ec != std::errc() || res.ptr != f.data() + f.size() || f.empty()) {
            reason = Reject::non_numeric;
            detail = fmt::format("{}: '{}' is not a number", label_column, preview(f));
            return false;
        }
        if (v != 0 && v != 1) {
            reason = std::isfinite(v) ? Reject::out_of_range : Reject::not_finite;
            detail = fmt::format("{}: '{}' is not 0 or 1", label_column, preview(f));
            return false;
        }
        row.label = int(v);
    }
    row.pattern = h.pattern >= 0 ? trim(fields[std::size_t(h.pattern)]) : std::string_view{};
    return true;
}

// ---- TransactionReader ------------------------------------------------------

TransactionReader::TransactionReader(int fd, std::string name, bool need_label, std::size_t max_line,
                                     std::size_t buffer_size, std::uint64_t begin, std::uint64_t end)
    : lines_(fd, name, max_line, buffer_size, begin, end) {
    // A range that starts inside the file reads the header from the file's first line.
    LineReader from_top(fd, name, max_line, 0, 0, begin == 0 ? 0 : end);
    LineReader& header_lines = begin == 0 ? lines_ : from_top;
    std::string_view line;
    bool too_long = false;
    if (!header_lines.next(line, too_long)) throw std::runtime_error(fmt::format("{}: empty input, no header line", name));
    if (too_long) throw std::runtime_error(fmt::format("{}: line 1: header longer than {} bytes", name, max_line));
    if (line.size() >= 3 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // UTF-8 byte order mark
    if (split_fields(line, fields_, scratch_) != SplitStatus::ok)
        throw std::runtime_error(fmt::format("{}: line 1: malformed quotes in the header", name));
    header_ = map_header(fields_, need_label, name);
}

bool TransactionReader::next(ParsedRow& row, const RejectSink& on_reject) {
    std::string_view line;
    bool too_long = false;
    while (lines_.next(line, too_long)) {
        ++read_;
        Reject reason{};
        bool ok = false;
        detail_.clear();
        if (too_long) {
            reason = Reject::line_too_long;
            detail_ = "line cut; the rest was skipped";
        } else if (is_blank(line)) {
            reason = Reject::blank_line;
        } else {
            switch (split_fields(line, fields_, scratch_)) {
                case SplitStatus::unterminated_quote:
                    reason = Reject::unterminated_quote;
                    detail_ = "a quoted field is not closed before the end of the line";
                    break;
                case SplitStatus::bad_quote:
                    reason = Reject::bad_quote;
                    detail_ = "a quote inside a field or text after a closing quote";
                    break;
                case SplitStatus::ok:
                    if (!fields_.empty() && trim(fields_[0]) == id_column) {  // a header line
                        bool same = fields_.size() == header_.names.size();
                        for (std::size_t i = 0; same && i < fields_.size(); ++i) same = trim(fields_[i]) == header_.names[i];
                        reason = same ? Reject::repeated_header : Reject::header_mismatch;
                        detail_ = same ? "the header again" : "a header with other columns than the first line's";
                    } else {
                        ok = parse_row(header_, fields_, row, reason, detail_);
                    }
                    break;
            }
        }
        if (ok) return true;
        ++rejected_;
        ++by_reason_[std::size_t(reason)];
        if (on_reject) on_reject(lines_.line_number(), reason, detail_, line);
    }
    return false;
}

// ---- rejects output ---------------------------------------------------------

void append_csv_field(std::string& out, std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
        out.append(s);
        return;
    }
    out.push_back('"');
    for (char c : s) {
        if (c == '"') out.push_back('"');
        out.push_back(c == '\n' || c == '\r' ? ' ' : c);
    }
    out.push_back('"');
}

RejectWriter::RejectWriter(std::function<void(std::string_view)> out) : out_(std::move(out)) {
    buf_ = "line,reason,detail,content\n";
}

void RejectWriter::write(std::uint64_t line, Reject reason, std::string_view detail, std::string_view raw) {
    buf_ += fmt::format("{},{},", line, reject_name(reason));
    append_csv_field(buf_, detail);
    buf_.push_back(',');
    append_csv_field(buf_, raw.size() > 256 ? raw.substr(0, 256) : raw);
    buf_.push_back('\n');
    if (buf_.size() > (1 << 16)) flush();
}

void RejectWriter::flush() {
    if (!buf_.empty()) out_(buf_);
    buf_.clear();
}

}  // namespace fraud
