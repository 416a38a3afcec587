#pragma once
// Look inside a recorded graph: every tensor that led to a result, with its
// value and the gradient of the result with respect to it. Handy for checking a
// chain-rule computation by hand (tutorial 8) or for drawing the graph.
#include <string>
#include <utility>
#include <vector>

#include "tensor.hpp"

namespace tg {

struct TraceEntry {
    std::string label;                 ///< the name given, or "t<k>"
    std::string op;                    ///< op that made it, or "leaf" / "constant"
    std::vector<std::size_t> inputs;   ///< indices of the entries it was computed from
    Tensor value;                      ///< its value (detached copy)
    Tensor grad;                       ///< d(root)/d(this), undefined when the root does not depend on it
};

struct Trace {
    std::vector<TraceEntry> entries;  ///< in creation order; the root is last
    /// One line per entry: label = op(inputs) -> value ; d root/d label = grad
    std::string str() const;
    /// Graphviz DOT source (render with `dot -Tpng trace.dot -o trace.png`).
    std::string dot() const;
};

/// Trace the graph that produced root (which must hold one element, or pass seed).
/// names label tensors of interest (e.g. {"w5", w5}); others are numbered.
/// The graph is kept (retain_graph), so root.backward() still works afterwards.
Trace explain(const Tensor& root, const std::vector<std::pair<std::string, Tensor>>& names = {},
              const Tensor& seed = {});

}  // namespace tg
