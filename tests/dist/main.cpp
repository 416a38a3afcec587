// The data-parallel tests: run under mpirun (meson test runs them on 2 ranks).
// Every rank runs every test case; only rank 0 prints the summary.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <tapegrad/dist/dist.hpp>

int main(int argc, char** argv) {
    tg::dist::Environment env;
    doctest::Context context(argc, argv);
    if (tg::dist::rank() != 0) context.setOption("minimal", true);
    const int failed = context.run();
    // A rank that failed makes the job fail; the others must not hang waiting.
    const double failures = tg::dist::all_reduce(failed ? 1.0 : 0.0);
    return failures > 0 ? 1 : 0;
}
