#include "dataset.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>
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

LabelledData load_labelled(const std::string& path) {
    const int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY);
    if (fd < 0) throw std::runtime_error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    struct Closer {
        int fd;
        ~Closer() {
            if (fd > 0) ::close(fd);
        }
    } closer{fd};
    TransactionReader reader(fd, path, true);
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
    if (n == 0) throw std::runtime_error(fmt::format("{}: no valid row to learn from ({} rejected)", path, out.rejected));
    out.data = tg::nn::Dataset(tg::from_vector(x, {n, f}), tg::from_vector(y, {n, 1}));
    return out;
}

}  // namespace fraud
