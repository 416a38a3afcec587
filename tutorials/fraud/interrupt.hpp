#pragma once
// The SIGINT flag long-running commands poll, so that Ctrl-C ends them cleanly
// (output files keep their old content: see tg::nn::AtomicFile).
#include <atomic>

namespace fraud {

/// Install a SIGINT handler that sets interrupted() instead of killing the
/// process; a second SIGINT kills as usual (the handler resets itself).
void install_interrupt_handler();
/// True once SIGINT arrived (after install_interrupt_handler).
bool interrupted();
/// The flag itself, for loops that take a std::atomic<bool>*.
const std::atomic<bool>& interrupt_flag();
/// Clear the flag (tests, and the demo between steps).
void clear_interrupt();
/// Set the flag as SIGINT would (tests).
void request_interrupt();

}  // namespace fraud
