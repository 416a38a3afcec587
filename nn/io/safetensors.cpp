#include "safetensors.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "../../graph/grad_mode.hpp"
#include "atomic_file.hpp"

namespace tg::nn {

using json = nlohmann::json;

namespace {

constexpr const char* kChecksumKey = "tapegrad.crc32";

static_assert(std::endian::native == std::endian::little || std::endian::native == std::endian::big);
constexpr bool kLittle = std::endian::native == std::endian::little;

template <class T>
T byteswap_value(T v) {
    std::array<unsigned char, sizeof(T)> b;
    std::memcpy(b.data(), &v, sizeof(T));
    std::reverse(b.begin(), b.end());
    std::memcpy(&v, b.data(), sizeof(T));
    return v;
}

/// The file's name of a tensor's dtype.
const char* file_dtype(DType d) {
    switch (d) {
        case DType::f32: return "F32";
        case DType::f64: return "F64";
        case DType::i64: return "I64";
        case DType::boolean: return "BOOL";
    }
    throw std::invalid_argument("save_safetensors: unknown dtype");
}

/// A tensor's values as bytes (bool is one byte, 0 or 1, as safetensors' BOOL).
const char* raw_bytes(const Tensor& t) {
    static_assert(sizeof(bool) == 1, "safetensors BOOL is one byte per element");
    switch (t.dtype()) {
        case DType::f32: return reinterpret_cast<const char*>(t.data<float>());
        case DType::f64: return reinterpret_cast<const char*>(t.data<double>());
        case DType::i64: return reinterpret_cast<const char*>(t.data<std::int64_t>());
        case DType::boolean: return reinterpret_cast<const char*>(t.data<bool>());
    }
    throw std::invalid_argument("save_safetensors: unknown dtype");
}

std::size_t dtype_size(const std::string& d) {
    if (d == "F64" || d == "I64" || d == "U64") return 8;
    if (d == "F32" || d == "I32" || d == "U32") return 4;
    if (d == "F16" || d == "BF16" || d == "I16" || d == "U16") return 2;
    if (d == "I8" || d == "U8" || d == "BOOL" || d == "F8_E4M3" || d == "F8_E5M2") return 1;
    return 0;
}

[[noreturn]] void fail(const std::string& name, const std::string& what) {
    throw IoError(fmt::format("{}: {}", name, what));
}

// ---- byte sources: a file, or memory ---------------------------------------------

class Source {
public:
    virtual ~Source() = default;
    virtual std::uint64_t size() const = 0;
    /// Read exactly len bytes at offset into dst; throws (naming the file) when it cannot.
    virtual void read(std::uint64_t offset, std::size_t len, char* dst) = 0;
};

class FileSource : public Source {
public:
    explicit FileSource(const std::string& path) : path_(path), in_(path, std::ios::binary) {
        if (!in_) fail(path, fmt::format("cannot open for reading ({})", std::strerror(errno)));
        std::error_code ec;
        size_ = std::filesystem::file_size(path, ec);
        if (ec) fail(path, fmt::format("cannot get the file size ({})", ec.message()));
    }
    std::uint64_t size() const override { return size_; }
    void read(std::uint64_t offset, std::size_t len, char* dst) override {
        in_.seekg(static_cast<std::streamoff>(offset));
        in_.read(dst, static_cast<std::streamsize>(len));
        if (static_cast<std::size_t>(in_.gcount()) != len)
            fail(path_, fmt::format("truncated: could not read {} bytes at offset {}", len, offset));
    }

private:
    std::string path_;
    std::ifstream in_;
    std::uint64_t size_ = 0;
};

class MemorySource : public Source {
public:
    explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}
    std::uint64_t size() const override { return bytes_.size(); }
    void read(std::uint64_t offset, std::size_t len, char* dst) override {
        if (offset > bytes_.size() || len > bytes_.size() - offset) throw IoError("read past the end");
        std::memcpy(dst, bytes_.data() + offset, len);
    }

private:
    std::string_view bytes_;
};

// ---- half-precision decoding --------------------------------------------------------

float half_to_float(std::uint16_t h) {
    const std::uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ffu;
    std::uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {  // subnormal: normalise
            int e = -1;
            std::uint32_t m = mant;
            do {
                ++e;
                m <<= 1;
            } while ((m & 0x400u) == 0);
            bits = sign | static_cast<std::uint32_t>(127 - 15 - e) << 23 | (m & 0x3ffu) << 13;
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | mant << 13;
    } else {
        bits = sign | (exp + 127 - 15) << 23 | mant << 13;
    }
    return std::bit_cast<float>(bits);
}

float bf16_to_float(std::uint16_t h) { return std::bit_cast<float>(static_cast<std::uint32_t>(h) << 16); }

/// Note [header checks before the DOM]: one SAX pass over the header checks what
/// the DOM would hide or make costly, before nlohmann::json::parse builds it: the
/// nesting depth, the number of entries (the DOM's memory is proportional to it),
/// and duplicate keys in every object (the DOM keeps the last one silently).
/// Both passes are linear in the header's length. (A parser callback would do the
/// duplicate check, but nlohmann then rescans each object for discarded values
/// after every member: quadratic, 12.6 s for 40,000 entries.)
class HeaderScan : public json::json_sax_t {
public:
    explicit HeaderScan(const SafetensorsLimits& limits) : limits_(limits) {}
    /// What is wrong with the header (empty when it passed).
    const std::string& problem() const { return problem_; }

