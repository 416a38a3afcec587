#pragma once
/// @defgroup elementwise Elementwise arithmetic
/// Numpy broadcasting everywhere: the gradient reaching a broadcast input is
/// summed back to that input's shape by the engine. Operands must share a dtype
/// (DTypeError otherwise); scalars take the tensor's dtype.
/// @{
#include <source_location>

#include "../graph/broadcast.hpp"
#include "../graph/tensor.hpp"

namespace tg {

// add(a, b) is declared in graph/broadcast.hpp:   out = a + b;  da = g, db = g

/// out = a - b;  da = g, db = -g
Tensor sub(const Tensor& a, const Tensor& b, std::source_location loc = std::source_location::current());
/// out = a * b;  da = g * b, db = g * a
Tensor mul(const Tensor& a, const Tensor& b, std::source_location loc = std::source_location::current());
/// out = a / b;  da = g / b, db = -g * a / b^2
Tensor div(const Tensor& a, const Tensor& b, std::source_location loc = std::source_location::current());
/// out = -x;  dx = -g
Tensor neg(const Tensor& x);
/// out = x + s (s a number);  dx = g
Tensor add(const Tensor& x, double s);
/// out = x * s;  dx = g * s
Tensor mul(const Tensor& x, double s);
/// out = s - x;  dx = -g   (rsub)
Tensor rsub(double s, const Tensor& x);
/// out = s / x;  dx = -g * s / x^2   (rdiv)
Tensor rdiv(double s, const Tensor& x);
/// out = x^p (p a number);  dx = g * p * x^(p-1)
Tensor pow(const Tensor& x, double p);
/// out = a^b elementwise;  da = g * b * a^(b-1), db = g * out * log(a) (a > 0 where db is needed)
Tensor pow(const Tensor& a, const Tensor& b, std::source_location loc = std::source_location::current());
/// out = x^2;  dx = 2 g x
Tensor square(const Tensor& x);
/// out = e^x;  dx = g * out
Tensor exp(const Tensor& x);
/// out = ln x;  dx = g / x
Tensor log(const Tensor& x);
/// out = sqrt x;  dx = g / (2 out)
Tensor sqrt(const Tensor& x);
/// out = |x|;  dx = g * sign(x) (0 at 0)
Tensor abs(const Tensor& x);
/// out = min(max(x, lo), hi);  dx = g where lo < x < hi... inclusive of the edges (as PyTorch), else 0
Tensor clamp(const Tensor& x, double lo, double hi);
/// out = max(a, b);  the gradient goes to the larger (split evenly on ties)
Tensor maximum(const Tensor& a, const Tensor& b, std::source_location loc = std::source_location::current());
/// out = min(a, b);  the gradient goes to the smaller (split evenly on ties)
Tensor minimum(const Tensor& a, const Tensor& b, std::source_location loc = std::source_location::current());
/// out = mask ? a : b;  da = g * mask, db = g * !mask (the mask is not differentiated).
/// mask is bool (as the comparisons return), or of a's float dtype with nonzero
/// meaning true; it broadcasts with a and b.
Tensor where(const Tensor& mask, const Tensor& a, const Tensor& b,
             std::source_location loc = std::source_location::current());

/// Comparisons: bool masks (as PyTorch). The operands share a dtype, any of them
/// (float, int64, bool); a number is compared after conversion to a float
/// operand's dtype, and in double with an int64 operand. Never recorded (no
/// gradient); multiply by a mask with mask.to(x.dtype()).
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, double b);
Tensor ne(const Tensor& a, double b);
Tensor lt(const Tensor& a, double b);
Tensor le(const Tensor& a, double b);
Tensor gt(const Tensor& a, double b);
Tensor ge(const Tensor& a, double b);

/// The right operand of a tensor-tensor operator, with the location of the
/// expression: converting a Tensor to it evaluates the defaulted
/// source_location::current() where the user wrote `a + b`, so that a shape or
/// dtype error names that line (Note [error locations] in graph/error.hpp).
/// Only the tensor-tensor operators take it: the number forms cannot mismatch.
struct TensorAt {
    const Tensor& tensor;
    std::source_location loc;
    TensorAt(const Tensor& t, std::source_location l = std::source_location::current()) : tensor(t), loc(l) {}
};

// Operators on tensors and numbers.
inline Tensor operator+(const Tensor& a, TensorAt b) { return add(a, b.tensor, b.loc); }
inline Tensor operator-(const Tensor& a, TensorAt b) { return sub(a, b.tensor, b.loc); }
inline Tensor operator*(const Tensor& a, TensorAt b) { return mul(a, b.tensor, b.loc); }
inline Tensor operator/(const Tensor& a, TensorAt b) { return div(a, b.tensor, b.loc); }
inline Tensor operator-(const Tensor& x) { return neg(x); }
inline Tensor operator+(const Tensor& a, double s) { return add(a, s); }
inline Tensor operator+(double s, const Tensor& a) { return add(a, s); }
inline Tensor operator-(const Tensor& a, double s) { return add(a, -s); }
inline Tensor operator-(double s, const Tensor& a) { return rsub(s, a); }
inline Tensor operator*(const Tensor& a, double s) { return mul(a, s); }
inline Tensor operator*(double s, const Tensor& a) { return mul(a, s); }
inline Tensor operator/(const Tensor& a, double s) { return mul(a, 1.0 / s); }
inline Tensor operator/(double s, const Tensor& a) { return rdiv(s, a); }
inline Tensor& operator+=(Tensor& a, TensorAt b) { return a = add(a, b.tensor, b.loc); }
inline Tensor& operator-=(Tensor& a, TensorAt b) { return a = sub(a, b.tensor, b.loc); }
inline Tensor& operator*=(Tensor& a, TensorAt b) { return a = mul(a, b.tensor, b.loc); }
inline Tensor& operator/=(Tensor& a, TensorAt b) { return a = div(a, b.tensor, b.loc); }

}  // namespace tg
/// @}
