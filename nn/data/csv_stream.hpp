#pragma once
/// @ingroup nn
/// Streaming rows of CSV files too large for memory, batch by batch, optionally
/// only one part of them (each worker of a data-parallel job reads its own bytes).
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "csv.hpp"
#include "file_ranges.hpp"
#include "loader.hpp"

namespace tg::nn {

/// Rows of one or more CSV files with the same columns, read in order a batch at
/// a time through a fixed buffer: memory holds one batch and a 1 MiB buffer,
/// whatever the files' size. With part/parts, only the lines of
/// line_aligned_part(files, part, parts): parts 0 .. parts-1 together read every
/// line exactly once, each touching only its own bytes.
///
/// Options are read_csv's (features, label, ignore, delimiter, header,
/// skip_bad_rows, on_bad_row, allow_non_finite, dtype) with two differences: a
/// record is one line (a quote still open at the line end is a malformed row), and
/// categorical_label is refused (the classes would need the whole data first).
/// Each file's first line is its header when options.header; every header must
/// equal the first file's. A malformed row throws an IoError naming file, line and
/// column, or with skip_bad_rows is reported (report() counts them all and keeps
/// the first 1000 issues), never silently dropped. Line numbers count from the top
/// of each file, also in a part that starts in the middle of one.
///
///     CsvStream rows({"jan.csv", "feb.csv"}, {.label = "is_fraud"}, dist::rank(), dist::world_size());
///     Batch b;
///     while (rows.next(256, b)) { ... b.x is [n, features], b.y is [n] ... }
class CsvStream {
public:
    CsvStream(std::vector<std::string> files, CsvOptions options = {}, std::size_t part = 0, std::size_t parts = 1);
    ~CsvStream();
    CsvStream(CsvStream&&) noexcept;
    CsvStream& operator=(CsvStream&&) noexcept;

    /// The next up to `rows` rows (fewer only at the end of the part) into out;
    /// false, with out untouched, when the part has no rows left.
    bool next(std::size_t rows, Batch& out);
    /// Start again at the first row of the part (the next epoch). The report goes on counting.
    void rewind();

    const std::vector<std::string>& feature_names() const { return feature_names_; }
    const std::string& label_name() const { return label_name_; }
    /// This part's byte ranges, one per file it touches.
    const std::vector<FileRange>& ranges() const { return ranges_; }
    /// Rows read, kept and skipped so far (over all epochs).
    const CsvReport& report() const { return report_; }

private:
    struct Reader;
    CsvOptions options_;
    std::vector<FileRange> ranges_;
    std::vector<std::string> feature_names_;
    std::string label_name_;
    CsvReport report_;
    std::unique_ptr<Reader> reader_;
};

}  // namespace tg::nn