    bool start_object(std::size_t) override { return open(); }
    bool start_array(std::size_t) override { return open(); }
    bool end_object() override { return close(); }
    bool end_array() override { return close(); }
    bool key(string_t& k) override {
        const std::size_t depth = frames_.size();
        if (depth == 1) {
            top_key_ = k;
            if (k != "__metadata__" && ++entries_ > limits_.max_entries)
                return stop(fmt::format("the header has more than {} entries (the limit)", limits_.max_entries));
        }
        if (!frames_.back().keys.insert(k).second) {
            if (depth == 1) return stop(fmt::format("the header names '{}' twice", k));
            const std::string where = top_key_ == "__metadata__" ? top_key_ : fmt::format("tensor '{}'", top_key_);
            return stop(fmt::format("{}: the key '{}' appears twice", where, k));
        }
        return true;
    }
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
        return stop(fmt::format("the header is not valid JSON: {}", e.what()));
    }

private:
    struct Frame {
        std::set<std::string> keys;  // empty for arrays
    };
    bool open() {
        if (frames_.size() >= limits_.max_nesting)
            return stop(fmt::format("the header nests deeper than {} levels", limits_.max_nesting));
        frames_.emplace_back();
        return true;
    }
    bool close() {
        frames_.pop_back();
        return true;
    }
    bool stop(std::string what) {
        problem_ = std::move(what);
        return false;
    }

    const SafetensorsLimits& limits_;
    std::vector<Frame> frames_;
    std::string top_key_, problem_;
    std::size_t entries_ = 0;
};

std::uint64_t as_u64(const json& v, const std::string& name, const std::string& what) {
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0))
        fail(name, fmt::format("{} must be a non-negative integer, got {}", what, v.dump()));
    return v.get<std::uint64_t>();
}

struct Entry {
    std::string name, dtype;
    Shape shape;
    std::uint64_t begin = 0, end = 0;
};

