#pragma once
// Collectives on tensors over all ranks. Every rank must make the same calls in
// the same order with tensors of the same shape and dtype (float32 or float64).
#include <tapegrad/graph/tensor.hpp>

namespace tg::dist {

enum class ReduceOp { sum, mean, max, min };

/// Replace t's values, on every rank, by their reduction over all ranks (in place).
void all_reduce(Tensor& t, ReduceOp op = ReduceOp::sum);
/// Copy root's values of t into t on every rank (in place).
void broadcast(Tensor& t, int root = 0);
/// Sum (or other op) of a number over all ranks, returned on every rank.
double all_reduce(double value, ReduceOp op = ReduceOp::sum);
/// Wait until every rank has reached this call.
void barrier();

}  // namespace tg::dist
