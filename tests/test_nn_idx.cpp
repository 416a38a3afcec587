// IDX files (MNIST's format), plain and gzip-compressed, written by the test:
// values, shapes, scaling, and the errors for a bad magic number, a truncated
// file and images and labels that do not match.
#include <zlib.h>

#include <fstream>
#include <string>

#include "helpers.hpp"

using namespace tg;
using namespace tg::nn;

namespace {

std::string be32(std::uint32_t v) {
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

/// IDX bytes: magic 0x0000_08_DD, the sizes, then the data
std::string idx_bytes(const std::vector<std::uint32_t>& shape, const std::vector<unsigned char>& data) {
    std::string out = be32(0x00000800u | static_cast<std::uint32_t>(shape.size()));
    for (std::uint32_t s : shape) out += be32(s);
    out.append(data.begin(), data.end());
    return out;
}

std::string write_plain(const std::string& name, const std::string& bytes) {
    const std::string path = temp_path(name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

std::string write_gz(const std::string& name, const std::string& bytes) {
    const std::string path = temp_path(name);
    gzFile f = gzopen(path.c_str(), "wb");
    REQUIRE(f != nullptr);
    REQUIRE(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
    REQUIRE(gzclose(f) == Z_OK);
    return path;
}

}  // namespace

TEST_CASE("idx: images [N, rows, cols] and labels [N], plain and gzipped, optionally scaled to [0, 1]") {
    // 2 images of 2 x 3 pixels: 0 1 2 / 3 4 255 and 10 20 30 / 40 50 60; labels 7, 2
    const std::string images = idx_bytes({2, 2, 3}, {0, 1, 2, 3, 4, 255, 10, 20, 30, 40, 50, 60});
    const std::string labels = idx_bytes({2}, {7, 2});
    for (bool gz : {false, true}) {
        INFO((gz ? "gzip" : "plain"));
        const std::string ip = gz ? write_gz("idx_img.gz", images) : write_plain("idx_img", images);
        const std::string lp = gz ? write_gz("idx_lab.gz", labels) : write_plain("idx_lab", labels);
        const Tensor x = read_idx_images(ip);
        CHECK(x.shape() == Shape{2, 2, 3});
        CHECK(x.dtype() == DType::f32);
        CHECK(x.to_vector() == std::vector<double>{0, 1, 2, 3, 4, 255, 10, 20, 30, 40, 50, 60});
        const Tensor scaled = read_idx_images(ip, {.scale = true, .dtype = DType::f64});
        CHECK(scaled.at({0, 1, 2}) == 1.0);
        CHECK(scaled.at({1, 0, 1}) == 20.0 / 255.0);
        CHECK(read_idx_labels(lp, {.scale = true}).to_vector() == std::vector<double>{7, 2});  // labels never scaled
        const Dataset d = read_idx(ip, lp);
        CHECK(d.size() == 2);
        CHECK(d.y.shape() == Shape{2});
    }
}

TEST_CASE("idx: a bad magic number, a truncated file or counts that differ are IoErrors naming the file") {
    const std::string images = idx_bytes({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
    // labels given where images are expected: magic 0x00000801, not 0x00000803
    const std::string labels = write_plain("idx_l3", idx_bytes({3}, {1, 2, 3}));
    CHECK_THROWS_WITH_AS(read_idx_images(labels),
                         doctest::Contains("idx_l3: not an IDX file of images (magic number 0x00000801, expected 0x00000803"),
                         IoError);
    CHECK_THROWS_WITH_AS(read_idx_labels(write_plain("idx_i", images)), doctest::Contains("expected 0x00000801"), IoError);
    // a float IDX file (type 0x0d) is not unsigned bytes
    std::string floats = images;
    floats[2] = 0x0d;
    CHECK_THROWS_WITH_AS(read_idx_images(write_plain("idx_f", floats)), doctest::Contains("magic number 0x00000d03"),
                         IoError);
    // one data byte short; the header itself cut; a byte too many
    CHECK_THROWS_WITH_AS(read_idx_images(write_plain("idx_short", images.substr(0, images.size() - 1))),
                         doctest::Contains("idx_short: truncated: the header says [2, 2, 2] = 8 bytes of data, the file holds 7"),
                         IoError);
    CHECK_THROWS_WITH_AS(read_idx_images(write_plain("idx_head", images.substr(0, 9))),
                         doctest::Contains("idx_head: truncated: the file ends inside its header"), IoError);
    CHECK_THROWS_WITH_AS(read_idx_images(write_plain("idx_long", images + "x")), doctest::Contains("idx_long: 1 bytes after"),
                         IoError);
    // sizes whose product overflows 64 bits: still "truncated", not a huge allocation
    CHECK_THROWS_WITH_AS(read_idx_images(write_plain("idx_huge", idx_bytes({0xffffffffu, 0xffffffffu, 0xffffffffu}, {1}))),
                         doctest::Contains("truncated"), IoError);
    // a truncated gzip file names the file too
    const std::string gz = write_gz("idx_gz_whole", images);
    std::ifstream in(gz, std::ios::binary);
    const std::string gz_bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    CHECK_THROWS_WITH_AS(read_idx_images(write_plain("idx_gz_cut", gz_bytes.substr(0, gz_bytes.size() - 4))),
                         doctest::Contains("idx_gz_cut: the gzip data is truncated"), IoError);
    // 2 images, 3 labels
    CHECK_THROWS_WITH_AS(read_idx(write_plain("idx_two", images), labels),
                         doctest::Contains("idx_two holds 2 images but"), IoError);
    CHECK_THROWS_AS(read_idx_images(temp_path("idx_missing")), IoError);
}
