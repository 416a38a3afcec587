#include "tensor.hpp"

#include <cmath>
#include <type_traits>

#include <fmt/format.h>

#include "kernels.hpp"
#include "node.hpp"
#include "numel.hpp"
#include "random.hpp"
#include "tensor_impl.hpp"

namespace tg {

// ---- checks ------------------------------------------------------------------

void check_same_dtype(const char* op, const Tensor& a, const Tensor& b, const std::source_location& loc) {
    check_defined(op, a);
    check_defined(op, b);
    if (a.impl()->dtype() != b.impl()->dtype())
        throw_dtype_error(op, fmt::format("operands have different dtypes, {} {} and {} {}; convert one with "
                                          ".to(tg::DType::{})",
                                          dtype_name(a.dtype()), shape_str(a.shape()), dtype_name(b.dtype()),
                                          shape_str(b.shape()), dtype_enum_name(a.dtype())),
                          loc);
}

void throw_not_float(const char* op, const Tensor& t, const std::source_location& loc) {
    throw_dtype_error(op, fmt::format("needs a float32 or float64 tensor, got {} {} (int64 and bool tensors hold "
                                      "labels, indices and masks; convert with .to(tg::DType::f32) to compute with them)",
                                      dtype_name(t.dtype()), shape_str(t.shape())),
                      loc);
}

void throw_float_kernel_dtype(DType d) {
    throw DTypeError(fmt::format("a float32/float64 kernel was given a {} tensor (the op should have refused it "
                                 "with check_float)",
                                 dtype_name(d)));
}

namespace {

/// One value converted to T as Tensor::to does (see tensor.hpp): a float that has
/// no int64 value (NaN, infinite, out of range) is refused rather than cast, which
/// would be undefined behaviour.
template <class T, class S>
T convert_value(S v, const char* op, std::size_t index) {
    if constexpr (std::is_same_v<T, bool>) {
        return v != S(0);
    } else if constexpr (std::is_same_v<T, std::int64_t> && std::is_floating_point_v<S>) {
        // [-2^63, 2^63): both bounds are exact doubles; truncation toward zero as PyTorch
        if (!(v >= -0x1p63 && v < 0x1p63))
            throw DTypeError(fmt::format("{}: value {} at flat position {} has no int64 value (NaN, infinite or "
                                         "outside [-2^63, 2^63))",
                                         op, static_cast<double>(v), index));
        return static_cast<std::int64_t>(v);
    } else {
        return static_cast<T>(v);
    }
}

}  // namespace

void throw_undefined_tensor(const char* op) {
    throw std::invalid_argument(fmt::format("{}: tensor is undefined (default-constructed)", op));
}

// ---- shape and values ------------------------------------------------------

DType Tensor::dtype() const {
    check_defined("dtype");
    return impl_->dtype();
}

ShapeView Tensor::shape() const {
    check_defined("shape");
    const auto& s = impl_->shape();  // an xt::svector: contiguous, lives in the array
    return ShapeView(s.data(), s.size());
}

std::size_t Tensor::dim() const {
    check_defined("dim");
    return impl_->shape().size();
}

std::size_t Tensor::size() const {
    check_defined("size");
    return impl_->size();
}

std::size_t Tensor::size(int axis) const {
    check_defined("size");
    const auto& s = impl_->shape();
    const int rank = static_cast<int>(s.size());
    const int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank)
        throw ShapeError(fmt::format("size: axis {} is out of range for a tensor of shape {}", axis, shape_str(s)));
    return s[static_cast<std::size_t>(a)];
}

namespace {

std::size_t flat_index(const TensorImpl& impl, std::initializer_list<std::size_t> index, const char* op) {
    const auto& s = impl.shape();
    if (index.size() != s.size())
        throw ShapeError(fmt::format("{}: {} indices given for a tensor of rank {} (shape {})", op, index.size(),
                                     s.size(), shape_str(s)));
    std::size_t flat = 0, k = 0;
    for (std::size_t i : index) {
        if (i >= s[k])
            throw ShapeError(fmt::format("{}: index {} is out of range for axis {} of size {} (shape {})", op, i, k,
                                         s[k], shape_str(s)));
        flat = flat * s[k] + i;
        ++k;
    }
    return flat;
}

void check_inplace(const Tensor& t, const char* op) {
    check_defined(op, t);
    if (GradMode::enabled() && t.requires_grad())
        throw GraphError(fmt::format("{}: in-place update of a tensor that requires grad would bypass autograd; "
                                     "do it inside a tg::NoGradGuard scope",
                                     op));
}

}  // namespace

