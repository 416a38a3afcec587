#include "interrupt.hpp"

#include <csignal>

namespace fraud {

namespace {
std::atomic<bool> g_interrupted{false};

extern "C" void on_sigint(int) { g_interrupted.store(true); }
}  // namespace

void install_interrupt_handler() {
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;  // the second Ctrl-C ends the program the usual way
    sigaction(SIGINT, &sa, nullptr);
}

bool interrupted() { return g_interrupted.load(std::memory_order_relaxed); }
const std::atomic<bool>& interrupt_flag() { return g_interrupted; }
void clear_interrupt() { g_interrupted.store(false); }
void request_interrupt() { g_interrupted.store(true); }

}  // namespace fraud
