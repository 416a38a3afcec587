#include "dataset.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>
#include <tapegrad/nn/data/file_ranges.hpp>
#include <tapegrad/tapegrad.hpp>

#include "schema.hpp"

namespace fraud {

std::uint64_t LabelledData::fraud() const {
    std::uint64_t n = 0;
    const float* y = data.y.data<float>();
    for (std::size_t i = 0; i < data.size(); ++i) n += y[i] > 0.5f;
    return n;
}

Pattern pattern_from_name(std::string_view name) {
    for (std::size_t p = 0; p < n_patterns; ++p)
        if (pattern_name(Pattern(p)) == name) return Pattern(p);
    return Pattern::legit;
}

namespace {

/// Rows of [begin, end) of path (the whole input when end is LineReader::to_end).
LabelledData read_labelled(const std::string& path, std::uint64_t begin, std::uint64_t end) {
    const int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY);
    if (fd < 0) throw std::runtime_error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    struct Closer {
        int fd;
        ~Closer() {
            if (fd > 0) ::close(fd);
        }
    } closer{fd};
    TransactionReader reader(fd, path, true, 64 * 1024, 1 << 20, begin, end);
    LabelledData out;
    std::vector<float> x, y;
    const std::size_t f = n_features();
    ParsedRow row;
    const RejectSink on_reject = [&](std::uint64_t line, Reject r, std::string_view detail, std::string_view) {
        if (out.first_rejects.size() < 5)
            out.first_rejects.push_back(fmt::format("line {}: {}{}{}", line, reject_name(r), detail.empty() ? "" : ": ", detail));
    };
    while (reader.next(row, on_reject)) {
        const std::size_t at = x.size();
        x.resize(at + f);
        encode(row.raw, x.data() + at);
        y.push_back(float(row.label));
        out.pattern.push_back(std::uint8_t(pattern_from_name(row.pattern)));
    }
    out.rows_read = reader.rows_read();
    out.rejected = reader.rows_rejected();
    const std::size_t n = y.size();
    out.data = tg::nn::Dataset(tg::from_vector(x, {n, f}), tg::from_vector(y, {n, 1}));
    return out;
}

void require_rows(const LabelledData& d, const std::string& path) {
    if (d.data.size() == 0)
        throw std::runtime_error(fmt::format("{}: no valid row to learn from ({} rejected)", path, d.rejected));
}

}  // namespace

LabelledData load_labelled(const std::string& path) {
    LabelledData d = read_labelled(path, 0, LineReader::to_end);
    require_rows(d, path);
    return d;
}

LabelledData load_labelled_part(const std::string& path, std::size_t part, std::size_t parts) {
    const auto ranges = tg::nn::line_aligned_part({path}, part, parts);
    if (ranges.empty()) {  // more parts than lines: this one holds none (its header is still checked)
        const auto whole = tg::nn::line_aligned_part({path}, 0, 1);
        const std::uint64_t size = whole.empty() ? 0 : whole.front().end;
        return read_labelled(path, size, size);
    }
    return read_labelled(path, ranges.front().begin, ranges.front().end);
}

LabelledData load_labelled_everywhere(const std::string& path, tg::nn::DistributionStrategy& workers) {
    LabelledData d = load_labelled_part(path, std::size_t(workers.worker()), std::size_t(workers.workers()));
    const std::vector<float> pattern(d.pattern.begin(), d.pattern.end());
    const tg::Tensor all_patterns = workers.gather_rows(tg::from_vector(pattern, {pattern.size()}));
    d.data = tg::nn::Dataset(workers.gather_rows(d.data.x), workers.gather_rows(d.data.y));
    d.pattern.clear();
    for (float p : all_patterns.to_vector()) d.pattern.push_back(std::uint8_t(p));
    std::vector<double> counts{double(d.rows_read), double(d.rejected)};
    workers.sum(counts);
    d.rows_read = std::uint64_t(counts[0]);
    d.rejected = std::uint64_t(counts[1]);
    require_rows(d, path);
    return d;
}

}  // namespace fraud
