// CsvStream on 2 ranks: each rank reads only its line-aligned part of the files,
// together they read every row once, and a DDP loop over the parts ends on the
// same step on every rank although the parts hold different row counts.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <tapegrad/dist/dist.hpp>
#include <tapegrad/tapegrad.hpp>

#include "temp_path.hpp"

using namespace tg;
using namespace tg::nn;

namespace {

/// Two CSV files of 3 features and a label, written by rank 0 (the ranks share a machine).
std::vector<std::string> make_files() {
    const std::vector<std::string> files{shared_temp_path("stream_0.csv"), shared_temp_path("stream_1.csv")};
    if (dist::rank() == 0) {
        Generator g(3);
        for (std::size_t f = 0; f < files.size(); ++f) {
            std::ofstream out(files[f]);
            out.precision(f == 0 ? 17 : 3);  // long lines, then short: the byte halves hold unequal row counts
            out << "a,b,c,label\n";
            for (int i = 0; i < 157 + 40 * int(f); ++i) {
                const double a = g.normal(), b = g.normal(), c = g.normal();
                out << a << ',' << b << ',' << c << ',' << (a + 2 * b - c > 0) << '\n';
            }
        }
    }
    dist::barrier();
    return files;
}

}  // namespace

TEST_CASE("CsvStream: 2 ranks read disjoint parts that together are the files' rows, in order") {
    REQUIRE(dist::world_size() == 2);
    const auto files = make_files();
    const CsvOptions o{.label = "label", .dtype = DType::f64};
    CsvStream part(files, o, std::size_t(dist::rank()), 2);
    std::vector<double> mine;
    Batch b;
    while (part.next(50, b)) {
        const auto x = b.x.to_vector();
        mine.insert(mine.end(), x.begin(), x.end());
    }
    auto strategy = dist::data_parallel();
    const Tensor all = strategy->gather_rows(from_vector(mine, {mine.size() / 3, 3}, {.dtype = DType::f64}));
    std::vector<double> expected;
    for (const auto& f : files) {
        const auto x = read_csv(f, o).x.to_vector();
        expected.insert(expected.end(), x.begin(), x.end());
    }
    CHECK(all.to_vector() == expected);
    CHECK(part.report().rows_kept < 354);  // this rank read only its part
}

TEST_CASE("CsvStream + DDP: every rank stops on the same step and ends with the same weights") {
    const auto files = make_files();
    CsvStream part(files, {.label = "label", .dtype = DType::f64}, std::size_t(dist::rank()), 2);
    manual_seed(4);
    auto net = mlp({3, 6, 1}, {"tanh"});
    net->to(DType::f64);
    auto ddp = std::make_shared<dist::DistributedDataParallel>(net);
    optim::SGD opt(net->parameters(), {.lr = 0.1});
    const auto loss = BCEWithLogitsLoss();
    int steps = 0;
    for (int epoch = 0; epoch < 2; ++epoch, part.rewind()) {
        Batch b;
        // A rank whose part is used up must not leave the others waiting in an
        // all-reduce: the loop goes on only while every rank has a batch.
        while (dist::all_reduce(part.next(16, b) ? 1.0 : 0.0, dist::ReduceOp::min) > 0) {
            opt.zero_grad();
            loss(ddp->forward(b.x), unsqueeze(b.y, 1)).backward();
            opt.step();
            ++steps;
        }
    }
    CHECK(dist::all_reduce(double(steps), dist::ReduceOp::max) == steps);
    double rows = 0;  // this rank's rows: the parts must differ by batches for the test to mean anything
    for (Batch b; part.next(1000, b);) rows += double(b.x.shape()[0]);
    CHECK(dist::all_reduce(rows, dist::ReduceOp::max) > dist::all_reduce(rows, dist::ReduceOp::min) + 32);
    for (auto& p : net->parameters()) {
        Tensor lo = p.detach(), hi = p.detach();
        dist::all_reduce(lo, dist::ReduceOp::min);
        dist::all_reduce(hi, dist::ReduceOp::max);
        CHECK(lo.to_vector() == hi.to_vector());
    }
}
