#pragma once
// A temporary file name the ranks of one job share and no other job uses (tests
// of several checkouts may run at once): rank 0's process id, told to every rank.
#include <unistd.h>

#include <filesystem>
#include <string>

#include <tapegrad/dist/dist.hpp>

inline std::string shared_temp_path(const std::string& name) {
    const double pid = tg::dist::all_reduce(tg::dist::rank() == 0 ? double(::getpid()) : 0.0, tg::dist::ReduceOp::max);
    return (std::filesystem::temp_directory_path() / ("tapegrad_dist_" + std::to_string(long(pid)) + "_" + name)).string();
}