double Tensor::item() const {
    check_defined("item");
    if (size() != 1)
        throw ShapeError(fmt::format("item: tensor of shape {} has {} elements; item() needs exactly one",
                                     shape_str(shape()), size()));
    return dispatch_all(dtype(), [&](auto z) { return static_cast<double>(*values<decltype(z)>(*this).data()); });
}

double Tensor::at(std::initializer_list<std::size_t> index) const {
    check_defined("at");
    const std::size_t i = flat_index(*impl_, index, "at");
    return dispatch_all(dtype(), [&](auto z) { return static_cast<double>(values<decltype(z)>(*this).data()[i]); });
}

void Tensor::set(std::initializer_list<std::size_t> index, double value) {
    check_inplace(*this, "set");
    const std::size_t i = flat_index(*impl_, index, "set");
    dispatch_all(dtype(), [&](auto z) {
        using T = decltype(z);
        values_mut<T>(*this).data()[i] = convert_value<T>(value, "set", 0);
    });
    ++impl_->version;
}

namespace {
template <class T>
T* checked_data(TensorImpl* impl, const char* op = "data") {
    if (impl->dtype() != dtype_of<T>())
        throw DTypeError(fmt::format("{0}: tensor holds {1} but {0}<{2}>() was asked for", op,
                                     dtype_name(impl->dtype()), dtype_name(dtype_of<T>())));
    return impl->get<T>().data();
}
}  // namespace

template <class T>
T* Tensor::data() {
    check_defined("data");
    T* p = checked_data<T>(impl_.get());
    ++impl_->version;  // the caller may write (Note [version counter])
    return p;
}

template <class T>
const T* Tensor::data() const {
    check_defined("data");
    return checked_data<T>(impl_.get());
}

template float* Tensor::data<float>();
template double* Tensor::data<double>();
template std::int64_t* Tensor::data<std::int64_t>();
template bool* Tensor::data<bool>();
template const float* Tensor::data<float>() const;
template const double* Tensor::data<double>() const;
template const std::int64_t* Tensor::data<std::int64_t>() const;
template const bool* Tensor::data<bool>() const;

template <class T>
std::span<const T> Tensor::span() const {
    check_defined("span");
    return {checked_data<T>(impl_.get(), "span"), impl_->size()};
}

template <class T>
std::span<T> Tensor::mutable_span() {
    check_defined("mutable_span");
    T* p = checked_data<T>(impl_.get(), "mutable_span");
    ++impl_->version;  // the caller may write (Note [version counter])
    return {p, impl_->size()};
}

template std::span<const float> Tensor::span<float>() const;
template std::span<const double> Tensor::span<double>() const;
template std::span<const std::int64_t> Tensor::span<std::int64_t>() const;
template std::span<const bool> Tensor::span<bool>() const;
template std::span<float> Tensor::mutable_span<float>();
template std::span<double> Tensor::mutable_span<double>();
template std::span<std::int64_t> Tensor::mutable_span<std::int64_t>();
template std::span<bool> Tensor::mutable_span<bool>();

template <class T>
void Tensor::copy_to(std::span<T> out) const {
    check_defined("copy_to");
    if (out.size() != impl_->size())
        throw ShapeError(fmt::format("copy_to: the destination holds {} values but the tensor of shape {} has {}",
                                     out.size(), shape_str(shape()), impl_->size()));
    dispatch_all(dtype(), [&](auto z) {
        const auto* p = values<decltype(z)>(*this).data();
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = convert_value<T>(p[i], "copy_to", i);
    });
}

template void Tensor::copy_to<float>(std::span<float>) const;
template void Tensor::copy_to<double>(std::span<double>) const;
template void Tensor::copy_to<std::int64_t>(std::span<std::int64_t>) const;
template void Tensor::copy_to<bool>(std::span<bool>) const;

std::vector<double> Tensor::to_vector() const { return to_vector<double>(); }

template <class T>
std::vector<T> Tensor::to_vector() const {
    check_defined("to_vector");
    return dispatch_all(dtype(), [&](auto z) {
        const auto& a = values<decltype(z)>(*this);
        std::vector<T> out(a.size());
        const auto* p = a.data();
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = convert_value<T>(p[i], "to_vector", i);
        return out;
    });
}

