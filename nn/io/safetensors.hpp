#pragma once
/// @ingroup nn
/// Saving and loading tensors and models in the safetensors format
/// (https://github.com/huggingface/safetensors), readable by PyTorch, JAX and
/// Hugging Face tools:
///
///     8 bytes   N, the header length, unsigned little-endian
///     N bytes   JSON: {"__metadata__": {"k": "v", ...},
///                      "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}
///     rest      the tensors' raw little-endian bytes; offsets are relative to the
///               start of this section, contiguous, in any order of names
///
/// tapegrad writes F32, F64, I64 and BOOL, pads the header with spaces to a multiple of 8
/// bytes (as the reference writer does), stores a CRC-32 of the data section in
/// __metadata__["tapegrad.crc32"], and writes atomically (tg::nn::AtomicFile).
/// The loader reads F32, F64, I64 and BOOL as they are (BOOL: any nonzero byte is
/// true), F16 and BF16 as float32, the other integer types as float64. It trusts nothing in the file: see load_safetensors.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "../module.hpp"

namespace tg::nn {

using Metadata = std::map<std::string, std::string>;

struct SafetensorsFile {
    NamedTensors tensors;              ///< in file-offset order
    std::vector<std::string> dtypes;   ///< each tensor's dtype in the file ("F32", "BF16", ...)
    Metadata metadata;
    bool checksum_verified = false;    ///< the file carried tapegrad.crc32 and it matched
};

/// Limits that protect the loader from hostile headers.
struct SafetensorsLimits {
    /// The reference implementation allows 100 MB; 16 MB describes ~150,000 tensors
    /// and keeps the JSON parser's memory small on a hostile file.
    std::uint64_t max_header_bytes = 16'000'000;
    std::size_t max_nesting = 64;                  ///< JSON depth (a valid header needs 3)
    /// Tensors named in the header. The parsed header takes about 1 KB per entry;
    /// the largest published checkpoints hold a few thousand tensors per file.
    std::size_t max_entries = 100'000;
};

/// Write tensors (names unique, non-empty) and string metadata to path, atomically.
/// Throws std::invalid_argument for duplicate or empty names or a reserved metadata
/// key, IoError when the file cannot be written (the old file, if any, is left intact).
void save_safetensors(const std::string& path, const NamedTensors& tensors, const Metadata& metadata = {});

/// Read a safetensors file. Checks, before trusting any number: the file holds at
/// least 8 bytes; the header length is within the file and the limits; the header
/// holds no NUL byte and is a JSON object (depth- and entry-limited, no key twice in
/// any object) whose entries have exactly
/// dtype, shape and data_offsets of the right types; shapes' element counts match
/// their byte ranges without overflow; ranges lie within the data section, do not
/// overlap and cover it with no holes; metadata values are strings; the CRC-32,
/// when present, matches. Allocates only what the (validated) file holds.
/// Throws IoError "path: <what is wrong>" otherwise.
SafetensorsFile load_safetensors(const std::string& path, const SafetensorsLimits& limits = {});
/// The same from bytes in memory (name is used in messages). For tests and fuzzing.
SafetensorsFile parse_safetensors(std::string_view bytes, const std::string& name = "<memory>",
                                  const SafetensorsLimits& limits = {});

/// CRC-32 (IEEE 802.3, as zlib's crc32), continuing from crc.
std::uint32_t crc32(const void* data, std::size_t size, std::uint32_t crc = 0);

}  // namespace tg::nn
