// Tutorial 15: data-parallel training on several processes.
// Run: mpirun -np 2 ./build/tutorials/tutorial-15-data-parallel   (or without mpirun: one process)
#include <exception>
#include <iostream>

#include <tapegrad/dist/dist.hpp>

#include "data_parallel.hpp"

int main() {
    tg::dist::Environment mpi;
    try {
        tut::data_parallel::run(std::cout);
        return 0;
    } catch (const std::exception& e) {
        tg::dist::abort_job(std::string("tutorial-15-data-parallel: ") + e.what());
    }
}
