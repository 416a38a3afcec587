#include "engine.hpp"
#include "node.hpp"

#include <atomic>
#include <cmath>

#include <fmt/format.h>

#include "broadcast.hpp"
#include "tensor_impl.hpp"

namespace tg {

namespace {
std::atomic<std::uint64_t> next_sequence{0};
std::atomic<std::size_t> live_nodes{0};

bool all_finite(const Tensor& t) {
    return dispatch(t.dtype(), [&](auto z) {
        using T = decltype(z);
        const auto& a = values<T>(t);
        for (T v : a)
            if (!std::isfinite(v)) return false;
        return true;
    });
}
}  // namespace

namespace {
std::uint32_t version_of(const Tensor& t) { return t.impl() ? t.impl()->version : 0; }
}  // namespace

InputList::InputList(std::initializer_list<Tensor> inputs)
    : InputList(std::span<const Tensor>(inputs.begin(), inputs.size())) {}

InputList::InputList(const std::vector<Tensor>& inputs) : InputList(std::span<const Tensor>(inputs)) {}

InputList::InputList(std::span<const Tensor> inputs) : size_(inputs.size()) {
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (i < kInline) {
            small_[i] = inputs[i];
            small_versions_[i] = version_of(inputs[i]);
        } else {
            big_.push_back(inputs[i]);
            big_versions_.push_back(version_of(inputs[i]));
        }
    }
}

void InputList::clear() {
    for (Tensor& t : small_) t = Tensor();
    big_.clear();
    big_versions_.clear();
    size_ = 0;
}

Node::Node(const char* name, InputList&& inputs)
    : name_(name), sequence_(next_sequence.fetch_add(1, std::memory_order_relaxed)), inputs_(std::move(inputs)) {
    live_nodes.fetch_add(1, std::memory_order_relaxed);
}

// Destroying the last handle to a long chain would recurse once per node
// (impl -> node -> input impl -> node ...). Instead, a node about to be the
// last owner of an input's producer hands that producer to a per-thread list,
// and the outermost destructor empties the list in a loop.
namespace {
struct Drain {
    std::vector<std::shared_ptr<Node>> pending;
    bool draining = false;
};
thread_local Drain drain;  // general-dynamic: see Note [caching allocator] on dlopen
}  // namespace

Node::~Node() {
    auto& [pending, draining] = drain;
    for (std::size_t i = 0; i < inputs_.size(); ++i) {
        Tensor& in = inputs_[i];
        if (in.impl() && in.impl_ptr().use_count() == 1 && in.impl()->grad_fn)
            pending.push_back(std::move(in.impl()->grad_fn));
    }
    inputs_.clear();
    live_nodes.fetch_sub(1, std::memory_order_relaxed);
    if (draining) return;
    draining = true;
    while (!pending.empty()) {
        std::shared_ptr<Node> next = std::move(pending.back());
        pending.pop_back();
        next.reset();
    }
    draining = false;
}

void Node::release() {
    released_ = true;
    inputs_.clear();
}

namespace {
// Note [version counter]
[[noreturn]] void throw_modified(const Node& node, const std::string& which, std::uint32_t now,
                                 std::uint32_t expected) {
    throw GraphError(fmt::format("backward: a tensor saved by '{}' for backward ({}) was modified in place (version "
                                 "{}, expected {}); an in-place update between forward and backward (an optimiser "
                                 "step, mul_, copy_, data<T>()) changes the values its gradient depends on: run the "
                                 "forward pass again after the update, or update a clone()",
                                 node.name(), which, now, expected));
}
}  // namespace

const Tensor& BackwardContext::input(std::size_t i) const {
    const Tensor& t = node_.inputs()[i];
    if (t.impl() && t.impl()->version != node_.inputs().version(i))
        throw_modified(node_, fmt::format("its input {}, shape {}", i, shape_str(t.shape())), t.impl()->version,
                       node_.inputs().version(i));
    return t;
}

Tensor BackwardContext::out() const {
    Tensor o = node_.output();
    if (!o.defined())
        throw GraphError(fmt::format("{}: backward needs the op's output, which no longer exists", node_.name()));
    if (o.impl()->version != node_.output_version())
        throw_modified(node_, fmt::format("its output, shape {}", shape_str(o.shape())), o.impl()->version,
                       node_.output_version());
    return o;
}

void BackwardContext::add(std::size_t i, const Tensor& g) {
    if (!g.defined()) return;
    Tensor& slot = grads_[i];
    slot = slot.defined() ? tg::add(slot, g) : g;
}

bool should_record(const std::vector<Tensor>& inputs) {
    if (!GradMode::enabled()) return false;
    for (const Tensor& t : inputs)
        if (t.requires_grad()) return true;
    return false;
}

namespace {
thread_local const char* running_rule = nullptr;  // the node whose backward rule is running
}

BackwardScope::BackwardScope(const char* op) : previous_(running_rule) { running_rule = op; }
BackwardScope::~BackwardScope() { running_rule = previous_; }

void check_anomaly_now(const char* op, const Tensor& t, const char* phase) {
    if (!AnomalyMode::enabled() || !t.defined()) return;
    if (all_finite(t)) return;
    if (running_rule)  // an op inside a backward rule: blame the rule
        throw AnomalyError(fmt::format("anomaly: backward of '{}' produced NaN or Inf (in its '{}', shape {})",
                                       running_rule, op, shape_str(t.shape())));
    throw AnomalyError(fmt::format("anomaly: {} of '{}' produced NaN or Inf (shape {})", phase, op,
                                   shape_str(t.shape())));
}

Tensor attach(Node* node, const std::shared_ptr<Node>& owner, Tensor out) {
    check_anomaly(node->name(), out, "forward");
    node->output_ = out.impl_ptr();
    node->output_version_ = out.impl()->version;
    out.impl()->grad_fn = owner;
    return out;
}

std::size_t live_node_count() { return live_nodes.load(std::memory_order_relaxed); }

}  // namespace tg
