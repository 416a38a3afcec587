#include "signal_pipe.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace fraud {

namespace {

int g_pipe[2] = {-1, -1};

extern "C" void on_signal(int sig) {
    const int saved = errno;
    const unsigned char b = static_cast<unsigned char>(sig);
    [[maybe_unused]] const ssize_t n = ::write(g_pipe[1], &b, 1);  // a full pipe drops the signal: one is enough
    errno = saved;
}

}  // namespace

SignalPipe::SignalPipe(std::initializer_list<int> signals) {
    if (g_pipe[0] >= 0) throw std::runtime_error("SignalPipe: only one at a time");
    if (::pipe2(g_pipe, O_CLOEXEC) != 0)
        throw std::runtime_error(fmt::format("cannot make the signal pipe: {}", std::strerror(errno)));
    ::fcntl(g_pipe[1], F_SETFL, O_NONBLOCK);  // the handler must never block
    for (int s : signals) {
        if (count_ == int(std::size(signals_))) break;
        signals_[count_++] = s;
        struct sigaction sa {};
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        sigaction(s, &sa, nullptr);
    }
}

SignalPipe::~SignalPipe() {
    for (int i = 0; i < count_; ++i) std::signal(signals_[i], SIG_DFL);
    ::close(g_pipe[0]);
    ::close(g_pipe[1]);
    g_pipe[0] = g_pipe[1] = -1;
}

int SignalPipe::wait() {
    unsigned char b = 0;
    while (true) {
        const ssize_t n = ::read(g_pipe[0], &b, 1);
        if (n == 1) return b;
        if (n < 0 && errno == EINTR) continue;
        return 0;
    }
}

void SignalPipe::wake() {
    const unsigned char b = 0;
    [[maybe_unused]] const ssize_t n = ::write(g_pipe[1], &b, 1);
}

}  // namespace fraud
