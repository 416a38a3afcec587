#pragma once
/// @defgroup nn Neural-network modules
/// The Module base class: parameters, buffers, submodules, train/eval mode.
///
/// Note [module parameters are shared handles]
/// --------------------------------------------
/// A layer keeps its parameters as tg::Tensor members (e.g. Linear::weight) and
/// registers the same handles with register_parameter. Both refer to one
/// TensorImpl, so an optimiser updating `parameters()` in place, or load() copying
/// values in, changes what forward() uses. Never assign a new tensor to a
/// registered member; update it in place (copy_, add_) under NoGradGuard.
/// Module::to(dtype) converts the storage behind the handles for the same reason.
/// @{
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <memory>
#include <source_location>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "../graph/tensor.hpp"

namespace tg {
class Generator;
}

namespace tg::nn {

/// Several tensors: a model's inputs or outputs, in order.
using Tensors = std::vector<Tensor>;

/// Ordered (name, tensor) pairs: parameters, buffers, a state dict.
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

class Module;
using ModulePtr = std::shared_ptr<Module>;

/// Base of every layer and model. Derive, register parameters and submodules in
/// the constructor, override forward:
///
///     struct Net : tg::nn::Module {
///         std::shared_ptr<tg::nn::Linear> fc1, fc2;
///         Net() {
///             fc1 = register_module("fc1", std::make_shared<tg::nn::Linear>(2, 8));
///             fc2 = register_module("fc2", std::make_shared<tg::nn::Linear>(8, 1));
///         }
///         tg::Tensor forward(const tg::Tensor& x) override { return (*fc2)(tg::relu((*fc1)(x))); }
///     };
///
/// A module with several inputs (or outputs) overrides `Tensors forward(const
/// Tensors&)` and is called as `model({a, b})`; fit, evaluate, predict and
/// summary call it when the data has several inputs. It may also declare other
/// forward overloads (a struct of several outputs); add `using Module::forward;`
/// to keep the ones it does not override visible. Containers such as Sequential
/// call the one-tensor forward.
/// Modules are not copyable (their parameters are shared handles); hold them by
/// std::shared_ptr, or by value where they stay in one place.
class Module {
public:
    Module() = default;
    virtual ~Module() = default;
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;
    Module(Module&&) = default;
    Module& operator=(Module&&) = default;

    /// The computation. The default throws: a module that only has other
    /// signatures cannot be used inside Sequential.
    virtual Tensor forward(const Tensor& x);
    /// The computation on several inputs, giving several outputs. The default
    /// runs the one-tensor forward on exactly one input, and throws
    /// std::invalid_argument for any other count.
    virtual Tensors forward(const Tensors& inputs);
    /// forward(x), plus the bookkeeping of summary(). Errors raised inside forward
    /// name loc, the caller's line (Note [error locations] in graph/error.hpp).
    Tensor operator()(const Tensor& x, std::source_location loc = std::source_location::current());
    /// forward(inputs), plus the bookkeeping of summary(): `model({a, b})`, errors
    /// named at the caller's line as above.
    /// (`model({a})` is the one-tensor call; write `model(Tensors{a})` for this one.)
    Tensors operator()(const Tensors& inputs, std::source_location loc = std::source_location::current());
    /// True while summary() traces a forward pass on this thread (containers then
    /// call every child on its own, so that each one's output is seen).
    static bool tracing_summary();

    /// Type name shown by summary() and to_string(): "Linear", "Sequential", or
    /// the demangled class name of a user module.
    virtual std::string type_name() const;
    /// Constructor arguments for to_string(), e.g. "in_features=2, out_features=3, bias=true".
    virtual std::string extra_repr() const { return {}; }

    // ---- registration (call from the constructor) ----------------------------
    /// Register a trainable tensor under `name` (no dots); marks it requires_grad.
    /// Returns the same handle. Throws std::invalid_argument on a bad or duplicate name
    /// or a tensor that is not a leaf.
    Tensor register_parameter(const std::string& name, Tensor t, bool requires_grad = true);
    /// Register a non-trainable tensor that belongs to the state (running statistics...).
    Tensor register_buffer(const std::string& name, Tensor t);
    /// Register a submodule; returns the typed pointer, so `fc = register_module("fc", make_shared<Linear>(2, 3))`.
    template <class M>
    std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
        add_child(name, module);
        return module;
    }

