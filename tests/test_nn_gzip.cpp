// gzip-compressed input: read_csv and CsvStream read .csv.gz files as their
// plain text; a truncated or corrupt file is an IoError naming it.
#include <zlib.h>

#include <fstream>
#include <iterator>
#include <string>

#include "helpers.hpp"

using namespace tg;
using namespace tg::nn;


namespace {

std::string write_gzip(const std::string& name, const std::string& text) {
    const std::string path = temp_path(name);
    gzFile f = gzopen(path.c_str(), "wb");
    REQUIRE(f != nullptr);
    REQUIRE(gzwrite(f, text.data(), static_cast<unsigned>(text.size())) == static_cast<int>(text.size()));
    REQUIRE(gzclose(f) == Z_OK);
    return path;
}

std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string write_bytes(const std::string& name, const std::string& bytes) {
    const std::string path = temp_path(name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

/// a CSV of `rows` rows: a, b, label = i, 2i, i % 3
std::string csv_text(int rows) {
    std::string t = "a,b,label\n";
    for (int i = 0; i < rows; ++i) t += std::to_string(i) + "," + std::to_string(2 * i) + "," + std::to_string(i % 3) + "\n";
    return t;
}

}  // namespace

TEST_CASE("gzip: read_csv and CsvStream read a .csv.gz as its text") {
    // ~3 MB of text, several hundred KB compressed: many of GzipReader's 64 KiB input
    // pieces and several fills of CsvStream's 1 MiB line buffer
    const int rows = 200000;
    const std::string text = csv_text(rows);
    const std::string plain = write_bytes("gz_plain.csv", text);
    const std::string gz = write_gzip("gz_data.csv.gz", text);
    CHECK(is_gzip_file(gz));
    CHECK_FALSE(is_gzip_file(plain));
    CHECK(read_gzip(gz) == text);

    const CsvData a = read_csv(plain, {.label = "label"}), b = read_csv(gz, {.label = "label"});
    CHECK(b.x.shape() == Shape{std::size_t(rows), 2});
    CHECK(b.x.to_vector() == a.x.to_vector());
    CHECK(b.y.to_vector() == a.y.to_vector());

    // streamed, in batches of 7777 rows, the same rows in the same order; and again after rewind
    CsvStream stream({gz}, {.label = "label"});
    for (int pass = 0; pass < 2; ++pass) {
        std::vector<double> xs, ys;
        Batch batch;
        while (stream.next(7777, batch)) {
            const auto x = batch.x.to_vector(), y = batch.y.to_vector();
            xs.insert(xs.end(), x.begin(), x.end());
            ys.insert(ys.end(), y.begin(), y.end());
        }
        CHECK(xs == a.x.to_vector());
        CHECK(ys == a.y.to_vector());
        stream.rewind();
    }
    // a gzip file and a plain one together, the header checked across them
    CsvStream both({gz, plain}, {.label = "label"});
    Batch all;
    REQUIRE(both.next(3 * rows, all));
    CHECK(all.x.size(0) == std::size_t(2 * rows));
    // a compressed file cannot be cut into byte parts
    CHECK_THROWS_WITH_AS(CsvStream({gz}, {.label = "label"}, 0, 2), doctest::Contains("gz_data.csv.gz is gzip-compressed"),
                         std::invalid_argument);
}

TEST_CASE("gzip: concatenated members are read one after the other, as gunzip does") {
    const std::string first = write_gzip("gz_m1.gz", "a,b\n1,2\n"), second = write_gzip("gz_m2.gz", "3,4\n");
    const std::string both = write_bytes("gz_both.csv.gz", file_bytes(first) + file_bytes(second));
    CHECK(read_gzip(both) == "a,b\n1,2\n3,4\n");
    CHECK(read_csv(both).x.to_vector() == std::vector<double>{1, 2, 3, 4});
}

TEST_CASE("gzip: a truncated or corrupt file is an IoError naming it") {
    const std::string bytes = file_bytes(write_gzip("gz_whole.gz", csv_text(2000)));
    REQUIRE(bytes.size() > 100);
    // cut in the middle of the compressed stream, and just before the 8-byte trailer's end
    for (std::size_t keep : {bytes.size() / 2, bytes.size() - 3}) {
        INFO("kept " << keep << " of " << bytes.size() << " bytes");
        const std::string cut = write_bytes("gz_cut.csv.gz", bytes.substr(0, keep));
        CHECK_THROWS_WITH_AS(read_gzip(cut), doctest::Contains("gz_cut.csv.gz: the gzip data is truncated"), IoError);
        CHECK_THROWS_WITH_AS(read_csv(cut), doctest::Contains("gz_cut.csv.gz"), IoError);
        CsvStream stream({cut});
        Batch batch;
        CHECK_THROWS_WITH_AS(while (stream.next(100, batch)) {}, doctest::Contains("gz_cut.csv.gz"), IoError);
    }
    // damaged bytes inside the deflate data (or its checksum): corrupt, never silently wrong rows
    std::string damaged = bytes;
    for (std::size_t i = 40; i < 60; ++i) damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
    const std::string bad = write_bytes("gz_bad.csv.gz", damaged);
    CHECK_THROWS_WITH_AS(read_gzip(bad), doctest::Contains("gz_bad.csv.gz: corrupt gzip data"), IoError);
    CHECK_THROWS_WITH_AS(read_gzip(temp_path("gz_missing.gz")), doctest::Contains("gz_missing.gz: cannot open"), IoError);
}
