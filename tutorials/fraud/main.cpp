// tapegrad-fraud: the fraud-detection demo. See README.md beside this file.
#include "cli.hpp"

int main(int argc, char** argv) { return fraud::cli_main(argc, argv); }
