#include "cnn.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ostream>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "../common/ascii.hpp"
#include "../common/data.hpp"

namespace tut::cnn {

namespace nn = tg::nn;

namespace {

// Lines of a gzip-compressed text file (tapegrad's shared gzip reader, nn/data/gzip.hpp).
std::vector<std::string> read_gzip_lines(const std::string& path) {
    const std::string text = nn::read_gzip(path);
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

// Blocks of text (same number of lines) next to each other, with a caption under each.
std::string side_by_side(const std::vector<std::string>& blocks, const std::vector<std::string>& captions) {
    std::vector<std::vector<std::string>> cols;
    std::size_t rows = 0, width = 0;
    for (const std::string& b : blocks) {
        std::vector<std::string> lines;
        std::size_t start = 0;
        while (start < b.size()) {
            const std::size_t end = std::min(b.find('\n', start), b.size());
            lines.push_back(b.substr(start, end - start));
            width = std::max(width, end - start);
            start = end + 1;
        }
        rows = std::max(rows, lines.size());
        cols.push_back(lines);
    }
    std::string s;
    for (std::size_t r = 0; r <= rows; ++r) {
        std::string line = " ";
        for (std::size_t c = 0; c < cols.size(); ++c) {
            const std::string cell = r < rows ? (r < cols[c].size() ? cols[c][r] : "") : captions[c];
            line += fmt::format(" {:<{}}", cell, width);
        }
        line.erase(line.find_last_not_of(' ') + 1);
        s += line + "\n";
    }
    return s;
}

std::vector<double> image_of(const tg::Tensor& images, std::size_t i) {
    const tg::Tensor one = tg::slice(images, 0, static_cast<std::int64_t>(i), static_cast<std::int64_t>(i) + 1);
    return one.to_vector();
}

}  // namespace

nn::Dataset load_digits() {
    const std::string path = data_path("sklearn_digits_8x8.csv.gz").string();
    const auto lines = read_gzip_lines(path);
    if (lines.size() < 2) throw std::runtime_error(path + ": no data rows");
    std::vector<float> pixels, labels;
    for (std::size_t r = 1; r < lines.size(); ++r) {  // line 1 is the header p0..p63,label
        const std::string& l = lines[r];
        std::size_t col = 0, start = 0;
        while (start <= l.size()) {
            const std::size_t end = std::min(l.find(',', start), l.size());
            double v = 0;
            const auto [ptr, ec] = std::from_chars(l.data() + start, l.data() + end, v);
            if (ec != std::errc() || ptr != l.data() + end)
                throw std::runtime_error(fmt::format("{}: line {}, column {}: '{}' is not a number", path, r + 1,
                                                     col + 1, l.substr(start, end - start)));
            if (col < 64) pixels.push_back(static_cast<float>(v / 16.0));
            else labels.push_back(static_cast<float>(v));
            ++col;
            start = end + 1;
        }
        if (col != 65)
            throw std::runtime_error(fmt::format("{}: line {} has {} fields, expected 65", path, r + 1, col));
    }
    const std::size_t n = labels.size();
    return nn::Dataset(tg::from_vector(pixels, {n, 1, 8, 8}), tg::from_vector(labels, {n}));
}

std::shared_ptr<nn::Sequential> make_cnn() {
    return std::make_shared<nn::Sequential>(nn::Conv2d(1, 16, 3, /*stride=*/1, /*padding=*/1), nn::ReLU(),
                                            nn::MaxPool2d(2),  // 16 x 4 x 4
                                            nn::Conv2d(16, 32, 3, 1, 1), nn::ReLU(), nn::MaxPool2d(2),  // 32 x 2 x 2
                                            nn::Flatten(), nn::Linear(128, 10));
}

Result run(Report& report) {
    std::ostream& out = report.out;
    Result res;
    fmt::print(out, "Tutorial 11: a convolutional neural network (CNN) reads handwritten digits.\n");
    const nn::Dataset digits = load_digits();
    auto [train, test] = nn::train_test_split(digits, 0.2, {.seed = 7, .stratify = true});
    res.train_size = train.size();
    res.test_size = test.size();

    report.section("The data");
    fmt::print(out, "  {} images of handwritten digits, 8 x 8 pixels of 17 grey levels, 10 classes.\n"
                    "  {} for training, {} held out for testing (20% of each digit).\n"
                    "  The first five:\n", digits.size(), res.train_size, res.test_size);
    {
        std::vector<std::string> blocks, captions;
        for (std::size_t i = 0; i < 5; ++i) {
            blocks.push_back(ascii_image(image_of(digits.x, i), 8, 8, 1.0));
            captions.push_back(fmt::format("label {:g}", digits.y.at({i})));
        }
        fmt::print(out, "{}", side_by_side(blocks, captions));
    }

    report.section("A convolution, by hand");
    {
        // A 3x3 filter that answers where the image gets brighter from left to right:
        // a vertical edge. The same nine weights slide over every position of the image.
        const tg::Tensor kernel = tg::tensor({{{{-1, 0, 1}, {-1, 0, 1}, {-1, 0, 1}}}});  // [1, 1, 3, 3]
        const std::size_t which = 4;  // a 4
        const tg::Tensor img = tg::slice(digits.x, 0, which, which + 1);
        const tg::Tensor left_edges = tg::relu(tg::conv2d(img, kernel, {}, 1, 1));
        const tg::Tensor right_edges = tg::relu(tg::conv2d(img, -kernel, {}, 1, 1));
        res.edge_response_max = tg::max(left_edges).item();
        fmt::print(out, "  filter  -1 0 1      conv2d(image, filter) slides it over the image; ReLU keeps\n"
                        "          -1 0 1      the positive answers. Its mirror image finds the other side\n"
                        "          -1 0 1      of each stroke.\n");
        fmt::print(out, "{}", side_by_side({ascii_image(image_of(digits.x, which), 8, 8, 1.0),
                                            ascii_image(left_edges.to_vector(), 8, 8, res.edge_response_max),
                                            ascii_image(right_edges.to_vector(), 8, 8, res.edge_response_max)},
                                           {"the image", "dark -> bright", "bright -> dark"}));
        fmt::print(out, "  A CNN learns its filters: each one becomes a detector of some small pattern,\n"
                        "  wherever it appears in the image.\n");
    }

    report.section("The network");
    tg::manual_seed(11);
    auto model = make_cnn();
    fmt::print(out, "{}", indent(nn::summary_string(*model, {1, 1, 8, 8})));

    report.section("Training");
    tg::optim::Adam adam(model->parameters(), 0.01);
    const nn::LossFn loss = [](const tg::Tensor& o, const tg::Tensor& t) { return nn::cross_entropy(o, t); };
    res.history = nn::fit(*model, loss, adam, train,
                          {.epochs = 12, .batch_size = 32, .seed = 3, .validation = test,
                           .metrics = {"accuracy"}, .verbose = 0});
    const nn::History& h = res.history;
    fmt::print(out, "  Adam (lr 0.01), cross-entropy, mini-batches of 32, 12 epochs:\n");
    fmt::print(out, "  {:>5} {:>8} {:>9} {:>9} {:>13}\n", "epoch", "loss", "accuracy", "val_loss", "val_accuracy");
    for (std::size_t e = 0; e < h.epochs(); ++e)
        if (e < 3 || (e + 1) % 3 == 0)
            fmt::print(out, "  {:>5} {:>8.4f} {:>8.1f}% {:>9.4f} {:>12.1f}%\n", e + 1, h["loss"][e],
                       100 * h["accuracy"][e], h["val_loss"][e], 100 * h["val_accuracy"][e]);
    history_files(report, h);

    report.section("Results on the held-out digits");
    const tg::Tensor logits = nn::predict(*model, test.x);
    const tg::Tensor probs = tg::softmax(logits, 1);
    res.test_accuracy = nn::accuracy(logits, test.y);
    res.confusion = nn::confusion_matrix(logits, test.y, 0.5, 10);
    std::size_t right = 0;
    for (std::size_t k = 0; k < 10; ++k) right += res.confusion.at(k, k);
    fmt::print(out, "  accuracy {:.1f}% ({} of {} right)\n", 100 * res.test_accuracy, right, res.test_size);
    std::vector<std::string> names;
    for (int k = 0; k < 10; ++k) names.push_back(std::to_string(k));
    fmt::print(out, "  Confusion matrix (rows: the true digit, columns: the network's answer):\n");
    fmt::print(out, "{}", indent(res.confusion.to_string(names)));
    std::vector<std::vector<double>> rows;
    for (std::size_t t = 0; t < 10; ++t) {
        std::vector<double> row;
        for (std::size_t p = 0; p < 10; ++p) row.push_back(static_cast<double>(res.confusion.at(t, p)));
        rows.push_back(row);
    }
    report.csv("confusion", names, rows);

    report.section("Digits it got wrong");
    const tg::Tensor pred = tg::argmax(logits, 1);
    for (std::size_t i = 0; i < res.test_size; ++i) {
        const int p = static_cast<int>(pred.at({i})), t = static_cast<int>(test.y.at({i}));
        if (p != t) res.mistakes.push_back({i, t, p, probs.at({i, static_cast<std::size_t>(p)})});
    }
    if (res.mistakes.size() <= 5)
        fmt::print(out, "  {} mistakes:\n", res.mistakes.size());
    else
        fmt::print(out, "  {} mistakes. The first 5:\n", res.mistakes.size());
    {
        std::vector<std::string> blocks, captions;
        std::vector<std::vector<double>> pix_rows;
        for (std::size_t k = 0; k < std::min<std::size_t>(5, res.mistakes.size()); ++k) {
            const Misclassified& m = res.mistakes[k];
            const auto img = image_of(test.x, m.index);
            blocks.push_back(ascii_image(img, 8, 8, 1.0));
            captions.push_back(fmt::format("{} as {} {:.0f}%", m.truth, m.predicted, 100 * m.probability));
            // one row per pixel: mistake number, x, y, grey level (for gnuplot's image plot)
            for (std::size_t r = 0; r < 8; ++r)
                for (std::size_t c = 0; c < 8; ++c)
                    pix_rows.push_back({static_cast<double>(k), static_cast<double>(c), static_cast<double>(7 - r),
                                        img[r * 8 + c]});
        }
        if (!blocks.empty()) fmt::print(out, "{}", side_by_side(blocks, captions));
        if (!res.mistakes.empty()) {
            const Misclassified& m = res.mistakes.front();
            fmt::print(out, "  (\"{0} as {1} {2:.0f}%\": a {0} the network read as a {1}, with probability {2:.0f}%)\n"
                            "  Some are hard even for a person at 8 x 8 pixels.\n",
                       m.truth, m.predicted, 100 * m.probability);
        }
        report.csv("mistakes", {"mistake", "x", "y", "grey"}, pix_rows);
        std::string script = fmt::format("set multiplot layout 1,{}\nunset key\nunset colorbox\nunset tics\n"
                                         "set size ratio -1\nset palette grey negative\n",
                                         std::max<std::size_t>(1, blocks.size()));
        for (std::size_t k = 0; k < blocks.size(); ++k)
            script += fmt::format("set title '{}'\nplot 'mistakes.csv' every ::{}::{} using 2:3:4 with image\n",
                                  captions[k], 64 * k, 64 * k + 63);
        report.gnuplot("mistakes", script + "unset multiplot\n");
    }
    report.files_summary();
    return res;
}

}  // namespace tut::cnn
