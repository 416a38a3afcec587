#pragma once
// Readers for the real data sets the conv and recurrent tests train on
// (tutorials/data/, shipped with the repository; see its README for licenses).
#include <zlib.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <tapegrad/tapegrad.hpp>

namespace tg::test {

/// Every line of a gzip-compressed text file (zlib; no network, no external tools).
inline std::vector<std::string> read_gzip_lines(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) throw IoError("cannot open " + path);
    std::vector<std::string> lines;
    std::string line;
    char buf[4096];
    while (gzgets(f, buf, sizeof buf)) {
        line += buf;
        if (!line.empty() && line.back() == '\n') {
            line.pop_back();
            lines.push_back(line);
            line.clear();
        }
    }
    int err = 0;
    const char* msg = gzerror(f, &err);
    gzclose(f);
    if (err != Z_OK && err != Z_STREAM_END) throw IoError(path + ": " + msg);
    if (!line.empty()) lines.push_back(line);
    return lines;
}

/// scikit-learn's 8x8 digits: images [1797, 1, 8, 8] scaled to [0, 1] and labels [1797] (0..9).
struct Digits {
    Tensor images, labels;
};

inline Digits load_digits(const std::string& path = "tutorials/data/sklearn_digits_8x8.csv.gz") {
    const std::vector<std::string> lines = read_gzip_lines(path);
    if (lines.size() < 2) throw IoError(path + ": no data rows");
    std::vector<float> pixels;
    std::vector<float> labels;
    for (std::size_t r = 1; r < lines.size(); ++r) {
        std::stringstream ss(lines[r]);
        std::string cell;
        std::size_t col = 0;
        while (std::getline(ss, cell, ',')) {
            const float v = std::stof(cell);
            if (col < 64) pixels.push_back(v / 16.0f);
            else labels.push_back(v);
            ++col;
        }
        if (col != 65) throw IoError(path + ": line " + std::to_string(r + 1) + " has " + std::to_string(col) +
                                     " fields, expected 65");
    }
    const std::size_t n = labels.size();
    return {from_vector(pixels, {n, 1, 8, 8}), from_vector(labels, {n})};
}

/// Yearly sunspot activity (1700-2008), as read from the CSV's second column.
inline std::vector<double> load_sunspots(const std::string& path = "tutorials/data/sm_sunspots_yearly.csv") {
    std::ifstream in(path);
    if (!in) throw IoError("cannot open " + path);
    std::string line;
    std::getline(in, line);  // "YEAR","SUNACTIVITY"
    std::vector<double> values;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        values.push_back(std::stod(line.substr(line.find(',') + 1)));
    }
    return values;
}

}  // namespace tg::test