    // ---- inspection -----------------------------------------------------------
    /// All parameters, this module's first, then each child's in registration
    /// order; a tensor registered twice (weight tying) is listed once.
    std::vector<Tensor> parameters(bool recurse = true) const;
    /// (qualified name, parameter): "weight", "0.weight", "encoder.layers.1.bias" (PyTorch's names).
    NamedTensors named_parameters(bool recurse = true) const;
    NamedTensors named_buffers(bool recurse = true) const;
    /// Parameters and buffers: what save() writes and load() reads, with PyTorch's names.
    NamedTensors state_dict() const;
    /// Copy values into this module's parameters and buffers by name, after
    /// check_state_dict(state, strict): on error the module is left as it was.
    void load_state_dict(const NamedTensors& state, bool strict = true);
    /// Check a state dict against this module without changing anything.
    /// strict: every name of the module must be present and no other name
    /// (else std::invalid_argument listing the missing and unexpected names).
    /// Shapes and dtypes must match (ShapeError / DTypeError naming the entry).
    /// `source` names where the state comes from ("load 'model.safetensors'"), and
    /// `source_dtypes`, when given, each entry's dtype there (a file's "I64" read as
    /// float64), for the messages.
    void check_state_dict(const NamedTensors& state, bool strict, const std::string& source = {},
                          const std::vector<std::string>& source_dtypes = {}) const;
    /// Direct submodules in registration order.
    std::vector<std::pair<std::string, ModulePtr>> named_children() const { return children_; }
    std::vector<ModulePtr> children() const;
    /// This module and every descendant, depth first, with qualified names ("" for this one).
    std::vector<std::pair<std::string, Module*>> named_modules();
    /// A registered submodule by (possibly dotted) name; nullptr when absent.
    ModulePtr child(const std::string& name) const;
    /// Number of parameter elements (optionally only those that require grad).
    std::size_t parameter_count(bool trainable_only = false) const;

    // ---- state ------------------------------------------------------------------
    /// Switch this module and all descendants to training (true) or evaluation mode.
    virtual void train(bool on = true);
    void eval() { train(false); }
    bool is_training() const { return training_; }
    /// Forget the accumulated gradient of every parameter (they become undefined).
    void zero_grad();
    /// Convert every float parameter and buffer to dtype (float32 or float64) in
    /// place (the handles stay valid); int64 and bool buffers are left as they are.
    void to(DType dtype);
    /// The random generators modules draw from in forward (Dropout's masks), by
    /// qualified module name: what a training backup saves to continue exactly.
    std::vector<std::pair<std::string, Generator*>> named_generators();

protected:
    void add_child(const std::string& name, ModulePtr module);
    /// A module that draws random numbers in forward returns its generator.
    virtual Generator* own_generator() { return nullptr; }

private:
    void check_new_name(const std::string& name, const char* what) const;
    void collect(const std::string& prefix, bool recurse, bool buffers, NamedTensors& out,
                 std::vector<const void*>& seen) const;

    NamedTensors params_;
    NamedTensors buffers_;
    std::vector<std::pair<std::string, ModulePtr>> children_;
    bool training_ = true;
};

/// PyTorch-like description of a module tree:
///     Sequential(
///       (0): Linear(in_features=2, out_features=4, bias=true)
///       (1): Tanh()
///     )
std::string to_string(const Module& module);
std::ostream& operator<<(std::ostream& os, const Module& module);

/// Keras-like table of the layers a forward pass goes through: name (type),
/// output shape, parameter count; then total, trainable and non-trainable counts.
/// Runs model(zeros(input_shape)) under NoGradGuard in eval mode (the mode is
/// restored). input_shape includes the batch axis, e.g. {1, 784}.
std::string summary_string(Module& model, const Shape& input_shape, DType dtype = DType::f32);
/// The same for a model with several inputs: model({zeros(shape) for each shape}),
/// e.g. `summary_string(model, std::vector<Shape>{{1, 3}, {1, 4}})`. A row of a
/// layer with several outputs lists each output's shape.
std::string summary_string(Module& model, const std::vector<Shape>& input_shapes, DType dtype = DType::f32);
/// Print summary_string to out (std::cout by default).
void summary(Module& model, const Shape& input_shape, std::ostream& out);
void summary(Module& model, const Shape& input_shape);
void summary(Module& model, const std::vector<Shape>& input_shapes, std::ostream& out);
void summary(Module& model, const std::vector<Shape>& input_shapes);

}  // namespace tg::nn
/// @}
