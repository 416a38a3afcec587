#pragma once
// Every differentiable op. Each op's forward and backward rule sit together in
// its family's .cpp; ops/README.md lists them with their gradients.
#include "activation.hpp"
#include "affine.hpp"
#include "blas.hpp"
#include "elementwise.hpp"
#include "linalg.hpp"
#include "lstm_cell.hpp"
#include "math.hpp"
#include "reduce.hpp"
#include "shape.hpp"
#include "sort.hpp"
#include "statistics.hpp"
// conv, pooling, normalisation, embedding
#include "conv.hpp"
#include "embedding.hpp"
#include "norm.hpp"
#include "pool.hpp"
// attention
#include "attention.hpp"
