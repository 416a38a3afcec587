// libFuzzer target: the streaming CSV reader (line reader, field splitter,
// header mapping, row parser, rejects writer) on arbitrary bytes.
// Invariant checked: every line read is either a valid row or a reject.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string>

#include "../csv_reader.hpp"

namespace {

int memory_fd(const std::uint8_t* data, std::size_t size) {
    const int fd = memfd_create("fuzz_csv", 0);
    if (fd < 0) std::abort();
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::write(fd, data + done, size - done);
        if (n <= 0) std::abort();
        done += std::size_t(n);
    }
    ::lseek(fd, 0, SEEK_SET);
    return fd;
}

void read_all(const std::uint8_t* data, std::size_t size, bool need_label, std::size_t max_line, std::size_t buffer) {
    const int fd = memory_fd(data, size);
    try {
        fraud::TransactionReader reader(fd, "fuzz.csv", need_label, max_line, buffer);
        std::string rejects_csv;
        fraud::RejectWriter writer([&](std::string_view s) { rejects_csv.append(s); });
        fraud::ParsedRow row;
        std::uint64_t rows = 0, rejects = 0;
        while (reader.next(row, [&](std::uint64_t line, fraud::Reject r, std::string_view detail, std::string_view raw) {
            ++rejects;
            writer.write(line, r, detail, raw);
        })) {
            ++rows;
            for (double v : row.raw)
                if (!(v == v)) std::abort();  // a NaN must never be scored
        }
        writer.flush();
        if (reader.rows_read() != rows + rejects || reader.rows_rejected() != rejects) std::abort();
    } catch (const std::runtime_error&) {
        // a header that does not fit, an empty input: a clear error is the expected outcome
    }
    ::close(fd);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // small buffers: the refill and over-long-line paths run often (and ASan stays fast)
    read_all(data, size, false, 4096, 16 * 1024);
    read_all(data, size, true, 200, 402);
    return 0;
}
