// The one file that includes <mpi.h>. Built without MPI, every entry point
// throws DistError saying how to get it.
#include "mpi_backend.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <tapegrad/ops/blas.hpp>

#include "environment.hpp"

#ifdef TAPEGRAD_HAVE_MPI
#define OMPI_SKIP_MPICXX 1  // the C API only: the deprecated C++ bindings warn
#include <mpi.h>
#endif

namespace tg::dist {

namespace {
constexpr const char* kNoMpi =
    "tapegrad was built without MPI: install OpenMPI (apt-get install libopenmpi-dev openmpi-bin), then "
    "reconfigure (meson setup --reconfigure build -Dmpi=enabled) and rebuild";
bool g_we_initialised = false;
}  // namespace

#ifdef TAPEGRAD_HAVE_MPI

namespace {

MPI_Datatype mpi_type(DType dtype) {
    switch (dtype) {
        case DType::f32: return MPI_FLOAT;
        case DType::f64: return MPI_DOUBLE;
        case DType::i64:
        case DType::boolean: break;  // refused by the collectives' check_float first
    }
    throw DistError("tg::dist: only float32 and float64 tensors can be communicated");
}

MPI_Op mpi_op(ReduceOp op) {
    switch (op) {
        case ReduceOp::sum:
        case ReduceOp::mean: return MPI_SUM;
        case ReduceOp::max: return MPI_MAX;
        case ReduceOp::min: return MPI_MIN;
    }
    return MPI_SUM;
}

int count_of(std::size_t n, const char* who) {
    if (n > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw DistError(fmt::format("{}: {} elements is more than one MPI message can carry (2^31-1); split the tensor",
                                    who, n));
    return static_cast<int>(n);
}

void check(int rc, const char* who) {
    if (rc == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, text, &len);
    throw DistError(fmt::format("{}: MPI error: {}", who, std::string(text, static_cast<std::size_t>(len))));
}

MPI_Request& as_request(unsigned char* storage) { return *reinterpret_cast<MPI_Request*>(storage); }
static_assert(sizeof(MPI_Request) <= 64);

}  // namespace

bool available() { return true; }

namespace {

/// Ranks on one machine share its cores: unless the user chose a number
/// (TAPEGRAD_NUM_THREADS or OMP_NUM_THREADS, as num_threads() reads them), each
/// rank's products use cores / (ranks on this machine) threads, so 2 ranks on
/// 2 cores do not run 4 threads.
void share_cores_among_local_ranks() {
    if (std::getenv("TAPEGRAD_NUM_THREADS") || std::getenv("OMP_NUM_THREADS")) return;
    MPI_Comm local;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local) != MPI_SUCCESS) return;
    int here = 1;
    MPI_Comm_size(local, &here);
    MPI_Comm_free(&local);
    const int cores = static_cast<int>(std::thread::hardware_concurrency());
    set_num_threads(std::max(1, cores / std::max(1, here)));
}

}  // namespace

bool initialized() {
    int on = 0, off = 0;
    MPI_Initialized(&on);
    MPI_Finalized(&off);
    return on && !off;
}

void init() {
    int on = 0;
    MPI_Initialized(&on);
    if (on) return;
    int provided = 0;
    // Only the calling thread talks to MPI (backward runs on the thread that calls it).
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "tg::dist::init");
    // Errors come back as codes, which check() turns into exceptions.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    g_we_initialised = true;
    share_cores_among_local_ranks();
}

void finalize() {
    if (!g_we_initialised || !initialized()) return;
    MPI_Finalize();
}

