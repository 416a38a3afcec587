#pragma once
// Signals turned into reads (the self-pipe trick): the handler only write(2)s
// the signal's number to a pipe, which is async-signal-safe whatever thread the
// signal lands on (OpenBLAS's and the HTTP threads included); one thread of the
// program reads them and does the real work (reload, shutdown).
#include <initializer_list>

namespace fraud {

class SignalPipe {
public:
    /// Install handlers for these signals (one SignalPipe at a time per process).
    /// Throws std::runtime_error when the pipe cannot be made.
    explicit SignalPipe(std::initializer_list<int> signals);
    ~SignalPipe();  ///< restores the default handlers
    SignalPipe(const SignalPipe&) = delete;
    SignalPipe& operator=(const SignalPipe&) = delete;

    /// Block until a signal arrives and return its number; 0 after wake().
    int wait();
    /// Make wait() return 0 (from another thread), e.g. when the server stopped on its own.
    void wake();

private:
    int signals_[8] = {};
    int count_ = 0;
};

}  // namespace fraud
