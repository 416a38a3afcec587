#pragma once
// Nodes of the recorded graph, and record(), which every differentiable op calls.
//
// Note [tape ownership]
// ---------------------
// There is no global tape object. Each recorded op creates one Node, stamped with
// a sequence number that grows with creation, so creation order is a topological
// order. The output tensor owns its node (TensorImpl::grad_fn) and the node owns
// its inputs (strong Tensor handles), which own their nodes in turn: the tape is
// the set of nodes reachable from live tensors, and a graph that nobody refers to
// frees itself. backward() visits the reachable nodes by decreasing sequence
// number with a heap, without recursion, so a node runs only after every
// consumer of its output has added its share of the gradient (InputBuffer in
// PyTorch's engine). Unless retain_graph is set, each node drops its inputs and
// saved values once its rule has run; a second backward through it throws.
// Long chains (an RNN over 10,000 steps) are destroyed iteratively (~Node).
//
// Note [output without a cycle]
// -----------------------------
// A rule often wants the op's own output (exp, tanh, sigmoid). A node holding its
// output strongly would form a cycle output -> node -> output. It holds a weak
// reference instead: during backward the output is always alive, because the
// root is held by the caller and every other node's output is an input of a
// later node still in the graph.
//
// Note [version counter]
// ----------------------
// A backward rule reads the values of the op's inputs (ctx.input) and output
// (ctx.out) as they are at backward time. An in-place write in between (under
// NoGradGuard: an optimiser step, x.mul_(5)) would silently give a wrong
// gradient. So every tensor counts its in-place writes (TensorImpl::version,
// bumped by fill_ copy_ add_ mul_ set set_data and the mutable data<T>()), a
// node stores its inputs' and its output's counts when it is recorded, and
// ctx.input(i) / ctx.out() throw a GraphError when the count has moved, as
// PyTorch does for saved tensors. Only what a rule actually reads is checked:
// an input whose values the rule never asks for may change freely (add's
// inputs). Cost: one load and store per input at record time, one compare
// per read at backward time. Tensors a rule captures by value (where's mask,
// relu_backward's x) are not checked.
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <optional>
#include <vector>

#include "allocator.hpp"
#include "grad_mode.hpp"
#include "tensor.hpp"

namespace tg {

class BackwardContext;

/// Inputs of a node: up to three inline (linear's x, w, b), more on the heap.
class InputList {
public:
    InputList() = default;
    InputList(std::initializer_list<Tensor> inputs);
    explicit InputList(const std::vector<Tensor>& inputs);
    std::size_t size() const { return size_; }
    const Tensor& operator[](std::size_t i) const { return i < kInline ? small_[i] : big_[i - kInline]; }
    Tensor& operator[](std::size_t i) { return i < kInline ? small_[i] : big_[i - kInline]; }
    /// Input i's version() when the list was made (0 for an undefined input).
    std::uint32_t version(std::size_t i) const { return i < kInline ? small_versions_[i] : big_versions_[i - kInline]; }
    void clear();

private:
    static constexpr std::size_t kInline = 3;
    Tensor small_[kInline];
    std::uint32_t small_versions_[kInline] = {};
    std::vector<Tensor> big_;
    std::vector<std::uint32_t> big_versions_;
    std::size_t size_ = 0;

    explicit InputList(std::span<const Tensor> inputs);  // both public constructors
};

class Node {
public:
    Node(const char* name, InputList&& inputs);
    virtual ~Node();
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    const char* name() const { return name_; }
    std::uint64_t sequence() const { return sequence_; }
    const InputList& inputs() const { return inputs_; }
    bool released() const { return released_; }
    /// The tensor this node produced, if it is still alive (Note [output without a cycle]).
    Tensor output() const { return Tensor(output_.lock()); }
    /// The output's version() when the node was recorded (Note [version counter]).
    std::uint32_t output_version() const { return output_version_; }

