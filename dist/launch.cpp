#include <cstdlib>
#include <string>

#include "environment.hpp"

namespace tg::dist {

int launched_processes() {
    // Open MPI's mpirun, MPICH/PMI launchers, and a Slurm job step (srun). SLURM_NTASKS
    // alone is not enough: a batch script's own shell has it too.
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS"})
        if (const char* v = std::getenv(name)) {
            const int n = std::atoi(v);
            if (n > 0) return n;
        }
    return 1;
}

}  // namespace tg::dist
