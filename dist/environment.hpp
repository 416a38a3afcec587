#pragma once
// tg::dist: data-parallel training over MPI. Start the program under mpirun
// (or Slurm's srun); every process (a "rank") runs the same program on its own
// share of the data, and gradients are averaged across ranks during backward.
// A program built with MPI also runs as a single process without mpirun (a
// world of one). Without MPI in the build, every call here throws DistError
// saying how to enable it.
#include <stdexcept>
#include <string>

namespace tg::dist {

struct DistError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Was tapegrad's dist library built with MPI?
bool available();

/// Start MPI (idempotent: a second call does nothing). Called by Environment.
void init();
/// Stop MPI (idempotent). After it no collective may be called.
void finalize();
bool initialized();

/// This process's index in the world, 0 .. world_size()-1.
int rank();
int world_size();
/// Rank 0: the one that prints progress and writes files.
inline bool is_chief() { return rank() == 0; }

/// How many processes the launcher started for this job, read from what mpirun
/// or srun put in the environment (OMPI_COMM_WORLD_SIZE, PMI_SIZE,
/// SLURM_STEP_NUM_TASKS); 1 without a launcher. Works without MPI in the build:
/// a program that also runs alone can start MPI only when launched with several,
/// and say clearly when it was launched so but built without MPI.
int launched_processes();

/// RAII: init() in the constructor, finalize() in the destructor. An exception
/// that no one catches on one rank, while the others wait in a collective, ends
/// the whole job (MPI_Abort) with that rank's message ("rank 1: <what>; stopping
/// every rank") instead of leaving the others hanging; so does one that leaves
/// the Environment's scope.
class Environment {
public:
    Environment();
    ~Environment();
    Environment(const Environment&) = delete;
    Environment& operator=(const Environment&) = delete;
};

/// End every rank of the job at once with message (printed by this rank) and exit code.
[[noreturn]] void abort_job(const std::string& message, int exit_code = 1);

}  // namespace tg::dist