    /// Run the backward rule: read ctx.grad_out(), add input gradients with ctx.add().
    virtual void apply(BackwardContext& ctx) = 0;
    /// Drop inputs and saved values (after a backward without retain_graph).
    virtual void release();

private:
    friend class Engine;
    friend Tensor attach(Node* node, const std::shared_ptr<Node>& owner, Tensor out);
    const char* name_;
    std::uint64_t sequence_;
    InputList inputs_;
    std::weak_ptr<TensorImpl> output_;
    std::uint32_t output_version_ = 0;  // Note [version counter]
    bool released_ = false;
    // per backward pass (Engine only)
    Tensor pending_;
    bool queued_ = false;
};

/// What a backward rule sees.
class BackwardContext {
public:
    BackwardContext(const Node& node, const Tensor& grad_out, std::vector<Tensor>& grads)
        : node_(node), grad_out_(grad_out), grads_(grads) {}
    /// Gradient of the loss with respect to this op's output.
    const Tensor& grad_out() const { return grad_out_; }
    /// Input i, checked against in-place writes since the forward (Note [version counter]).
    const Tensor& input(std::size_t i) const;
    /// Input i's shape, for a rule that does not read its values (not checked: shapes never change in place).
    Shape input_shape(std::size_t i) const { return node_.inputs()[i].shape(); }
    /// Does input i need a gradient? Rules skip work for inputs that don't.
    bool needs(std::size_t i) const { return node_.inputs()[i].requires_grad(); }
    /// The op's output (recorded, so rules may use it under create_graph).
    Tensor out() const;
    /// Add to the gradient of input i. A gradient shaped like a broadcast of the
    /// input is summed back to the input's shape by the engine.
    void add(std::size_t i, const Tensor& g);

private:
    const Node& node_;
    const Tensor& grad_out_;
    std::vector<Tensor>& grads_;
};

template <class Rule>
class RuleNode final : public Node {
public:
    RuleNode(const char* name, InputList&& inputs, Rule rule) : Node(name, std::move(inputs)), rule_(std::move(rule)) {}
    void apply(BackwardContext& ctx) override { (*rule_)(ctx); }
    void release() override {
        Node::release();
        rule_.reset();
    }

private:
    std::optional<Rule> rule_;
};

/// True when an op with these inputs must be recorded.
inline bool should_record(std::initializer_list<Tensor> inputs) {
    if (!GradMode::enabled()) return false;
    for (const Tensor& t : inputs)
        if (t.requires_grad()) return true;
    return false;
}
bool should_record(const std::vector<Tensor>& inputs);

/// Link out to node: out.grad_fn = node, node.output = out. Checks anomalies.
Tensor attach(Node* node, const std::shared_ptr<Node>& owner, Tensor out);
/// Marks the backward rule of `op` as running, so anomalies inside it are blamed on it.
class BackwardScope {
public:
    explicit BackwardScope(const char* op);
    ~BackwardScope();
    BackwardScope(const BackwardScope&) = delete;
    BackwardScope& operator=(const BackwardScope&) = delete;

private:
    const char* previous_;
};

/// NaN/Inf check of an op's result when anomaly mode is on.
void check_anomaly_now(const char* op, const Tensor& t, const char* phase);
inline void check_anomaly(const char* op, const Tensor& t, const char* phase) {
    if (AnomalyMode::enabled()) check_anomaly_now(op, t, phase);
}

/// A new node for a rule, from the caching allocator (Note [caching allocator]).
template <class Rule, class R>
std::shared_ptr<Node> make_node(const char* name, InputList&& inputs, R&& rule) {
    return std::allocate_shared<RuleNode<Rule>>(memory::CachingAllocator<RuleNode<Rule>>(), name, std::move(inputs),
                                                std::forward<R>(rule));
}

/// Record an op: `out` was computed from `inputs`; `rule(ctx)` adds the input
/// gradients. Records nothing (and drops the rule) when no input needs a gradient
/// or grad mode is off. Capture what the rule needs by value, as Tensors or
/// concrete values, never as lazy xtensor expressions.
template <class Inputs, class Rule>
Tensor record_from(const char* name, const Inputs& inputs, Tensor out, Rule&& rule) {
    if (!should_record(inputs)) {
        check_anomaly(name, out, "forward");
        return out;
    }
    auto node = make_node<std::decay_t<Rule>>(name, InputList(inputs), std::forward<Rule>(rule));
    Node* raw = node.get();
    return attach(raw, std::move(node), std::move(out));
}

template <class Rule>
Tensor record(const char* name, std::initializer_list<Tensor> inputs, Tensor out, Rule&& rule) {
    return record_from(name, inputs, std::move(out), std::forward<Rule>(rule));
}

template <class Rule>
Tensor record(const char* name, const std::vector<Tensor>& inputs, Tensor out, Rule&& rule) {
    return record_from(name, inputs, std::move(out), std::forward<Rule>(rule));
}


}  // namespace tg
