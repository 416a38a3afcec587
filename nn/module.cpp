#include "module.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <typeinfo>

#include <fmt/format.h>

#include "../graph/grad_mode.hpp"

namespace tg::nn {

namespace {

/// What summary() learns from each call of Module::operator() (one per thread).
struct CallRecord {
    const Module* module;
    Shape output_shape;
    int depth;
    std::vector<Shape> output_shapes{};  // set instead by a call with several tensors
};
struct SummaryRecorder {
    std::vector<CallRecord> calls;
    int depth = 0;
};
thread_local SummaryRecorder* recorder = nullptr;

}  // namespace

Tensor Module::forward(const Tensor&) {
    throw std::logic_error(fmt::format("{}: this module has no one-tensor forward(const Tensor&); call the forward "
                                       "it declares instead (a module that takes several inputs: call it with "
                                       "model({{a, b}})){}",
                                       type_name(), where({})));
}

Tensors Module::forward(const Tensors& inputs) {
    if (inputs.size() != 1)
        throw std::invalid_argument(fmt::format("{}: called with {} input tensors, but this module takes one; a module "
                                                "with several inputs overrides forward(const Tensors&){}",
                                                type_name(), inputs.size(), where({})));
    return {forward(inputs[0])};
}

bool Module::tracing_summary() { return recorder != nullptr; }

namespace {

/// The output shapes summary() shows for a call.
void note_outputs(CallRecord& call, const Tensor& y) { call.output_shape = y.defined() ? Shape(y.shape()) : Shape{}; }
void note_outputs(CallRecord& call, const Tensors& ys) {
    for (const Tensor& y : ys) call.output_shapes.push_back(y.defined() ? Shape(y.shape()) : Shape{});
}

/// run() (the module's forward) with the caller's location as the call site
/// (Note [error locations]) and, while summary() traces, the module and its
/// outputs noted in call order.
template <class Run>
auto call_module(const Module* module, const std::source_location& loc, Run run) {
    const CallSite site{loc, module, [](const void* m) { return static_cast<const Module*>(m)->type_name(); }};
    const CallSiteScope scope(site);
    if (!recorder) return run();
    const std::size_t slot = recorder->calls.size();
    recorder->calls.push_back({module, {}, recorder->depth});
    ++recorder->depth;
    try {
        auto out = run();
        --recorder->depth;
        note_outputs(recorder->calls[slot], out);
        return out;
    } catch (...) {
        --recorder->depth;
        throw;
    }
}

}  // namespace

Tensor Module::operator()(const Tensor& x, std::source_location loc) {
    return call_module(this, loc, [&] { return forward(x); });
}

Tensors Module::operator()(const Tensors& inputs, std::source_location loc) {
    return call_module(this, loc, [&] { return forward(inputs); });
}

std::string Module::type_name() const {
    const char* mangled = typeid(*this).name();
    int status = 0;
    char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
    std::string name = status == 0 && demangled ? demangled : mangled;
    std::free(demangled);
    // drop namespaces and template arguments' noise: "tg::nn::Linear" -> "Linear"
    const std::size_t angle = name.find('<');
    const std::size_t colon = name.rfind("::", angle == std::string::npos ? std::string::npos : angle);
    if (colon != std::string::npos) name = name.substr(colon + 2);
    return name;
}

void Module::check_new_name(const std::string& name, const char* what) const {
    if (name.empty() || name.find('.') != std::string::npos)
        throw std::invalid_argument(
            fmt::format("{}: {} name '{}' must be non-empty and contain no '.'", type_name(), what, name));
    auto taken = [&](const auto& list) {
        return std::any_of(list.begin(), list.end(), [&](const auto& p) { return p.first == name; });
    };
    if (taken(params_) || taken(buffers_) || taken(children_))
        throw std::invalid_argument(fmt::format("{}: the name '{}' is already registered", type_name(), name));
}

Tensor Module::register_parameter(const std::string& name, Tensor t, bool requires_grad) {
    check_new_name(name, "parameter");
    if (!t.defined()) throw std::invalid_argument(fmt::format("{}: parameter '{}' is undefined", type_name(), name));
    if (!t.is_leaf())
        throw std::invalid_argument(fmt::format("{}: parameter '{}' must be a leaf tensor (it was produced by '{}'; "
                                                "detach() it first)",
                                                type_name(), name, t.op_name()));
    t.requires_grad_(requires_grad);
    params_.emplace_back(name, t);
    return t;
}

Tensor Module::register_buffer(const std::string& name, Tensor t) {
    check_new_name(name, "buffer");
    if (!t.defined()) throw std::invalid_argument(fmt::format("{}: buffer '{}' is undefined", type_name(), name));
    buffers_.emplace_back(name, t);
    return t;
}

void Module::add_child(const std::string& name, ModulePtr module) {
    check_new_name(name, "submodule");
    if (!module) throw std::invalid_argument(fmt::format("{}: submodule '{}' is null", type_name(), name));
    if (module.get() == this) throw std::invalid_argument(fmt::format("{}: a module cannot contain itself", type_name()));
    module->train(training_);
    children_.emplace_back(name, std::move(module));
}

void Module::collect(const std::string& prefix, bool recurse, bool buffers, NamedTensors& out,
                     std::vector<const void*>& seen) const {
    for (const auto& [name, t] : buffers ? buffers_ : params_) {
        const void* id = t.impl();
        if (std::find(seen.begin(), seen.end(), id) != seen.end()) continue;
        seen.push_back(id);
        out.emplace_back(prefix + name, t);
    }
    if (!recurse) return;
    for (const auto& [name, child] : children_) child->collect(prefix + name + ".", true, buffers, out, seen);
}

NamedTensors Module::named_parameters(bool recurse) const {
    NamedTensors out;
    std::vector<const void*> seen;
    collect("", recurse, false, out, seen);
    return out;
}

NamedTensors Module::named_buffers(bool recurse) const {
    NamedTensors out;
    std::vector<const void*> seen;
    collect("", recurse, true, out, seen);
    return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
    std::vector<Tensor> out;
    for (auto& [name, t] : named_parameters(recurse)) out.push_back(t);
    return out;
}

NamedTensors Module::state_dict() const {
    NamedTensors out = named_parameters();
    NamedTensors b = named_buffers();
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

void Module::check_state_dict(const NamedTensors& state, bool strict, const std::string& source,
                              const std::vector<std::string>& source_dtypes) const {
    if (!source_dtypes.empty() && source_dtypes.size() != state.size())
        throw std::invalid_argument(fmt::format("check_state_dict: {} source dtypes for {} entries",
                                                source_dtypes.size(), state.size()));
    const std::string who = source.empty() ? type_name() + ": load_state_dict" : source;
    const bool from_file = !source.empty();
    std::map<std::string, std::size_t> given;  // name -> index in state
    for (std::size_t i = 0; i < state.size(); ++i) given[state[i].first] = i;  // the last of a repeated name, as the copy
    std::vector<std::string> missing, unexpected;
    std::set<std::string> known;
    const NamedTensors mine = state_dict();
    for (const auto& [name, t] : mine) {
        known.insert(name);
        if (!given.count(name)) missing.push_back(name);
    }
    for (const auto& [name, t] : state)
        if (!known.count(name)) unexpected.push_back(name);
    if (strict && (!missing.empty() || !unexpected.empty()))
        throw std::invalid_argument(fmt::format("{}: {}missing [{}], unexpected [{}]", who,
                                                from_file ? "the file does not match the model: " : "",
                                                fmt::join(missing, ", "), fmt::join(unexpected, ", ")));
    for (const auto& [name, t] : mine) {
        auto it = given.find(name);
        if (it == given.end()) continue;
        const Tensor& src = state[it->second].second;
        if (src.shape() != t.shape())
            throw ShapeError(fmt::format("{}: '{}' has shape {} {} but {} {}", who, name, shape_str(src.shape()),
                                         from_file ? "in the file" : "in the state", shape_str(t.shape()),
                                         from_file ? "in the model" : "in the module"));
        if (src.dtype() != t.dtype())
            throw DTypeError(fmt::format(
                "{}: '{}' is {} {} but {} in the {} (convert the model with to(){})", who, name,
                source_dtypes.empty() ? dtype_name(src.dtype()) : source_dtypes[it->second],
                from_file ? "in the file" : "in the state", dtype_name(t.dtype()), from_file ? "model" : "module",
                from_file ? ", or save it again" : ""));
    }
}

void Module::load_state_dict(const NamedTensors& state, bool strict) {
    // Check everything before changing anything, so a failed load leaves the module intact.
    check_state_dict(state, strict);
    std::map<std::string, const Tensor*> given;
    for (const auto& [name, t] : state) given[name] = &t;
    NoGradGuard no_grad;
    for (auto& [name, t] : state_dict()) {
        auto it = given.find(name);
        if (it != given.end()) Tensor(t).copy_(*it->second);
    }
}

std::vector<ModulePtr> Module::children() const {
    std::vector<ModulePtr> out;
    for (const auto& [name, c] : children_) out.push_back(c);
    return out;
}

std::vector<std::pair<std::string, Module*>> Module::named_modules() {
    std::vector<std::pair<std::string, Module*>> out;
    std::vector<std::pair<std::string, Module*>> stack{{"", this}};
    while (!stack.empty()) {
        auto [name, m] = stack.back();
        stack.pop_back();
        out.emplace_back(name, m);
        for (auto it = m->children_.rbegin(); it != m->children_.rend(); ++it)
            stack.emplace_back(name.empty() ? it->first : name + "." + it->first, it->second.get());
    }
    return out;
}

ModulePtr Module::child(const std::string& name) const {
    const std::size_t dot = name.find('.');
    const std::string head = name.substr(0, dot);
    for (const auto& [n, c] : children_)
        if (n == head) return dot == std::string::npos ? c : c->child(name.substr(dot + 1));
    return nullptr;
}

std::size_t Module::parameter_count(bool trainable_only) const {
    std::size_t n = 0;
    for (const auto& [name, t] : named_parameters())
        if (!trainable_only || t.requires_grad()) n += t.size();
    return n;
}

void Module::train(bool on) {
    training_ = on;
    for (auto& [name, c] : children_) c->train(on);
}

void Module::zero_grad() {
    for (auto& t : parameters()) t.zero_grad();
}

void Module::to(DType dtype) {
    // Swap the values behind each handle (Note [module parameters are shared handles]).
    NoGradGuard no_grad;
    if (!is_floating(dtype))
        throw DTypeError(fmt::format("Module::to: converts to float32 or float64, not {}", dtype_name(dtype)));
    for (auto& [name, t] : state_dict()) {
        // int64 and bool buffers (BatchNorm's num_batches_tracked) keep their dtype, as in PyTorch
        if (t.dtype() == dtype || !is_floating(t.dtype())) continue;
        t.set_data(t.to(dtype));
    }
}

// ---- printing ------------------------------------------------------------------

namespace {

void describe(const Module& m, int indent, std::ostringstream& os) {
    os << m.type_name() << "(";
    const auto children = m.named_children();
    const std::string extra = m.extra_repr();
    if (children.empty()) {
        os << extra << ")";
        return;
    }
    os << "\n";
    const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
    if (!extra.empty()) os << pad << extra << "\n";
    for (const auto& [name, c] : children) {
        os << pad << "(" << name << "): ";
        describe(*c, indent + 2, os);
        os << "\n";
    }
    os << std::string(static_cast<std::size_t>(indent), ' ') << ")";
}

std::string shape_text(const Shape& s) { return shape_str(s); }

std::string group(std::size_t n) {
    // 12345678 -> "12,345,678" (as Keras prints counts)
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

}  // namespace

std::string to_string(const Module& module) {
    std::ostringstream os;
    describe(module, 0, os);
    return os.str();
}

std::ostream& operator<<(std::ostream& os, const Module& module) { return os << to_string(module); }

namespace {

std::string joined_shapes(const std::vector<Shape>& shapes) {
    std::string out;
    for (const Shape& s : shapes) out += (out.empty() ? "" : ", ") + shape_text(s);
    return out;
}

/// The table of summary_string: `run` makes the forward pass (on zeros of the
/// input shapes) and returns the model's output shapes.
std::string summary_table(Module& model, const std::string& input_text,
                          const std::function<std::vector<Shape>()>& run) {
    std::map<const Module*, std::string> names;
    for (auto& [name, m] : model.named_modules()) names[m] = name;

    SummaryRecorder rec;
    const bool was_training = model.is_training();
    std::vector<Shape> out_shapes;
    {
        NoGradGuard no_grad;
        model.eval();
        SummaryRecorder* previous = recorder;
        recorder = &rec;
        try {
            out_shapes = run();
        } catch (...) {
            recorder = previous;
            model.train(was_training);
            throw;
        }
        recorder = previous;
        model.train(was_training);
    }

    struct Row {
        std::string layer, shape, params;
    };
    std::vector<Row> rows;
    for (const CallRecord& c : rec.calls) {
        if (c.module == &model) continue;
        auto it = names.find(c.module);
        const std::string name = it != names.end() ? it->second : "?";
        const std::string indent(static_cast<std::size_t>(std::max(0, c.depth - 1) * 2), ' ');
        const std::string shape = c.output_shapes.empty() ? shape_text(c.output_shape) : joined_shapes(c.output_shapes);
        rows.push_back({indent + name + " (" + c.module->type_name() + ")", shape, group(c.module->parameter_count())});
    }
    if (rows.empty())  // a leaf model: one row for itself
        rows.push_back({model.type_name(), joined_shapes(out_shapes), group(model.parameter_count())});

    std::size_t w0 = 12, w1 = 12, w2 = 7;
    for (const Row& r : rows) {
        w0 = std::max(w0, r.layer.size());
        w1 = std::max(w1, r.shape.size());
        w2 = std::max(w2, r.params.size());
    }
    const std::size_t width = w0 + w1 + w2 + 4;
    std::string out = fmt::format("Model: {}   input {}\n", model.type_name(), input_text);
    out += std::string(width, '=') + "\n";
    out += fmt::format("{:<{}}  {:<{}}  {:>{}}\n", "Layer (type)", w0, "Output shape", w1, "Param #", w2);
    out += std::string(width, '=') + "\n";
    for (const Row& r : rows) out += fmt::format("{:<{}}  {:<{}}  {:>{}}\n", r.layer, w0, r.shape, w1, r.params, w2);
    out += std::string(width, '=') + "\n";
    const std::size_t total = model.parameter_count(), trainable = model.parameter_count(true);
    out += fmt::format("Total params: {}\nTrainable params: {}\nNon-trainable params: {}\n", group(total),
                       group(trainable), group(total - trainable));
    return out;
}

}  // namespace

std::string summary_string(Module& model, const Shape& input_shape, DType dtype) {
    return summary_table(model, shape_str(input_shape), [&] {
        return std::vector<Shape>{model(zeros(input_shape, {dtype})).shape()};
    });
}

std::string summary_string(Module& model, const std::vector<Shape>& input_shapes, DType dtype) {
    if (input_shapes.empty())
        throw std::invalid_argument(fmt::format("summary: {} needs at least one input shape", model.type_name()));
    return summary_table(model, joined_shapes(input_shapes), [&] {
        Tensors inputs;
        for (const Shape& s : input_shapes) inputs.push_back(zeros(s, {dtype}));
        std::vector<Shape> shapes;
        for (const Tensor& y : model(inputs)) shapes.push_back(y.defined() ? y.shape() : Shape{});
        return shapes;
    });
}

void summary(Module& model, const Shape& input_shape, std::ostream& out) { out << summary_string(model, input_shape); }
void summary(Module& model, const Shape& input_shape) { summary(model, input_shape, std::cout); }
void summary(Module& model, const std::vector<Shape>& input_shapes, std::ostream& out) {
    out << summary_string(model, input_shapes);
}
void summary(Module& model, const std::vector<Shape>& input_shapes) { summary(model, input_shapes, std::cout); }

std::vector<std::pair<std::string, Generator*>> Module::named_generators() {
    std::vector<std::pair<std::string, Generator*>> out;
    for (auto& [name, m] : named_modules())
        if (Generator* g = m->own_generator()) out.emplace_back(name, g);
    return out;
}

}  // namespace tg::nn
