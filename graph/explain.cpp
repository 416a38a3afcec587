#include "explain.hpp"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "engine.hpp"
#include "node.hpp"
#include "tensor_impl.hpp"

namespace tg {

namespace {

std::string short_values(const Tensor& t) {
    if (!t.defined()) return "-";
    const auto v = t.to_vector();
    if (v.size() == 1) return fmt::format("{:.9g}", v[0]);
    if (v.size() <= 6) return fmt::format("[{:.6g}]", fmt::join(v, ", "));
    return fmt::format("{} values, first {:.6g}", v.size(), v[0]);
}

}  // namespace

Trace explain(const Tensor& root, const std::vector<std::pair<std::string, Tensor>>& names, const Tensor& seed) {
    check_defined("explain", root);
    // Collect every tensor reachable from root through recorded nodes.
    std::vector<Tensor> tensors;
    std::unordered_map<const TensorImpl*, std::size_t> index;
    std::vector<Tensor> stack{root};
    while (!stack.empty()) {
        Tensor t = stack.back();
        stack.pop_back();
        if (index.count(t.impl())) continue;
        index.emplace(t.impl(), tensors.size());
        tensors.push_back(t);
        if (const auto& fn = t.grad_fn())
            for (std::size_t i = 0; i < fn->inputs().size(); ++i)
                if (fn->inputs()[i].defined()) stack.push_back(fn->inputs()[i]);
    }
    // creation order: leaves first (by discovery), then nodes by sequence number
    std::stable_sort(tensors.begin(), tensors.end(), [](const Tensor& a, const Tensor& b) {
        const bool la = !a.grad_fn(), lb = !b.grad_fn();
        if (la != lb) return la;
        if (la) return false;
        return a.grad_fn()->sequence() < b.grad_fn()->sequence();
    });
    index.clear();
    for (std::size_t k = 0; k < tensors.size(); ++k) index.emplace(tensors[k].impl(), k);

    std::vector<Tensor> differentiable;
    for (const Tensor& t : tensors)
        if (t.requires_grad()) differentiable.push_back(t);
    std::vector<Tensor> grads;
    if (root.requires_grad())
        grads = grad({root}, differentiable, {seed}, {.retain_graph = true, .allow_unused = true});

    Trace trace;
    std::size_t next_grad = 0;
    for (std::size_t k = 0; k < tensors.size(); ++k) {
        const Tensor& t = tensors[k];
        TraceEntry e;
        e.label = fmt::format("t{}", k);
        for (const auto& [name, named] : names)
            if (named.impl() == t.impl()) e.label = name;
        e.op = t.grad_fn() ? t.grad_fn()->name() : (t.requires_grad() ? "leaf" : "constant");
        if (const auto& fn = t.grad_fn())
            for (std::size_t i = 0; i < fn->inputs().size(); ++i)
                if (fn->inputs()[i].defined()) e.inputs.push_back(index.at(fn->inputs()[i].impl()));
        e.value = t.detach();
        if (t.requires_grad() && next_grad < grads.size()) e.grad = grads[next_grad++];
        trace.entries.push_back(std::move(e));
    }
    return trace;
}

std::string Trace::str() const {
    std::string s;
    for (const TraceEntry& e : entries) {
        std::vector<std::string> in;
        for (std::size_t i : e.inputs) in.push_back(entries[i].label);
        const std::string lhs = e.inputs.empty() ? fmt::format("{} ({})", e.label, e.op)
                                                 : fmt::format("{} = {}({})", e.label, e.op, fmt::join(in, ", "));
        fmt::format_to(std::back_inserter(s), "{:<34} value {:<24} d(out)/d({}) = {}\n", lhs, short_values(e.value),
                       e.label, short_values(e.grad));
    }
    return s;
}

std::string Trace::dot() const {
    std::string s = "digraph tapegrad {\n  rankdir=LR;\n  node [fontname=\"monospace\", fontsize=10];\n";
    for (std::size_t k = 0; k < entries.size(); ++k) {
        const TraceEntry& e = entries[k];
        const char* shape = e.inputs.empty() ? "ellipse" : "box";
        fmt::format_to(std::back_inserter(s), "  n{} [shape={}, label=\"{}\\n{}\\nvalue {}\\ngrad {}\"];\n", k, shape,
                       e.label, e.op, short_values(e.value), short_values(e.grad));
        for (std::size_t i : e.inputs) fmt::format_to(std::back_inserter(s), "  n{} -> n{};\n", i, k);
    }
    s += "}\n";
    return s;
}

}  // namespace tg
