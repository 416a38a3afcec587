#pragma once
// A labelled transaction file loaded into memory for training and evaluation.
#include <cstdint>
#include <string>
#include <vector>

#include <tapegrad/nn/data/dataset.hpp>
#include <tapegrad/nn/training/strategy.hpp>

#include "csv_reader.hpp"
#include "generator.hpp"

namespace fraud {

/// Features (encoded, not standardised) and labels of a labelled CSV.
struct LabelledData {
    tg::nn::Dataset data;                 ///< x [N, n_features()] float32, y [N, 1] float32 (0/1)
    std::vector<std::uint8_t> pattern;    ///< generator pattern per row (Pattern), legit when unknown
    std::uint64_t rows_read = 0;
    std::uint64_t rejected = 0;
    std::vector<std::string> first_rejects;  ///< "line N: reason (detail)" for the first few
    std::uint64_t fraud() const;
};

/// Read every valid row of a labelled CSV (header with is_fraud). Malformed rows
/// are skipped but counted and the first few described, never dropped silently.
/// Throws std::runtime_error when the file cannot be opened, its header does
/// not fit, or it holds no valid row.
LabelledData load_labelled(const std::string& path);

/// The rows of part `part` of `parts` of a labelled CSV (tg::nn::line_aligned_part:
/// the lines whose first byte lies in that share of the bytes), read without
/// touching the rest of the file. A part may hold no valid row.
LabelledData load_labelled_part(const std::string& path, std::size_t part, std::size_t parts);

/// In a data-parallel job: every worker parses only its part of the file, then
/// the parsed rows are exchanged, so every worker ends with all rows in file
/// order (what load_labelled gives one process) and the counts of the whole file.
/// Throws as load_labelled when the file holds no valid row.
LabelledData load_labelled_everywhere(const std::string& path, tg::nn::DistributionStrategy& workers);

/// Pattern from its name; legit for an unknown or empty name.
Pattern pattern_from_name(std::string_view name);

}  // namespace fraud
