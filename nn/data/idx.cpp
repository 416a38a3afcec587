#include "idx.hpp"

#include <cstdint>
#include <fstream>
#include <iterator>
#include <vector>

#include <fmt/format.h>

#include "../../graph/error.hpp"
#include "gzip.hpp"

namespace tg::nn {

namespace {

std::string file_contents(const std::string& path) {
    if (is_gzip_file(path)) return read_gzip(path);  // throws IoError naming the file when it cannot be opened
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError(fmt::format("{}: cannot open", path));
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::uint32_t big_endian(const std::string& bytes, std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
    return v;
}

/// The sizes and data of an IDX file of unsigned bytes with `dims` dimensions.
struct Idx {
    std::vector<std::size_t> shape;
    std::string bytes;
    std::size_t data_start = 0;
};

Idx read_ubyte_idx(const std::string& path, std::uint32_t dims, const char* what) {
    Idx idx;
    idx.bytes = file_contents(path);
    const std::uint32_t expected = 0x00000800u | dims;
    if (idx.bytes.size() < 4 || big_endian(idx.bytes, 0) != expected)
        throw IoError(fmt::format("{}: not an IDX file of {} (magic number {}, expected 0x{:08x}: unsigned bytes, {} "
                                  "dimension{})",
                                  path, what,
                                  idx.bytes.size() < 4 ? std::string("missing") : fmt::format("0x{:08x}", big_endian(idx.bytes, 0)),
                                  expected, dims, dims == 1 ? "" : "s"));
    idx.data_start = 4 + 4 * std::size_t(dims);
    if (idx.bytes.size() < idx.data_start)
        throw IoError(fmt::format("{}: truncated: the file ends inside its header ({} bytes)", path, idx.bytes.size()));
    unsigned __int128 count = 1;  // three 32-bit sizes may overflow 64 bits: a header that lies is "truncated"
    for (std::uint32_t d = 0; d < dims; ++d) {
        idx.shape.push_back(big_endian(idx.bytes, 4 + 4 * std::size_t(d)));
        count *= idx.shape.back();
    }
    const std::size_t have = idx.bytes.size() - idx.data_start;
    if (have < count)
        throw IoError(fmt::format("{}: truncated: the header says [{}] = {} bytes of data, the file holds {}", path,
                                  fmt::join(idx.shape, ", "), static_cast<double>(count), have));
    if (have > count)
        throw IoError(fmt::format("{}: {} bytes after the [{}] data the header announces", path, have - count,
                                  fmt::join(idx.shape, ", ")));
    return idx;
}

Tensor to_tensor(const Idx& idx, double scale, DType dtype) {
    std::vector<double> v(idx.bytes.size() - idx.data_start);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<unsigned char>(idx.bytes[idx.data_start + i]) * scale;
    return from_vector(v, Shape(idx.shape.begin(), idx.shape.end()), {dtype});
}

}  // namespace

Tensor read_idx_images(const std::string& path, IdxOptions options) {
    return to_tensor(read_ubyte_idx(path, 3, "images"), options.scale ? 1.0 / 255.0 : 1.0, options.dtype);
}

Tensor read_idx_labels(const std::string& path, IdxOptions options) {
    return to_tensor(read_ubyte_idx(path, 1, "labels"), 1.0, options.dtype);
}

Dataset read_idx(const std::string& images_path, const std::string& labels_path, IdxOptions options) {
    Tensor x = read_idx_images(images_path, options);
    Tensor y = read_idx_labels(labels_path, options);
    if (x.size(0) != y.size(0))
        throw IoError(fmt::format("read_idx: {} holds {} images but {} holds {} labels", images_path, x.size(0),
                                  labels_path, y.size(0)));
    return Dataset(x, y);
}

}  // namespace tg::nn
