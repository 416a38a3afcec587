#pragma once
// Internal: the one place that talks to MPI (or says that it is missing).
#include <cstddef>
#include <vector>

#include <tapegrad/graph/dtype.hpp>

#include "collectives.hpp"

namespace tg::dist::detail {

/// Throw DistError when MPI is not in the build or not initialised; who names the caller.
void require_mpi(const char* who);

/// A non-blocking in-place sum over all ranks of n values of dtype at data.
class PendingSum {
public:
    PendingSum() = default;
    PendingSum(void* data, std::size_t n, DType dtype);
    PendingSum(PendingSum&& other) noexcept;
    PendingSum& operator=(PendingSum&& other) noexcept;
    PendingSum(const PendingSum&) = delete;
    PendingSum& operator=(const PendingSum&) = delete;
    ~PendingSum();
    /// Block until the sum has arrived (no-op when nothing is pending).
    void wait();
    /// Let MPI make progress without blocking (MPI moves non-blocking
    /// collectives along only inside its calls); true once the sum has arrived.
    bool test();
    bool pending() const { return pending_; }

private:
    alignas(8) unsigned char request_[64]{};  // an MPI_Request, kept opaque here
    bool pending_ = false;
};

void all_reduce_in_place(void* data, std::size_t n, DType dtype, ReduceOp op);
void broadcast_in_place(void* data, std::size_t n, DType dtype, int root);
/// Every rank's n values (n may differ by rank), concatenated in rank order into
/// out on every rank; counts[r] is rank r's n (all_gather_counts gives them).
void all_gather_varying(const void* data, std::size_t n, DType dtype, void* out, const std::vector<int>& counts);
std::vector<int> all_gather_counts(std::size_t n);

}  // namespace tg::dist::detail
