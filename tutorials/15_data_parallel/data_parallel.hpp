#pragma once
// Tutorial 15: tutorial 11's digits CNN trained data-parallel on several
// processes with tg::dist, and the same result as on one.
#include <cstddef>

#include <tapegrad/tapegrad.hpp>

namespace tut::data_parallel {

struct Result {
    int ranks = 1;
    std::size_t rows_per_rank_step = 0;  ///< each rank's rows per step
    tg::nn::History history;
    double test_accuracy = 0;
    std::size_t test_right = 0, test_size = 0;
};

/// The digits of tutorial 11 as float64.
tg::nn::Dataset in_double(const tg::nn::Dataset& d);

/// Train the CNN of tutorial 11 (in float64) on the digits with fit() and the data-parallel
/// strategy: 32 rows a step in all, shared out over the ranks; print (rank 0
/// only) the epochs and the held-out accuracy. Needs a running tg::dist::Environment.
Result run(std::ostream& out);

}  // namespace tut::data_parallel