template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<std::int64_t> Tensor::to_vector<std::int64_t>() const;
template std::vector<bool> Tensor::to_vector<bool>() const;

// ---- autograd state ----------------------------------------------------------

bool Tensor::requires_grad() const { return impl_ && (impl_->requires_grad || impl_->grad_fn); }

Tensor& Tensor::requires_grad_(bool on) {
    check_defined("requires_grad_");
    if (impl_->grad_fn)
        throw GraphError(fmt::format("requires_grad_: only leaves can be marked; this tensor was produced by '{}' "
                                     "(use detach() to make a leaf)",
                                     impl_->grad_fn->name()));
    if (on && !is_floating(impl_->dtype()))
        throw DTypeError(fmt::format("requires_grad_: a {} tensor cannot require gradients (only float32 and float64 "
                                     "carry them); convert with .to(tg::DType::f32) first",
                                     dtype_name(impl_->dtype())));
    impl_->requires_grad = on;
    return *this;
}

bool Tensor::is_leaf() const { return impl_ && !impl_->grad_fn; }

Tensor Tensor::grad() const {
    check_defined("grad");
    return impl_->grad;
}

void Tensor::set_grad(const Tensor& g) {
    check_defined("set_grad");
    if (g.defined() && (g.shape() != shape() || g.dtype() != dtype()))
        throw ShapeError(fmt::format("set_grad: gradient {} {} does not match tensor {} {}", dtype_name(g.dtype()),
                                     shape_str(g.shape()), dtype_name(dtype()), shape_str(shape())));
    impl_->grad = g;
}

void Tensor::zero_grad() {
    check_defined("zero_grad");
    impl_->grad = Tensor();
}

const std::shared_ptr<Node>& Tensor::grad_fn() const {
    static const std::shared_ptr<Node> none;
    return impl_ ? impl_->grad_fn : none;
}

const char* Tensor::op_name() const { return impl_ && impl_->grad_fn ? impl_->grad_fn->name() : "leaf"; }

Tensor Tensor::detach() const {
    check_defined("detach");
    // Copies: the storage lives inside each TensorImpl, so it cannot be shared (see tensor.hpp).
    return dispatch_all(dtype(), [&](auto z) {
        using T = decltype(z);
        return make_tensor(Array<T>(values<T>(*this)));
    });
}

Tensor Tensor::clone() const {
    check_defined("clone");
    Tensor out = dispatch_all(dtype(), [&](auto z) {
        using T = decltype(z);
        return make_tensor(Array<T>(values<T>(*this)));
    });
    return record("clone", {*this}, out, [](BackwardContext& ctx) { ctx.add(0, ctx.grad_out()); });
}

Tensor Tensor::to(DType target) const {
    check_defined("to");
    if (target == dtype()) return *this;
    Tensor out = dispatch_all(target, [&](auto z) {
        using T = decltype(z);
        return dispatch_all(dtype(), [&](auto w) {
            using S = decltype(w);
            const Array<S>& src = values<S>(*this);
            Array<T> r = Array<T>::from_shape(src.shape());
            const S* ps = src.data();
            T* pr = r.data();
            for (std::size_t i = 0; i < src.size(); ++i) pr[i] = convert_value<T>(ps[i], "to", i);
            return make_tensor(std::move(r));
        });
    });
    const DType source = dtype();
    // int64 and bool results are constants; an int64 or bool source never requires grad
    if (!is_floating(target) || !is_floating(source)) return out;
    return record("to", {*this}, out, [source](BackwardContext& ctx) { ctx.add(0, ctx.grad_out().to(source)); });
}

// ---- in-place -----------------------------------------------------------------

Tensor& Tensor::fill_(double value) {
    check_inplace(*this, "fill_");
    dispatch_all(dtype(), [&](auto z) {
        using T = decltype(z);
        values_mut<T>(*this).fill(convert_value<T>(value, "fill_", 0));
    });
    ++impl_->version;
    return *this;
}

