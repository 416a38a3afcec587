#pragma once
/// @ingroup nn
/// Cutting one or more files into parts at line boundaries, so that each of
/// several workers reads only its own bytes (streaming data sets, data-parallel
/// training where every rank reads its part of the input).
#include <cstdint>
#include <string>
#include <vector>

namespace tg::nn {

/// Bytes [begin, end) of one file.
struct FileRange {
    std::string file;
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
    bool operator==(const FileRange&) const = default;
};

/// Part `part` of `parts` of the files' bytes taken together (in the order
/// given), cut where lines start: the bytes are split into `parts` nearly equal
/// spans and every line belongs to the part in which its first byte lies. The
/// parts of 0 .. parts-1 are disjoint and together hold every line exactly once;
/// a part may span several files (one FileRange each) or hold nothing (more parts
/// than lines). Each worker finds its own cuts by reading a few bytes around
/// them, never the whole file. Throws IoError for a file that cannot be opened
/// or is not a regular file, and std::invalid_argument for part >= parts.
std::vector<FileRange> line_aligned_part(const std::vector<std::string>& files, std::size_t part, std::size_t parts);

}  // namespace tg::nn