int rank() {
    detail::require_mpi("tg::dist::rank");
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int world_size() {
    detail::require_mpi("tg::dist::world_size");
    int n = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

void abort_job(const std::string& message, int exit_code) {
    std::fprintf(stderr, "%s\n", message.c_str());
    std::fflush(stderr);
    if (initialized()) MPI_Abort(MPI_COMM_WORLD, exit_code);
    std::_Exit(exit_code);
}

void barrier() {
    detail::require_mpi("tg::dist::barrier");
    check(MPI_Barrier(MPI_COMM_WORLD), "tg::dist::barrier");
}

double all_reduce(double value, ReduceOp op) {
    detail::require_mpi("tg::dist::all_reduce");
    double out = 0;
    check(MPI_Allreduce(&value, &out, 1, MPI_DOUBLE, mpi_op(op), MPI_COMM_WORLD), "tg::dist::all_reduce");
    return op == ReduceOp::mean ? out / world_size() : out;
}

namespace detail {

void require_mpi(const char* who) {
    if (!initialized())
        throw DistError(fmt::format("{}: MPI is not running: create a tg::dist::Environment (or call "
                                    "tg::dist::init()) first",
                                    who));
}

void all_reduce_in_place(void* data, std::size_t n, DType dtype, ReduceOp op) {
    require_mpi("tg::dist::all_reduce");
    check(MPI_Allreduce(MPI_IN_PLACE, data, count_of(n, "tg::dist::all_reduce"), mpi_type(dtype), mpi_op(op),
                        MPI_COMM_WORLD),
          "tg::dist::all_reduce");
}

void broadcast_in_place(void* data, std::size_t n, DType dtype, int root) {
    require_mpi("tg::dist::broadcast");
    check(MPI_Bcast(data, count_of(n, "tg::dist::broadcast"), mpi_type(dtype), root, MPI_COMM_WORLD),
          "tg::dist::broadcast");
}

std::vector<int> all_gather_counts(std::size_t n) {
    require_mpi("tg::dist: gather");
    const int mine = count_of(n, "tg::dist: gather");
    std::vector<int> counts(static_cast<std::size_t>(world_size()));
    check(MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD), "tg::dist: gather");
    return counts;
}

void all_gather_varying(const void* data, std::size_t n, DType dtype, void* out, const std::vector<int>& counts) {
    require_mpi("tg::dist: gather");
    std::vector<int> displacements(counts.size(), 0);
    for (std::size_t r = 1; r < counts.size(); ++r) {
        if (displacements[r - 1] > std::numeric_limits<int>::max() - counts[r - 1])
            throw DistError("tg::dist: gather: more than 2^31-1 values in all");
        displacements[r] = displacements[r - 1] + counts[r - 1];
    }
    check(MPI_Allgatherv(data, count_of(n, "tg::dist: gather"), mpi_type(dtype), out, counts.data(),
                         displacements.data(), mpi_type(dtype), MPI_COMM_WORLD),
          "tg::dist: gather");
}

PendingSum::PendingSum(void* data, std::size_t n, DType dtype) {
    require_mpi("tg::dist: gradient all-reduce");
    check(MPI_Iallreduce(MPI_IN_PLACE, data, count_of(n, "tg::dist: gradient all-reduce"), mpi_type(dtype), MPI_SUM,
                         MPI_COMM_WORLD, &as_request(request_)),
          "tg::dist: gradient all-reduce");
    pending_ = true;
}

PendingSum::PendingSum(PendingSum&& other) noexcept {
    std::memcpy(request_, other.request_, sizeof request_);
    pending_ = std::exchange(other.pending_, false);
}

PendingSum& PendingSum::operator=(PendingSum&& other) noexcept {
    if (this != &other) {
        if (pending_) MPI_Wait(&as_request(request_), MPI_STATUS_IGNORE);
        std::memcpy(request_, other.request_, sizeof request_);
        pending_ = std::exchange(other.pending_, false);
    }
    return *this;
}

PendingSum::~PendingSum() {
    // A request must complete before its buffer goes; an error here cannot be thrown.
    if (pending_ && initialized()) MPI_Wait(&as_request(request_), MPI_STATUS_IGNORE);
}

bool PendingSum::test() {
    if (!pending_) return true;
    int done = 0;
    check(MPI_Test(&as_request(request_), &done, MPI_STATUS_IGNORE), "tg::dist: gradient all-reduce");
    if (done) pending_ = false;
    return done != 0;
}

void PendingSum::wait() {
    if (!pending_) return;
    pending_ = false;
    check(MPI_Wait(&as_request(request_), MPI_STATUS_IGNORE), "tg::dist: gradient all-reduce");
}

}  // namespace detail

#else  // no MPI in the build

bool available() { return false; }
bool initialized() { return false; }
void init() { throw DistError(kNoMpi); }
void finalize() {}
int rank() { throw DistError(kNoMpi); }
int world_size() { throw DistError(kNoMpi); }
void abort_job(const std::string& message, int exit_code) {
    std::fprintf(stderr, "%s\n", message.c_str());
    std::_Exit(exit_code);
}
void barrier() { throw DistError(kNoMpi); }
double all_reduce(double, ReduceOp) { throw DistError(kNoMpi); }

namespace detail {
void require_mpi(const char*) { throw DistError(kNoMpi); }
void all_reduce_in_place(void*, std::size_t, DType, ReduceOp) { throw DistError(kNoMpi); }
void broadcast_in_place(void*, std::size_t, DType, int) { throw DistError(kNoMpi); }
std::vector<int> all_gather_counts(std::size_t) { throw DistError(kNoMpi); }
void all_gather_varying(const void*, std::size_t, DType, void*, const std::vector<int>&) { throw DistError(kNoMpi); }
PendingSum::PendingSum(void*, std::size_t, DType) { throw DistError(kNoMpi); }
PendingSum::PendingSum(PendingSum&&) noexcept {}
PendingSum& PendingSum::operator=(PendingSum&&) noexcept { return *this; }
PendingSum::~PendingSum() = default;
void PendingSum::wait() {}
bool PendingSum::test() { return true; }
}  // namespace detail

#endif

namespace {

// An exception nobody catches ends this rank through std::terminate, without
// unwinding: the other ranks would wait for it in their next collective. Say
// what happened and end the whole job instead.
[[noreturn]] void terminate_job() {
    std::string what = "an unknown exception";
    if (const std::exception_ptr e = std::current_exception()) {
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            what = ex.what();
        } catch (...) {
        }
    } else {
        what = "std::terminate";
    }
    const int r = initialized() ? rank() : 0;
    abort_job(fmt::format("rank {}: {}; stopping every rank", r, what));
}

}  // namespace

Environment::Environment() {
    init();
    std::set_terminate(terminate_job);
}

Environment::~Environment() {
    if (std::uncaught_exceptions() > 0 && initialized()) {
        // Leaving by an exception: the other ranks may be waiting in a collective
        // for this one. End them all rather than let them hang.
        abort_job(fmt::format("rank {}: stopping every rank: an exception is leaving the program", rank()));
    }
    finalize();
}

}  // namespace tg::dist