SafetensorsFile parse(Source& src, const std::string& name, const SafetensorsLimits& limits) {
    const std::uint64_t file_size = src.size();
    if (file_size < 8)
        fail(name, fmt::format("truncated: the file has {} bytes, fewer than the 8-byte header length", file_size));
    std::uint64_t n = 0;
    src.read(0, 8, reinterpret_cast<char*>(&n));
    if (!kLittle) n = byteswap_value(n);
    if (n == 0) fail(name, "the header length is 0 (the header must be a JSON object)");
    if (n > file_size - 8)
        fail(name, fmt::format("the header length {} is larger than the file allows ({} bytes after the length; "
                               "truncated or not a safetensors file)",
                               n, file_size - 8));
    if (n > limits.max_header_bytes)
        fail(name, fmt::format("the header length {} exceeds the limit of {} bytes", n, limits.max_header_bytes));
    std::string header(static_cast<std::size_t>(n), '\0');
    src.read(8, header.size(), header.data());
    if (const std::size_t nul = header.find('\0'); nul != std::string::npos)
        fail(name, fmt::format("the header holds a NUL byte at offset {} (JSON text cannot; truncated or corrupt?)", nul));
    if (header.front() != '{') fail(name, "the header does not start with '{' (not a safetensors file?)");

    // Note [header checks before the DOM]
    HeaderScan scan(limits);
    if (!json::sax_parse(header, &scan)) fail(name, scan.problem());
    json root;
    try {
        root = json::parse(header);
    } catch (const json::exception& e) {  // the scan accepted it, so this should not happen
        fail(name, fmt::format("the header is not valid JSON: {}", e.what()));
    }
    if (!root.is_object()) fail(name, "the header is not a JSON object");

    const std::uint64_t data_start = 8 + n, data_size = file_size - data_start;
    SafetensorsFile out;
    std::vector<Entry> entries;
    for (const auto& [key, value] : root.items()) {
        if (key == "__metadata__") {
            if (!value.is_object()) fail(name, "__metadata__ must be an object of strings");
            for (const auto& [mk, mv] : value.items()) {
                if (!mv.is_string()) fail(name, fmt::format("__metadata__['{}'] must be a string, got {}", mk, mv.dump()));
                out.metadata[mk] = mv.get<std::string>();
            }
            continue;
        }
        const std::string where = fmt::format("tensor '{}'", key);
        if (!value.is_object()) fail(name, fmt::format("{}: the entry must be an object", where));
        for (const auto& [field, v] : value.items())
            if (field != "dtype" && field != "shape" && field != "data_offsets")
                fail(name, fmt::format("{}: unknown field '{}'", where, field));
        if (!value.contains("dtype") || !value.contains("shape") || !value.contains("data_offsets"))
            fail(name, fmt::format("{}: needs dtype, shape and data_offsets", where));
        Entry e;
        e.name = key;
        if (!value["dtype"].is_string()) fail(name, fmt::format("{}: dtype must be a string", where));
        e.dtype = value["dtype"].get<std::string>();
        const std::size_t esize = dtype_size(e.dtype);
        if (esize == 0) fail(name, fmt::format("{}: unknown dtype '{}'", where, e.dtype));
        const json& shape = value["shape"];
        if (!shape.is_array()) fail(name, fmt::format("{}: shape must be an array", where));
        // Element count, refusing overflow: it must fit in the data section anyway.
        std::uint64_t numel = 1;
        if (shape.size() > 64) fail(name, fmt::format("{}: shape has {} axes (at most 64)", where, shape.size()));
        for (const json& d : shape) {
            const std::uint64_t dim = as_u64(d, name, where + ": a shape entry");
            e.shape.push_back(static_cast<std::size_t>(dim));
            if (dim != 0 && numel > data_size / dim) numel = data_size + 1;  // saturate: too large
            else numel *= dim;
        }
        const json& off = value["data_offsets"];
        if (!off.is_array() || off.size() != 2)
            fail(name, fmt::format("{}: data_offsets must be [begin, end]", where));
        e.begin = as_u64(off[0], name, where + ": data_offsets[0]");
        e.end = as_u64(off[1], name, where + ": data_offsets[1]");
        if (e.end < e.begin) fail(name, fmt::format("{}: data_offsets [{}, {}] end before they begin", where, e.begin, e.end));
        if (e.end > data_size)
            fail(name, fmt::format("{}: data_offsets [{}, {}] run past the end of the data ({} bytes; truncated file?)",
                                   where, e.begin, e.end, data_size));
        if (numel > data_size || numel * esize != e.end - e.begin)
            fail(name, fmt::format("{}: shape {} of {} needs {} bytes but data_offsets [{}, {}] hold {}", where,
                                   shape_str(e.shape), e.dtype,
                                   numel > data_size ? std::string("more than the file's") : std::to_string(numel * esize),
                                   e.begin, e.end, e.end - e.begin));
        entries.push_back(std::move(e));
    }

    // The byte ranges must tile the data section: no overlap, no hole, nothing after.
    std::vector<const Entry*> by_offset;
    for (const Entry& e : entries) by_offset.push_back(&e);
    std::stable_sort(by_offset.begin(), by_offset.end(), [](const Entry* a, const Entry* b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    std::uint64_t cursor = 0;
    const Entry* previous = nullptr;
    for (const Entry* e : by_offset) {
        if (e->begin < cursor)
            fail(name, fmt::format("tensors '{}' and '{}' overlap (bytes [{}, {}] and [{}, {}])", previous->name,
                                   e->name, previous->begin, previous->end, e->begin, e->end));
        if (e->begin > cursor)
            fail(name, fmt::format("a hole in the data: bytes [{}, {}) belong to no tensor (before '{}')", cursor,
                                   e->begin, e->name));
        cursor = e->end;
        previous = e;
    }
    if (cursor != data_size)
        fail(name, fmt::format("the data section has {} bytes but the tensors account for {}", data_size, cursor));

    // Read each tensor straight into its storage, computing the checksum on the way.
    std::uint32_t crc = 0;
    std::vector<char> buffer;
    for (const Entry* e : by_offset) {
        const std::size_t bytes = static_cast<std::size_t>(e->end - e->begin);
        const std::size_t esize = dtype_size(e->dtype);
        const std::size_t numel = esize ? bytes / esize : 0;
        Tensor t;
        if (e->dtype == "F32" || e->dtype == "F64") {
            const bool f64 = e->dtype == "F64";
            t = zeros(e->shape, {f64 ? DType::f64 : DType::f32});
            char* dst = f64 ? reinterpret_cast<char*>(t.data<double>()) : reinterpret_cast<char*>(t.data<float>());
            if (bytes) src.read(data_start + e->begin, bytes, dst);
            crc = crc32(dst, bytes, crc);
            if (!kLittle) {
                if (f64)
                    for (std::size_t i = 0; i < numel; ++i) t.data<double>()[i] = byteswap_value(t.data<double>()[i]);
                else
                    for (std::size_t i = 0; i < numel; ++i) t.data<float>()[i] = byteswap_value(t.data<float>()[i]);
            }
        } else {
            buffer.resize(bytes);
            if (bytes) src.read(data_start + e->begin, bytes, buffer.data());
            crc = crc32(buffer.data(), bytes, crc);
            const char* p = buffer.data();
            auto load = [&](auto z) {
                using S = decltype(z);
                S v;
                std::memcpy(&v, p, sizeof(S));
                p += sizeof(S);
                return kLittle ? v : byteswap_value(v);
            };
            const bool half = e->dtype == "F16" || e->dtype == "BF16";
            if (e->dtype == "F8_E4M3" || e->dtype == "F8_E5M2")
                fail(name, fmt::format("tensor '{}': dtype {} is not supported", e->name, e->dtype));
            if (e->dtype == "I64") {  // int64 as it is: labels, counters (num_batches_tracked)
                t = zeros(e->shape, {DType::i64});
                std::int64_t* d = t.data<std::int64_t>();
                for (std::size_t i = 0; i < numel; ++i) d[i] = load(std::int64_t{});
                out.tensors.emplace_back(e->name, std::move(t));
                out.dtypes.push_back(e->dtype);
                continue;
            }
            if (e->dtype == "BOOL") {  // any nonzero byte is true (never stored as is into a bool)
                t = zeros(e->shape, {DType::boolean});
                bool* d = t.data<bool>();
                for (std::size_t i = 0; i < numel; ++i) d[i] = load(std::uint8_t{}) != 0;
                out.tensors.emplace_back(e->name, std::move(t));
                out.dtypes.push_back(e->dtype);
                continue;
            }
            t = zeros(e->shape, {half ? DType::f32 : DType::f64});
            for (std::size_t i = 0; i < numel; ++i) {
                if (e->dtype == "F16") t.data<float>()[i] = half_to_float(load(std::uint16_t{}));
                else if (e->dtype == "BF16") t.data<float>()[i] = bf16_to_float(load(std::uint16_t{}));
                else if (e->dtype == "U64") t.data<double>()[i] = static_cast<double>(load(std::uint64_t{}));
                else if (e->dtype == "I32") t.data<double>()[i] = load(std::int32_t{});
                else if (e->dtype == "U32") t.data<double>()[i] = load(std::uint32_t{});
                else if (e->dtype == "I16") t.data<double>()[i] = load(std::int16_t{});
                else if (e->dtype == "U16") t.data<double>()[i] = load(std::uint16_t{});
                else if (e->dtype == "I8") t.data<double>()[i] = load(std::int8_t{});
                else t.data<double>()[i] = load(std::uint8_t{});  // U8
            }
        }
        out.tensors.emplace_back(e->name, std::move(t));
        out.dtypes.push_back(e->dtype);
    }

    auto it = out.metadata.find(kChecksumKey);
    if (it != out.metadata.end()) {
        const std::string expected = fmt::format("{:08x}", crc);
        if (it->second != expected)
            fail(name, fmt::format("checksum mismatch: the header says {} but the data gives {} (the file is corrupt)",
                                   it->second, expected));
        out.checksum_verified = true;
    }
    return out;
}

}  // namespace

std::uint32_t crc32(const void* data, std::size_t size, std::uint32_t crc) {
    // Slicing-by-8 (8 table lookups per 8 bytes), several times faster than the
    // byte-at-a-time loop; the result is the same CRC-32 as zlib's.
    static const auto tables = [] {
        std::array<std::array<std::uint32_t, 256>, 8> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
            t[0][i] = c;
        }
        for (std::uint32_t i = 0; i < 256; ++i)
            for (std::size_t k = 1; k < 8; ++k) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xffu];
        return t;
    }();
    const auto* p = static_cast<const unsigned char*>(data);
    crc = ~crc;
    for (; size >= 8; size -= 8, p += 8) {
        const std::uint32_t lo = crc ^ (std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
                                        std::uint32_t{p[3]} << 24);
        crc = tables[7][lo & 0xffu] ^ tables[6][(lo >> 8) & 0xffu] ^ tables[5][(lo >> 16) & 0xffu] ^
              tables[4][lo >> 24] ^ tables[3][p[4]] ^ tables[2][p[5]] ^ tables[1][p[6]] ^ tables[0][p[7]];
    }
    for (; size > 0; --size, ++p) crc = tables[0][(crc ^ *p) & 0xffu] ^ (crc >> 8);
    return ~crc;
}

