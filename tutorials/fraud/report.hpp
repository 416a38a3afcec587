#pragma once
// The default run of tapegrad-fraud (the README's main command): data,
// training with progress, the model comparison, scoring a held-out stream, and
// a short report with the top alerts.
#include <cstdint>
#include <string>

namespace fraud {

struct DemoOptions {
    std::string dir = "fraud-data";     ///< data, models and outputs
    std::uint64_t train_rows = 200000;
    std::uint64_t test_rows = 100000;
    std::uint64_t stream_rows = 1000000;
    std::uint64_t seed = 1;             ///< training data; test uses seed+1, the stream seed+2
    int epochs = 30;
};

/// Run the demo, printing as it goes. Returns the exit code (130 when interrupted).
int run_demo(const DemoOptions& options);

}  // namespace fraud
