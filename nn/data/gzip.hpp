#pragma once
/// @ingroup nn
/// Reading gzip-compressed files (zlib), for read_csv, CsvStream and the IDX reader:
/// a file is taken as gzip when it starts with gzip's magic bytes 1f 8b, whatever
/// its name. A truncated or corrupt file is a tg::IoError naming it.
#include <cstddef>
#include <memory>
#include <string>

namespace tg::nn {

/// Does the file start with gzip's magic bytes? (false for a file shorter than 2 bytes)
/// Throws IoError when it cannot be opened.
bool is_gzip_file(const std::string& path);

/// Decompresses a gzip file as a stream, in pieces. Concatenated gzip members
/// (as `cat a.gz b.gz` makes) are read one after the other, as gunzip does.
class GzipReader {
public:
    explicit GzipReader(const std::string& path);
    ~GzipReader();
    GzipReader(const GzipReader&) = delete;
    GzipReader& operator=(const GzipReader&) = delete;
    /// Up to n decompressed bytes into out; 0 only at the end of the data. Throws
    /// IoError naming the file for corrupt data or a file that ends mid-stream.
    std::size_t read(char* out, std::size_t n);
    const std::string& path() const { return path_; }

private:
    struct State;
    std::string path_;
    std::unique_ptr<State> s_;
};

/// The whole decompressed contents of a gzip file.
std::string read_gzip(const std::string& path);

}  // namespace tg::nn