Tensor& Tensor::copy_(const Tensor& src) {
    check_inplace(*this, "copy_");
    check_same_dtype("copy_", *this, src);
    if (src.shape() != shape())
        throw ShapeError(fmt::format("copy_: source shape {} differs from destination shape {}", shape_str(src.shape()),
                                     shape_str(shape())));
    dispatch_all(dtype(), [&](auto z) {
        using T = decltype(z);
        const Array<T>& s = values<T>(src);
        std::copy(s.begin(), s.end(), values_mut<T>(*this).begin());
    });
    ++impl_->version;
    return *this;
}

Tensor& Tensor::add_(const Tensor& other, double alpha) {
    check_inplace(*this, "add_");
    check_float("add_", *this);
    check_same_dtype("add_", *this, other);
    if (other.shape() != shape())
        throw ShapeError(fmt::format("add_: shapes {} and {} differ (in-place add needs equal shapes)",
                                     shape_str(shape()), shape_str(other.shape())));
    dispatch(dtype(), [&](auto z) {
        using T = decltype(z);
        T* d = values_mut<T>(*this).data();
        const T* s = values<T>(other).data();
        const T a = static_cast<T>(alpha);
        const std::size_t n = size();
        for (std::size_t i = 0; i < n; ++i) d[i] += a * s[i];
    });
    ++impl_->version;
    return *this;
}

Tensor& Tensor::mul_(double factor) {
    check_inplace(*this, "mul_");
    check_float("mul_", *this);
    dispatch(dtype(), [&](auto z) {
        using T = decltype(z);
        T* d = values_mut<T>(*this).data();
        const T f = static_cast<T>(factor);
        const std::size_t n = size();
        for (std::size_t i = 0; i < n; ++i) d[i] *= f;
    });
    ++impl_->version;
    return *this;
}

Tensor& Tensor::set_data(const Tensor& src) {
    check_inplace(*this, "set_data");
    tg::check_defined("set_data", src);
    if (src.shape() != shape())
        throw ShapeError(fmt::format("set_data: new values {} {} must have the shape of the tensor, {} {}",
                                     dtype_name(src.dtype()), shape_str(src.shape()), dtype_name(dtype()),
                                     shape_str(shape())));
    if (!same(src)) impl_->values = src.impl()->values;
    impl_->grad = Tensor();
    ++impl_->version;
    return *this;
}

std::uint32_t Tensor::version() const {
    check_defined("version");
    return impl_->version;
}

// ---- creation -------------------------------------------------------------------

namespace {

/// Uninitialised storage for shape, its element count checked (Note [checked element counts]).
template <class T>
Array<T> empty_array(const Shape& shape, const char* op) {
    checked_numel(shape, op, sizeof(T));
    return Array<T>::from_shape(kernels::to_xshape(shape));
}

Tensor finish(Tensor t, const TensorOptions& options) {
    if (options.requires_grad) t.requires_grad_(true);
    return t;
}

/// Random values are floats: an int64 or bool dtype is refused up front.
void check_random_dtype(const char* op, const TensorOptions& options) {
    if (!is_floating(options.dtype))
        throw DTypeError(fmt::format("{}: draws float32 or float64 values, not {} (convert the result with .to())", op,
                                     dtype_name(options.dtype)));
}

Tensor filled(const char* op, const Shape& shape, double value, const TensorOptions& options) {
    return finish(dispatch_all(options.dtype,
                           [&](auto z) {
                               using T = decltype(z);
                               Array<T> a = empty_array<T>(shape, op);
                               a.fill(convert_value<T>(value, op, 0));
                               return make_tensor(std::move(a));
                           }),
                  options);
}

template <class Fill>
Tensor generated(const char* op, const Shape& shape, const TensorOptions& options, Fill fill) {
    return finish(dispatch_all(options.dtype,
                           [&](auto z) {
                               using T = decltype(z);
                               Array<T> a = empty_array<T>(shape, op);
                               T* p = a.data();
                               for (std::size_t i = 0; i < a.size(); ++i) p[i] = convert_value<T>(fill(i), op, i);
                               return make_tensor(std::move(a));
                           }),
                  options);
}

}  // namespace

