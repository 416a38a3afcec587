#pragma once
// The user-facing tensor handle.
//
// A Tensor is a cheap, reference-counted handle to an n-dimensional array of
// float (default), double, int64 or bool (see dtype.hpp), stored contiguously in
// row-major order, plus the
// autograd state: whether it requires a gradient, the gradient it has
// accumulated (leaves only), and the node that produced it (non-leaves).
// Copying a Tensor copies the handle, not the data, as in PyTorch.
//
// This header deliberately does not include xtensor, so that user programs
// compile fast. The storage lives in tensor_impl.hpp, included only by the
// library's own .cpp files (and by internal code built with tapegrad_internal_dep).
// To use a tensor's values with xtensor, include the opt-in graph/xtensor.hpp.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <source_location>
#include <span>
#include <string>
#include <vector>

#include "dtype.hpp"
#include "error.hpp"
#include "shape_view.hpp"

namespace tg {

struct TensorImpl;
class Node;
class Generator;

/// How a new tensor is made: its dtype and whether it is a leaf that records gradients.
struct TensorOptions {
    DType dtype = DType::f32;
    bool requires_grad = false;
};

/// Options of Tensor::backward.
struct BackwardOptions {
    bool retain_graph = false;  ///< keep the graph so backward can run through it again
    bool create_graph = false;  ///< record the backward pass itself (higher-order gradients)
};

/// Throws std::invalid_argument: "<op>: tensor is undefined (default-constructed)".
[[noreturn]] void throw_undefined_tensor(const char* op);

class Tensor {
public:
    Tensor() = default;  ///< an undefined tensor (like an empty torch::Tensor)
    explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

    bool defined() const { return impl_ != nullptr; }
    DType dtype() const;
    /// The sizes, as a view into the tensor's storage (no copy): see ShapeView
    /// for how long it stays valid. `Shape s = t.shape();` keeps a copy.
    ShapeView shape() const;
    std::size_t dim() const;            ///< rank
    std::size_t size() const;           ///< number of elements
    std::size_t size(int axis) const;   ///< extent of one axis; negative counts from the end

    // ---- values -------------------------------------------------------
    /// The single value of a one-element tensor, as a double (an int64 beyond
    /// 2^53 is rounded: read it with to_vector<std::int64_t>()).
    double item() const;
    double at(std::initializer_list<std::size_t> index) const;
    void set(std::initializer_list<std::size_t> index, double value);
    /// Contiguous row-major storage. T must match dtype() (else DTypeError).
    /// The mutable overload counts as an in-place write (it bumps version(), see
    /// Note [version counter] in node.hpp): read through a const Tensor
    /// (`std::as_const(t).data<float>()`) when you only read.
    template <class T> T* data();
    template <class T> const T* data() const;
    /// The values as a span over the tensor's own storage (no copy), row-major;
    /// the storage is always contiguous. T must match dtype() (else DTypeError).
    /// Valid while the tensor lives and its storage is not replaced (set_data).
    template <class T> std::span<const T> span() const;
    /// Writable span. Like the mutable data<T>(), asking for it counts as an
    /// in-place write: it bumps version(), so a backward that saved this tensor
    /// refuses to run on changed values (Note [version counter]). Write into a
    /// tensor that requires grad only under NoGradGuard, as with fill_ and copy_.
    template <class T> std::span<T> mutable_span();
    /// Copy all values, row-major, into out, converted to T with the rules of
    /// to_vector<T>(). out.size() must equal size() (ShapeError naming both).
    template <class T> void copy_to(std::span<T> out) const;
    std::vector<double> to_vector() const;  ///< all values, row-major, as double
    /// All values, row-major, converted to T (float, double, std::int64_t or bool)
    /// with the rules of to(): a NaN, infinite or out-of-range float asked for as
    /// int64 is a DTypeError, never an unspecified integer.
    template <class T> std::vector<T> to_vector() const;

