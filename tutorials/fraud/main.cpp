// tapegrad-fraud: the fraud-detection demo. See README.md beside this file.
#include <malloc.h>

#include "cli.hpp"

int main(int argc, char** argv) {
    // A 4096-row batch makes tensors of about 1 MB, above glibc's default mmap
    // threshold: each op's output would be mapped and unmapped again, and the
    // first-touch page faults then cost several times the arithmetic (scoring ran
    // at a fifth of its speed). Keep such blocks in the heap for reuse instead.
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    return fraud::cli_main(argc, argv);
}
