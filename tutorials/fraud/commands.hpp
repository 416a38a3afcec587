#pragma once
// The subcommands of tapegrad-fraud (see cli.cpp for their flags). Each returns
// the process exit code: 0 success, 1 error, 130 interrupted; usage errors are
// thrown as UsageError.
#include "cli.hpp"

namespace fraud {

int cmd_generate(const Args& args);
int cmd_train(const Args& args);
int cmd_evaluate(const Args& args);
int cmd_score(const Args& args);
int cmd_demo(const Args& args);
/// The scoring service and its load generator (serve.cpp, loadtest.cpp); in a build
/// without cpp-httplib they fail with a message saying how to get them.
int cmd_serve(const Args& args);
int cmd_loadtest(const Args& args);

/// Exit code of a run stopped by Ctrl-C.
inline constexpr int exit_interrupted = 130;

}  // namespace fraud