SafetensorsFile load_safetensors(const std::string& path, const SafetensorsLimits& limits) {
    FileSource src(path);
    return parse(src, path, limits);
}

SafetensorsFile parse_safetensors(std::string_view bytes, const std::string& name, const SafetensorsLimits& limits) {
    MemorySource src(bytes);
    return parse(src, name, limits);
}

void save_safetensors(const std::string& path, const NamedTensors& tensors, const Metadata& metadata) {
    std::set<std::string> names;
    for (const auto& [name, t] : tensors) {
        if (name.empty()) throw std::invalid_argument("save_safetensors: a tensor has an empty name");
        if (name == "__metadata__") throw std::invalid_argument("save_safetensors: '__metadata__' is reserved");
        if (!names.insert(name).second)
            throw std::invalid_argument(fmt::format("save_safetensors: the name '{}' appears twice", name));
        check_defined("save_safetensors", t);
    }
    if (metadata.count(kChecksumKey))
        throw std::invalid_argument(fmt::format("save_safetensors: metadata key '{}' is reserved", kChecksumKey));

    // Data layout in the given order; checksum of the whole data section.
    json header = json::object();
    std::uint64_t offset = 0;
    std::uint32_t crc = 0;
    for (const auto& [name, t] : tensors) {
        const std::uint64_t bytes = t.size() * element_size(t.dtype());
        header[name] = {{"dtype", file_dtype(t.dtype())}, {"shape", t.shape()}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
        crc = crc32(raw_bytes(t), bytes, crc);
    }
    json meta = json::object();
    for (const auto& [k, v] : metadata) meta[k] = v;
    meta[kChecksumKey] = fmt::format("{:08x}", crc);
    header["__metadata__"] = meta;
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');  // align the data to 8 bytes, as the reference writer does

    try {
        AtomicFile f(path);
        std::uint64_t n = text.size();
        if (!kLittle) n = byteswap_value(n);
        f.write(std::string_view(reinterpret_cast<const char*>(&n), 8));
        f.write(text);
        std::vector<char> swapped;
        for (const auto& [name, t] : tensors) {
            const std::size_t w = element_size(t.dtype());
            const std::size_t bytes = t.size() * w;
            const char* p = raw_bytes(t);
            if (!kLittle) {
                swapped.assign(p, p + bytes);
                for (std::size_t i = 0; i < bytes; i += w) std::reverse(swapped.begin() + i, swapped.begin() + i + w);
                p = swapped.data();
            }
            f.write(std::string_view(p, bytes));
        }
        f.commit();
    } catch (const IoError& e) {
        throw IoError(fmt::format("save_safetensors: {}", e.what()));
    }
}

}  // namespace tg::nn
