#pragma once
// tapegrad: one header for users. It does not pull in xtensor, so programs
// that include it compile quickly; see README ("Compile times"). The xtensor
// bridge, graph/xtensor.hpp, is opt-in for that reason: include it yourself.
#include "graph/dtype.hpp"
#include "graph/engine.hpp"
#include "graph/error.hpp"
#include "graph/explain.hpp"
#include "graph/format.hpp"
#include "graph/grad_mode.hpp"
#include "graph/gradcheck.hpp"
#include "graph/hooks.hpp"
#include "graph/random.hpp"
#include "graph/tensor.hpp"
#include "ops/custom.hpp"
#include "ops/ops.hpp"
#include "nn/nn.hpp"
