// Streaming CSV: line-aligned parts of files (each line in exactly one part),
// LineReader over a byte range, and CsvStream's batches and bad-line reports.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <tapegrad/nn/nn.hpp>

#include "helpers.hpp"

using namespace tg;
using namespace tg::nn;

namespace {

std::string write_file(const std::string& name, const std::string& text) {
    const std::string path = temp_path(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

/// Every line of the parts' ranges, read back with LineReader, with its file and number.
std::vector<std::string> lines_of_part(const std::vector<FileRange>& ranges) {
    std::vector<std::string> out;
    for (const auto& r : ranges) {
        const int fd = ::open(r.file.c_str(), O_RDONLY);
        REQUIRE(fd >= 0);
        LineReader lines(fd, r.file, 1024, 16, r.begin, r.end);  // a buffer smaller than some lines
        std::string_view line;
        bool too_long = false;
        while (lines.next(line, too_long))
            out.push_back(r.file + ":" + std::to_string(lines.line_number()) + ":" + std::string(line));
        ::close(fd);
    }
    return out;
}

}  // namespace

TEST_CASE("line_aligned_part: every line in exactly one part, for any number of parts") {
    const std::string a = write_file("parts_a.csv", "h\n1\n22\n333\n4444\n55555\n");
    const std::string b = write_file("parts_b.csv", "h\r\nx\r\nlast line without a newline");
    const std::string empty = write_file("parts_empty.csv", "");
    const std::vector<std::string> files{a, empty, b};
    const std::vector<std::string> all = lines_of_part(line_aligned_part(files, 0, 1));
    REQUIRE(all.size() == 9);
    CHECK(all[0] == a + ":1:h");
    CHECK(all[5] == a + ":6:55555");
    CHECK(all[7] == b + ":2:x");
    CHECK(all[8] == b + ":3:last line without a newline");
    for (std::size_t parts : {2u, 3u, 5u, 8u, 40u, 100u}) {
        CAPTURE(parts);
        std::vector<std::string> joined;
        for (std::size_t p = 0; p < parts; ++p) {
            const auto ranges = line_aligned_part(files, p, parts);
            for (const auto& r : ranges) CHECK(r.begin < r.end);
            const auto part = lines_of_part(ranges);
            joined.insert(joined.end(), part.begin(), part.end());
        }
        CHECK(joined == all);  // disjoint, in order, nothing lost, numbered from each file's top
    }
    CHECK_THROWS_AS(line_aligned_part(files, 2, 2), std::invalid_argument);
    CHECK_THROWS_WITH_AS(line_aligned_part({temp_path("parts_missing.csv")}, 0, 1), doctest::Contains("cannot open"),
                         IoError);
    CHECK_THROWS_WITH_AS(line_aligned_part({"/dev/null"}, 0, 1), doctest::Contains("not a regular file"), IoError);
}

TEST_CASE("line_aligned_part: a part finds its cuts without reading the whole file") {
    // 10,000 lines; a part's cuts read at most one line around each, so parts agree
    // with a plain split of the lines by their first byte.
    std::string text;
    std::vector<std::size_t> starts;
    for (int i = 0; i < 10000; ++i) {
        starts.push_back(text.size());
        text += std::string(std::size_t(i % 37), 'x') + "\n";
    }
    const std::string path = write_file("parts_big.csv", text);
    const std::size_t parts = 7;
    for (std::size_t p = 0; p < parts; ++p) {
        const auto r = line_aligned_part({path}, p, parts);
        const std::size_t lo = text.size() * p / parts, hi = text.size() * (p + 1) / parts;
        std::size_t expect_begin = text.size(), expect_end = text.size();
        for (std::size_t s : starts)
            if (s >= lo) {
                expect_begin = s;
                break;
            }
        for (std::size_t s : starts)
            if (s >= hi) {
                expect_end = s;
                break;
            }
        REQUIRE(r.size() == 1);
        CHECK(r[0].begin == expect_begin);
        CHECK(r[0].end == expect_end);
    }
}

TEST_CASE("CsvStream reads the rows of read_csv, batch by batch, and again after rewind") {
    const std::string path = "tutorials/data/iris.csv";
    const CsvOptions o{.label = "target", .ignore = {"target_name"}, .dtype = DType::f64};
    const CsvData whole = read_csv(path, o);
    CsvStream rows({path}, o);
    CHECK(rows.feature_names() == whole.feature_names);
    CHECK(rows.label_name() == "target");
    for (int epoch = 0; epoch < 2; ++epoch) {
        std::vector<double> x, y;
        Batch b;
        std::size_t batches = 0;
        while (rows.next(32, b)) {
            CHECK(b.x.shape()[0] == (batches < 4 ? 32u : 150u - 4 * 32));
            const auto bx = b.x.to_vector(), by = b.y.to_vector();
            x.insert(x.end(), bx.begin(), bx.end());
            y.insert(y.end(), by.begin(), by.end());
            ++batches;
        }
        CHECK(batches == 5);
        CHECK(x == whole.x.to_vector());
        CHECK(y == whole.y.to_vector());
        rows.rewind();
    }
    CHECK(rows.report().rows_kept == 300);
}

TEST_CASE("CsvStream parts of several files cover every row once, and bad lines name file and line") {
    std::string a = "id,v,label\n", b = "id,v,label\n";
    for (int i = 0; i < 50; ++i) a += std::to_string(i) + "," + std::to_string(i * 0.5) + "," + std::to_string(i % 2) + "\n";
    a += "50,oops,1\n";  // line 52 of a
    for (int i = 51; i < 80; ++i) b += std::to_string(i) + "," + std::to_string(i * 0.5) + "," + std::to_string(i % 2) + "\n";
    b += "80,1,\"open\n";  // line 31 of b: a quote left open at the line end
    b += "81,2\n";         // line 32: a field missing
    const std::vector<std::string> files{write_file("stream_a.csv", a), write_file("stream_b.csv", b)};
    for (std::size_t parts : {1u, 2u, 3u, 7u}) {
        CAPTURE(parts);
        std::multiset<double> ids;
        std::vector<std::string> issues;
        for (std::size_t p = 0; p < parts; ++p) {
            CsvOptions o{.label = "label", .skip_bad_rows = true,
                         .on_bad_row = [&](const CsvIssue& i) { issues.push_back(i.to_string()); }, .dtype = DType::f64};
            CsvStream rows(files, o, p, parts);
            Batch batch;
            while (rows.next(8, batch)) {
                const auto x = batch.x.to_vector();
                for (std::size_t r = 0; r < batch.x.shape()[0]; ++r) ids.insert(x[2 * r]);
            }
        }
        CHECK(ids.size() == 79);  // 0 .. 79 but the bad 50
        CHECK(std::set<double>(ids.begin(), ids.end()).size() == 79);
        CHECK(ids.count(50) == 0);
        REQUIRE(issues.size() == 3);
        CHECK(issues[0] == files[0] + ":52: column 2 ('v'): 'oops' is not a number");
        CHECK(issues[1] == files[1] + ":31: unterminated quoted field (a streamed record is one line)");
        CHECK(issues[2] == files[1] + ":32: expected 3 fields, found 2");
    }
    // Strict by default: the first bad line ends reading with its place (the second
    // half starts inside the first file, yet counts its lines from the top).
    CsvStream strict(files, {.label = "label"}, 1, 2);
    REQUIRE(strict.ranges().front().file == files[0]);
    REQUIRE(strict.ranges().front().begin > 0);
    Batch batch;
    auto drain = [&] {
        while (strict.next(100, batch)) {
        }
    };
    CHECK_THROWS_WITH_AS(drain(), doctest::Contains("stream_a.csv:52: column 2"), IoError);
}

TEST_CASE("CsvStream refuses what it cannot stream, and files whose headers differ") {
    const std::string a = write_file("hdr_a.csv", "x,y\n1,2\n");
    const std::string b = write_file("hdr_b.csv", "x,z\n3,4\n");
    CsvStream rows({a, b}, {.label = "y"});
    Batch batch;
    CHECK(rows.next(1, batch));
    CHECK_THROWS_WITH_AS(rows.next(1, batch), doctest::Contains("the header differs"), IoError);
    CHECK_THROWS_AS(CsvStream({a}, {.label = "y", .categorical_label = true}), std::invalid_argument);
    CHECK_THROWS_WITH_AS(CsvStream({a}, {.label = "w"}), doctest::Contains("no label column 'w'"), IoError);
    CHECK_THROWS_AS(CsvStream({}, {}), std::invalid_argument);
}
