#pragma once
// Broadcasting, shared by every elementwise op and by the engine.
#include <source_location>

#include "tensor.hpp"

namespace tg {

/// Numpy broadcast of two shapes; throws ShapeError naming op when they do not broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

/// Sum t down to shape (the gradient of a broadcast). Differentiable.
Tensor sum_to(const Tensor& t, const Shape& shape);
/// Repeat t up to shape by numpy broadcasting (copying). Differentiable.
Tensor broadcast_to(const Tensor& t, const Shape& shape);

/// a + b with broadcasting. The engine accumulates gradients with it; ops/ exposes it as add.
/// Errors name loc (Note [error locations] in error.hpp).
Tensor add(const Tensor& a, const Tensor& b, std::source_location loc = std::source_location::current());

}  // namespace tg