Tensor zeros(const Shape& shape, TensorOptions options) { return filled("zeros", shape, 0.0, options); }
Tensor ones(const Shape& shape, TensorOptions options) { return filled("ones", shape, 1.0, options); }
Tensor full(const Shape& shape, double value, TensorOptions options) { return filled("full", shape, value, options); }
Tensor zeros_like(const Tensor& t, TensorOptions options) { return filled("zeros_like", t.shape(), 0.0, options); }
Tensor zeros_like(const Tensor& t) { return filled("zeros_like", t.shape(), 0.0, {t.dtype()}); }
Tensor ones_like(const Tensor& t) { return filled("ones_like", t.shape(), 1.0, {t.dtype()}); }
Tensor full_like(const Tensor& t, double value) { return filled("full_like", t.shape(), value, {t.dtype()}); }
Tensor scalar(double value, TensorOptions options) { return filled("scalar", {}, value, options); }

Tensor from_vector(const std::vector<double>& v, const Shape& shape, TensorOptions options) {
    const std::size_t n = checked_numel(shape, "from_vector");
    if (n != v.size())
        throw ShapeError(fmt::format("from_vector: {} values cannot fill shape {} ({} elements)", v.size(),
                                     shape_str(shape), n));
    return generated("from_vector", shape, options, [&](std::size_t i) { return v[i]; });
}

Tensor from_vector(const std::vector<float>& v, const Shape& shape, TensorOptions options) {
    const std::size_t n = checked_numel(shape, "from_vector");
    if (n != v.size())
        throw ShapeError(fmt::format("from_vector: {} values cannot fill shape {} ({} elements)", v.size(),
                                     shape_str(shape), n));
    return generated("from_vector", shape, options, [&](std::size_t i) { return v[i]; });
}

Tensor from_vector(const std::vector<std::int64_t>& v, const Shape& shape, TensorOptions options) {
    const std::size_t n = checked_numel(shape, "from_vector");
    if (n != v.size())
        throw ShapeError(fmt::format("from_vector: {} values cannot fill shape {} ({} elements)", v.size(),
                                     shape_str(shape), n));
    return generated("from_vector", shape, options, [&](std::size_t i) { return v[i]; });
}

Tensor from_vector(const std::vector<bool>& v, const Shape& shape, TensorOptions options) {
    const std::size_t n = checked_numel(shape, "from_vector");
    if (n != v.size())
        throw ShapeError(fmt::format("from_vector: {} values cannot fill shape {} ({} elements)", v.size(),
                                     shape_str(shape), n));
    return generated("from_vector", shape, options, [&](std::size_t i) { return static_cast<bool>(v[i]); });
}

namespace {
template <class T>
Tensor from_span_impl(std::span<const T> v, const Shape& shape, TensorOptions options) {
    const std::size_t n = checked_numel(shape, "from_span");
    if (n != v.size())
        throw ShapeError(fmt::format("from_span: {} values cannot fill shape {} ({} elements)", v.size(),
                                     shape_str(shape), n));
    return generated("from_span", shape, options, [&](std::size_t i) { return v[i]; });
}
}  // namespace

Tensor from_span(std::span<const float> v, const Shape& shape, TensorOptions options) {
    return from_span_impl(v, shape, options);
}
Tensor from_span(std::span<const double> v, const Shape& shape, TensorOptions options) {
    return from_span_impl(v, shape, options);
}
Tensor from_span(std::span<const std::int64_t> v, const Shape& shape, TensorOptions options) {
    return from_span_impl(v, shape, options);
}
Tensor from_span(std::span<const bool> v, const Shape& shape, TensorOptions options) {
    return from_span_impl(v, shape, options);
}

namespace {
// Flatten nested lists, checking that they are rectangular.
void flatten_into(const NestedList& l, std::vector<double>& out, Shape& shape, std::size_t depth, bool& shaped) {
    if (!l.is_list()) {
        if (shaped && depth != shape.size())
            throw ShapeError(fmt::format("tensor: ragged initialiser list: a number at depth {} where depth {} was "
                                         "expected",
                                         depth, shape.size()));
        shaped = true;
        out.push_back(l.value());
        return;
    }
    if (shape.size() <= depth && !shaped) shape.push_back(l.items().size());
    else if (depth >= shape.size() || shape[depth] != l.items().size())
        throw ShapeError(fmt::format("tensor: ragged initialiser list: a row of length {} where {} was expected",
                                     l.items().size(), depth < shape.size() ? shape[depth] : 0));
    if (l.items().empty()) shaped = true;
    for (const auto& inner : l.items()) flatten_into(inner, out, shape, depth + 1, shaped);
}
}  // namespace

