#include "gzip.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "../../graph/error.hpp"

namespace tg::nn {

bool is_gzip_file(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    unsigned char magic[2] = {0, 0};
    const std::size_t n = std::fread(magic, 1, 2, f);
    std::fclose(f);
    return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

struct GzipReader::State {
    std::FILE* file = nullptr;
    z_stream z{};
    std::vector<unsigned char> in = std::vector<unsigned char>(1 << 16);
    bool ended = false;      // the last member's end was reached and no input follows
    bool in_member = false;  // inside a gzip member (its end not yet seen)
};

GzipReader::GzipReader(const std::string& path) : path_(path), s_(std::make_unique<State>()) {
    s_->file = std::fopen(path.c_str(), "rb");
    if (!s_->file) throw IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    // 15 + 16: a gzip wrapper (not zlib's), with the largest window
    if (inflateInit2(&s_->z, 15 + 16) != Z_OK) {
        std::fclose(s_->file);
        throw IoError(fmt::format("{}: zlib could not start inflating", path));
    }
}

GzipReader::~GzipReader() {
    inflateEnd(&s_->z);
    std::fclose(s_->file);
}

std::size_t GzipReader::read(char* out, std::size_t n) {
    State& s = *s_;
    if (s.ended || n == 0) return 0;
    s.z.next_out = reinterpret_cast<Bytef*>(out);
    s.z.avail_out = static_cast<uInt>(std::min<std::size_t>(n, 1u << 30));
    const uInt want = s.z.avail_out;
    while (s.z.avail_out == want) {
        if (s.z.avail_in == 0) {
            const std::size_t got = std::fread(s.in.data(), 1, s.in.size(), s.file);
            if (got == 0) {
                if (std::ferror(s.file))
                    throw IoError(fmt::format("{}: read error: {}", path_, std::strerror(errno)));
                if (s.in_member)
                    throw IoError(fmt::format("{}: the gzip data is truncated (the file ends inside a compressed "
                                              "stream)", path_));
                s.ended = true;
                break;
            }
            s.z.next_in = s.in.data();
            s.z.avail_in = static_cast<uInt>(got);
        }
        s.in_member = true;
        const int rc = inflate(&s.z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {  // one member done; another may follow
            s.in_member = false;
            inflateReset(&s.z);
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            throw IoError(fmt::format("{}: corrupt gzip data: {}", path_, s.z.msg ? s.z.msg : zError(rc)));
        }
    }
    return want - s.z.avail_out;
}

std::string read_gzip(const std::string& path) {
    GzipReader reader(path);
    std::string out;
    std::vector<char> buf(1 << 16);
    while (const std::size_t n = reader.read(buf.data(), buf.size())) out.append(buf.data(), n);
    return out;
}

}  // namespace tg::nn
