#pragma once
// Element counts that cannot overflow.
//
// Note [checked element counts]
// -----------------------------
// xtensor multiplies a shape's sizes in size_t and allocates what comes out, so a
// shape whose product wraps (zeros({1 << 32, 1 << 32}) is 2^64 = 0 elements)
// makes a tensor with too little storage, and a later read runs off its end.
// Every place that makes a shape from user numbers (creation functions,
// from_vector, reshape, broadcasting, conv and pool geometry, embedding) counts
// its elements with checked_numel first, which refuses a product that overflows
// or whose bytes exceed kMaxTensorBytes, so an allocation size never wraps either.
#include <cstddef>

#include "error.hpp"

namespace tg {

/// 2^48 bytes (256 TiB): the address space of x86-64 and AArch64 with 4-level
/// page tables. No tensor larger than this can be allocated anywhere.
inline constexpr std::size_t kMaxTensorBytes = std::size_t(1) << 48;

/// The number of elements of shape. Throws ShapeError naming op when the
/// product overflows or would take more than kMaxTensorBytes at element_bytes
/// per element (8, a double, unless given).
std::size_t checked_numel(const Shape& shape, const char* op, std::size_t element_bytes = sizeof(double));

}  // namespace tg