Tensor tensor(const NestedList& values, TensorOptions options) {
    std::vector<double> flat;
    Shape shape;
    bool shaped = false;
    flatten_into(values, flat, shape, 0, shaped);
    return from_vector(flat, shape, options);
}

Tensor arange(double start, double stop, double step, TensorOptions options) {
    if (step == 0 || !std::isfinite(start) || !std::isfinite(stop) || !std::isfinite(step))
        throw std::invalid_argument(fmt::format("arange: need finite start, stop and a non-zero step; got {}, {}, {}",
                                                start, stop, step));
    const double count = std::ceil((stop - start) / step);
    // (a count beyond size_t saturates in the cast, and is then refused by the element count check)
    const std::size_t n = count > 0 ? (count < 0x1p64 ? static_cast<std::size_t>(count) : SIZE_MAX) : 0;
    return generated("arange", {n}, options, [&](std::size_t i) { return start + step * static_cast<double>(i); });
}

Tensor linspace(double start, double stop, std::size_t count, TensorOptions options) {
    const double step = count > 1 ? (stop - start) / static_cast<double>(count - 1) : 0.0;
    return generated("linspace", {count}, options, [&](std::size_t i) {
        return i + 1 == count && count > 1 ? stop : start + step * static_cast<double>(i);
    });
}

Tensor eye(std::size_t n, TensorOptions options) {
    return generated("eye", {n, n}, options, [&](std::size_t i) { return i / n == i % n ? 1.0 : 0.0; });
}

Tensor uniform(const Shape& shape, double low, double high, TensorOptions options, Generator* gen) {
    if (!(low <= high)) throw std::invalid_argument(fmt::format("uniform: low {} must not exceed high {}", low, high));
    check_random_dtype("uniform", options);
    Generator& g = gen ? *gen : global_generator();
    return generated("uniform", shape, options, [&](std::size_t) { return g.uniform(low, high); });
}

Tensor normal(const Shape& shape, double mean, double stddev, TensorOptions options, Generator* gen) {
    if (!(stddev >= 0)) throw std::invalid_argument(fmt::format("normal: stddev {} must be non-negative", stddev));
    check_random_dtype("normal", options);
    Generator& g = gen ? *gen : global_generator();
    return generated("normal", shape, options, [&](std::size_t) { return mean + stddev * g.normal(); });
}

// ---- printing -------------------------------------------------------------------

namespace {

constexpr std::size_t kEdge = 3;  // elements shown at each end of a long axis

template <class T>
void print_axis(std::string& s, const T* data, const Shape& shape, std::size_t axis, std::size_t offset,
                std::size_t stride_elems, bool abbreviate) {
    if (axis == shape.size()) {
        if constexpr (std::is_same_v<T, bool>) s += data[offset] ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::int64_t>) fmt::format_to(std::back_inserter(s), "{}", data[offset]);
        else fmt::format_to(std::back_inserter(s), "{:.6g}", static_cast<double>(data[offset]));
        return;
    }
    const std::size_t n = shape[axis];
    const std::size_t stride = stride_elems / (n == 0 ? 1 : n);
    s += '[';
    for (std::size_t i = 0; i < n; ++i) {
        if (abbreviate && n > 2 * kEdge && i == kEdge) {
            s += "..., ";
            i = n - kEdge - 1;
            continue;
        }
        print_axis(s, data, shape, axis + 1, offset + i * stride, stride, abbreviate);
        if (i + 1 < n) s += axis + 1 < shape.size() ? ",\n" + std::string(axis + 1, ' ') : ", ";
    }
    s += ']';
}

}  // namespace

std::string to_string(const Tensor& t) {
    if (!t.defined()) return "tensor(undefined)";
    std::string s = fmt::format("tensor(shape={}, dtype={}{}, ", shape_str(t.shape()), dtype_name(t.dtype()),
                                t.requires_grad() ? fmt::format(", grad_fn={}", t.is_leaf() ? "leaf" : t.op_name())
                                                  : "");
    if (t.requires_grad() && t.is_leaf()) s.replace(s.find("grad_fn=leaf"), 12, "requires_grad=true");
    dispatch_all(t.dtype(), [&](auto z) {
        using T = decltype(z);
        print_axis(s, values<T>(t).data(), t.shape(), 0, 0, t.size(), t.size() > 1000);
    });
    s += ')';
    return s;
}

}  // namespace tg