    // ---- autograd -----------------------------------------------------
    bool requires_grad() const;  ///< a leaf that records, or the result of a recorded op
    /// Mark a leaf as recording gradients (like torch's requires_grad_). Throws on
    /// non-leaves, and on int64 and bool tensors (DTypeError: they have no gradient).
    Tensor& requires_grad_(bool on = true);
    bool is_leaf() const;
    /// Accumulated gradient of a leaf (undefined until a backward reaches it).
    Tensor grad() const;
    void set_grad(const Tensor& g);
    /// Forget the accumulated gradient (the next backward starts from nothing).
    void zero_grad();
    /// Reverse-mode pass from this tensor. Without a seed the tensor must hold one element.
    void backward(const Tensor& seed = {}, BackwardOptions options = {}) const;
    /// The same values in a new leaf, cut from the graph (never requires grad).
    /// Unlike PyTorch it copies: the values live inside each tensor's own
    /// TensorImpl (one allocation per tensor, no separately counted storage), so
    /// two handles with different autograd state cannot share them. Writing into
    /// the result never changes this tensor (and does not bump its version()).
    Tensor detach() const;
    /// A copy of the values in new storage; differentiable.
    Tensor clone() const;
    /// Convert to another dtype. Between float32 and float64 it is differentiable
    /// (the gradient is converted back); to int64 or bool the result is a constant
    /// that does not require grad. Float to int64 truncates toward zero, as
    /// PyTorch, and refuses NaN, infinities and values outside int64's range
    /// (DTypeError naming the first one); anything to bool is `value != 0`.
    Tensor to(DType dtype) const;
    /// Name of the op that produced this tensor ("leaf" for leaves).
    const char* op_name() const;

    // ---- in-place updates (not recorded; for optimisers and initialisers) ----
    // They refuse to touch a tensor that requires grad while grad mode is on,
    // as PyTorch does: wrap them in NoGradGuard.
    Tensor& fill_(double value);
    Tensor& copy_(const Tensor& src);                   ///< same shape and dtype
    Tensor& add_(const Tensor& other, double alpha = 1);  ///< this += alpha * other
    Tensor& mul_(double factor);
    /// Replace the values, dtype included, by src's (PyTorch's `t.data = src`):
    /// every handle to this tensor sees them. Same shape required (ShapeError);
    /// the accumulated gradient is dropped (it has the old dtype). Used by
    /// Module::to(dtype). Counts as an in-place write.
    Tensor& set_data(const Tensor& src);
    /// How many in-place writes this tensor's values have had (PyTorch's
    /// `_version`); backward checks it on the tensors it saved (Note [version counter]).
    std::uint32_t version() const;

