#pragma once
// Keeping the output pasted in the tutorials' READMEs true to the programs.
//
// A README quotes a section of its program's output like this:
//
//     <!-- output: 08_backprop#forward-pass -->
//     ```text
//     === Forward pass ===
//     ...
//     ```
//
// The part after '#' is the slug of the section's title (lower case, runs of
// other characters turned into '-'). The test suite runs each tutorial and
// compares every such block with the section the program prints now
// (see Note [tutorial output is checked] in report.hpp). Setting the environment
// variable TAPEGRAD_UPDATE_READMES=1 makes the test rewrite stale blocks instead.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace tut {

/// "Forward pass (double precision)" -> "forward-pass-double-precision"
std::string slug(const std::string& title);

/// The section of a program's output whose title has this slug: its "=== title ==="
/// line and the lines up to the next section, without trailing blank lines.
/// Empty when there is no such section.
std::string output_section(const std::string& output, const std::string& section_slug);

/// One quoted block of a README.
struct ReadmeBlock {
    std::string topic;    ///< e.g. "08_backprop"
    std::string section;  ///< slug of the section
    std::size_t first_line = 0, last_line = 0;  ///< 0-based lines of the block's text (last exclusive)
    std::string text;
};

/// The quoted blocks of a README's text. Throws std::runtime_error for a marker
/// not followed by a ```text fence, or a fence never closed.
std::vector<ReadmeBlock> readme_blocks(const std::string& markdown);

/// Compare the blocks of the README at `path` quoting `topic` with `output`.
/// Returns one message per block that differs, or per missing section (empty:
/// all match). A README that quotes nothing of the topic is a problem too.
/// With update, stale blocks are rewritten in the file (atomically) and the
/// messages say what changed.
std::vector<std::string> check_readme(const std::filesystem::path& path, const std::string& topic,
                                      const std::string& output, bool update = false);

}  // namespace tut