    // ---- internals, for ops and the engine ------------------------------
    TensorImpl* impl() const { return impl_.get(); }
    const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
    const std::shared_ptr<Node>& grad_fn() const;
    bool same(const Tensor& other) const { return impl_ == other.impl_; }

private:
    // inline: called by every accessor and op
    void check_defined(const char* what) const {
        if (!impl_) throw_undefined_tensor(what);
    }
    std::shared_ptr<TensorImpl> impl_;
};

// ---- creation -------------------------------------------------------------
Tensor zeros(const Shape& shape, TensorOptions options = {});
Tensor ones(const Shape& shape, TensorOptions options = {});
Tensor full(const Shape& shape, double value, TensorOptions options = {});
Tensor zeros_like(const Tensor& t, TensorOptions options);
Tensor zeros_like(const Tensor& t);  ///< same shape and dtype, no grad
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
/// A rank-0 tensor holding one value.
Tensor scalar(double value, TensorOptions options = {});
/// Values written as nested braces: a number, or a list of nested values.
/// `{{2}, {4}}` is a 2 x 1 matrix: inner braces are always a list.
class NestedList {
public:
    NestedList(double value) : value_(value) {}
    NestedList(std::initializer_list<NestedList> items) : is_list_(true), items_(items) {}
    bool is_list() const { return is_list_; }
    double value() const { return value_; }
    const std::vector<NestedList>& items() const { return items_; }

private:
    bool is_list_ = false;
    double value_ = 0;
    std::vector<NestedList> items_;
};

/// From nested initialiser lists of any depth: tensor({1, 2}), tensor({{1, 2}, {3, 4}}).
/// Rows must be rectangular (ShapeError otherwise).
Tensor tensor(const NestedList& values, TensorOptions options = {});
/// From a flat row-major vector and a shape (sizes must agree).
Tensor from_vector(const std::vector<double>& values, const Shape& shape, TensorOptions options = {});
Tensor from_vector(const std::vector<float>& values, const Shape& shape, TensorOptions options = {});
/// Integer data (labels, indices): int64 unless options say otherwise.
Tensor from_vector(const std::vector<std::int64_t>& values, const Shape& shape,
                   TensorOptions options = {DType::i64});
/// Masks: bool unless options say otherwise.
Tensor from_vector(const std::vector<bool>& values, const Shape& shape, TensorOptions options = {DType::boolean});
/// A tensor of the given shape holding a copy of values (row-major), converted
/// to options.dtype (by default the span's own element type). It copies, like
/// torch.tensor and unlike torch.from_blob: a tensor's storage is its own
/// (README.md, "Data in and out"). values.size() must equal the product of shape
/// (ShapeError naming both).
Tensor from_span(std::span<const float> values, const Shape& shape, TensorOptions options = {DType::f32});
Tensor from_span(std::span<const double> values, const Shape& shape, TensorOptions options = {DType::f64});
Tensor from_span(std::span<const std::int64_t> values, const Shape& shape, TensorOptions options = {DType::i64});
Tensor from_span(std::span<const bool> values, const Shape& shape, TensorOptions options = {DType::boolean});
/// start, start+step, ... up to (excluding) stop.
Tensor arange(double start, double stop, double step = 1, TensorOptions options = {});
/// count evenly spaced values from start to stop inclusive.
Tensor linspace(double start, double stop, std::size_t count, TensorOptions options = {});
/// Identity matrix n x n.
Tensor eye(std::size_t n, TensorOptions options = {});
/// Uniform on [low, high), drawn from gen (or the global generator, see manual_seed).
Tensor uniform(const Shape& shape, double low = 0, double high = 1, TensorOptions options = {},
               Generator* gen = nullptr);
/// Normal with given mean and standard deviation.
Tensor normal(const Shape& shape, double mean = 0, double stddev = 1, TensorOptions options = {},
              Generator* gen = nullptr);
inline Tensor rand(const Shape& shape, TensorOptions options = {}, Generator* gen = nullptr) {
    return uniform(shape, 0, 1, options, gen);
}
inline Tensor randn(const Shape& shape, TensorOptions options = {}, Generator* gen = nullptr) {
    return normal(shape, 0, 1, options, gen);
}

/// Throws DTypeError naming op when a and b hold different element types
/// (float and double never mix silently: convert with .to(dtype)).
void check_same_dtype(const char* op, const Tensor& a, const Tensor& b,
                      const std::source_location& loc = {});
/// Throws std::invalid_argument naming op when t is undefined.
inline void check_defined(const char* op, const Tensor& t) {
    if (!t.defined()) throw_undefined_tensor(op);
}
/// Throws DTypeError: "<op>: needs a float32 or float64 tensor, got int64 (shape) ...".
[[noreturn]] void throw_not_float(const char* op, const Tensor& t, const std::source_location& loc = {});
/// check_defined, and a DTypeError naming op when t holds int64 or bool: every
/// op that computes (arithmetic, reductions, anything differentiable) starts
/// with it, so such a tensor never reaches a float kernel.
inline void check_float(const char* op, const Tensor& t, const std::source_location& loc = {}) {
    if (!t.defined()) throw_undefined_tensor(op);
    if (!is_floating(t.dtype())) throw_not_float(op, t, loc);
}

/// Human-readable form: "tensor(shape=(2, 2), dtype=float32, [[1, 2], [3, 4]])".
/// Large tensors are abbreviated with "..." (first and last 3 along each axis).
std::string to_string(const Tensor& t);

}  // namespace tg
