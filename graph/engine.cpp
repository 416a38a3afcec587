// The reverse pass. See Note [tape ownership] in node.hpp.
#include "engine.hpp"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "broadcast.hpp"
#include "hooks.hpp"
#include "node.hpp"
#include "tensor_impl.hpp"

namespace tg {

class Engine {
public:
    Engine(bool retain_graph, bool create_graph) : retain_(retain_graph), create_graph_(create_graph) {}
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;
    // After an exception mid-pass, leave no node half-way (queued, or holding a gradient).
    ~Engine() {
        if (!finished_) hooks_detail::drop_backward_callbacks();
        for (Task& t : heap_) {
            Node* n = t.out.grad_fn().get();
            n->pending_ = Tensor();
            n->queued_ = false;
        }
    }

    /// Capture gradients for these tensors instead of accumulating into leaves' .grad().
    void capture(const std::vector<Tensor>& targets) {
        capturing_ = true;
        results_.resize(targets.size());
        for (std::size_t k = 0; k < targets.size(); ++k) {
            if (!targets[k].requires_grad())
                throw GraphError(fmt::format("grad: input {} does not require grad", k));
            if (targets[k].grad_fn()) node_targets_.emplace(targets[k].grad_fn().get(), k);
            else leaf_targets_.emplace(targets[k].impl(), k);
        }
    }

    void run(const std::vector<Tensor>& roots, const std::vector<Tensor>& seeds) {
        GradModeGuard mode(create_graph_);
        heap_.reserve(64);
        if (!capturing_ && hooks_detail::any_grad_ready_hooks()) count_hooked_leaf_uses(roots);
        for (std::size_t r = 0; r < roots.size(); ++r) {
            seed(roots[r], seed_for(roots, seeds, r), r);
            if (tracking_ && !roots[r].grad_fn()) leaf_use_done(roots[r]);
        }
        while (!heap_.empty()) {
            std::pop_heap(heap_.begin(), heap_.end(), Later{});
            // The task holds the node's output, so the rule can read it (ctx.out())
            // even after every consumer has been released (Note [output without a cycle]);
            // the output holds the node.
            Task task = std::move(heap_.back());
            heap_.pop_back();
            Node& node = *task.out.grad_fn();
            step(node);
            // Release at once (saved values are freed as the pass goes, keeping
            // peak memory down): every node still to run has its output held
            // by its own task.
            if (!retain_) node.release();
        }
        finished_ = true;
        hooks_detail::run_backward_callbacks();
    }

    std::vector<Tensor> results_;

private:
    /// A node waiting to run, held through its output tensor.
    struct Task {
        std::uint64_t sequence;
        Tensor out;
    };
    struct Later {
        bool operator()(const Task& a, const Task& b) const { return a.sequence < b.sequence; }
    };

    static Tensor seed_for(const std::vector<Tensor>& roots, const std::vector<Tensor>& seeds, std::size_t r) {
        const Tensor& root = roots[r];
        check_defined("backward", root);
        if (r < seeds.size() && seeds[r].defined()) {
            const Tensor& s = seeds[r];
            if (s.shape() != root.shape())
                throw ShapeError(fmt::format("backward: seed gradient has shape {} but the output has shape {}",
                                             shape_str(s.shape()), shape_str(root.shape())));
            check_same_dtype("backward", root, s);
            return s;
        }
        if (root.size() != 1)
            throw GraphError(fmt::format("backward: the output has shape {}; a gradient can be implied only for a "
                                         "one-element output: pass a seed tensor of the output's shape",
                                         shape_str(root.shape())));
        return ones(root.shape(), {root.dtype()});
    }

    void seed(const Tensor& root, const Tensor& g, std::size_t index) {
        if (!root.requires_grad())
            throw GraphError(fmt::format("backward: output {} does not require grad: no input of the ops that made "
                                         "it requires grad, or it was computed under NoGradGuard",
                                         index));
        deliver(root, g);
    }

    /// Send gradient g to tensor t: queue its producer, or accumulate into a leaf.
    void deliver(const Tensor& t, Tensor g) {
        if (const auto& fn = t.grad_fn()) {
            Node& n = *fn;
            n.pending_ = n.pending_.defined() ? tg::add(n.pending_, g) : std::move(g);
            if (!n.queued_) {
                n.queued_ = true;
                heap_.push_back(Task{n.sequence(), t});
                std::push_heap(heap_.begin(), heap_.end(), Later{});
            }
            return;
        }
        if (!t.requires_grad()) return;
        TensorImpl* impl = t.impl();
        if (capturing_) {
            auto it = leaf_targets_.find(impl);
            if (it == leaf_targets_.end()) return;
            Tensor& slot = results_[it->second];
            slot = slot.defined() ? tg::add(slot, g) : g;
            return;
        }
        // A leaf's .grad must not share storage with another tensor: optimisers
        // and clipping update it in place. Under create_graph it keeps its graph.
        // (g is this function's own handle: a count above 1 means someone else has it.)
        if (!create_graph_ && g.impl_ptr().use_count() > 1) g = g.detach();  // detach copies
        impl->grad = impl->grad.defined() ? tg::add(impl->grad, g) : std::move(g);
    }

    void step(Node& node) {
        if (node.released())
            throw GraphError(fmt::format("backward: trying to go through the graph of '{}' a second time, but its "
                                         "saved values were freed after the first backward; pass "
                                         "retain_graph=true to the first backward to keep them",
                                         node.name()));
        Tensor g = std::move(node.pending_);
        node.queued_ = false;
        if (capturing_) {
            if (auto it = node_targets_.find(&node); it != node_targets_.end()) results_[it->second] = g;
        }
        check_anomaly(node.name(), g, "backward (incoming gradient)");
        const InputList& inputs = node.inputs();
        grads_.assign(inputs.size(), Tensor());
        BackwardContext ctx(node, g, grads_);
        {
            BackwardScope scope(node.name());
            node.apply(ctx);
        }
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            Tensor& gi = grads_[i];
            const Tensor& in = inputs[i];
            if (gi.defined() && in.requires_grad()) {
                gi = fit_to_input(node, i, in, gi);
                check_anomaly(node.name(), gi, "backward");
                deliver(in, std::move(gi));
            }
            if (tracking_ && !in.grad_fn()) leaf_use_done(in);
        }
        grads_.clear();
    }

    // Note [gradient-ready hooks]
    // ---------------------------
    // A leaf's .grad is final once every recorded use of it that the pass can
    // reach has delivered its gradient. With hooks registered, a walk over the
    // graph before the pass counts those uses for each hooked leaf; each
    // delivery (or a use whose gradient is undefined) counts one down, and at
    // zero the leaf's hooks run, while the rest of the pass goes on. A leaf whose
    // uses are never reached (its consumers got no gradient) never fires: code
    // that waits for every leaf (data parallelism) finishes those in a
    // queue_backward_callback. Without hooks the walk is skipped entirely.
    void count_hooked_leaf_uses(const std::vector<Tensor>& roots) {
        std::vector<const Node*> stack;
        std::unordered_map<const Node*, bool> seen;
        auto visit = [&](const Tensor& t) {
            if (!t.defined()) return;
            if (const auto& fn = t.grad_fn()) {
                if (seen.emplace(fn.get(), true).second) stack.push_back(fn.get());
            } else if (t.requires_grad() && hooks_detail::has_grad_ready_hooks(t.impl())) {
                ++leaf_uses_[t.impl()];
            }
        };
        for (const Tensor& r : roots) visit(r);
        while (!stack.empty()) {
            const Node* n = stack.back();
            stack.pop_back();
            const InputList& inputs = n->inputs();
            for (std::size_t i = 0; i < inputs.size(); ++i) visit(inputs[i]);
        }
        tracking_ = !leaf_uses_.empty();
    }

    void leaf_use_done(const Tensor& leaf) {
        auto it = leaf_uses_.find(leaf.impl());
        if (it == leaf_uses_.end() || --it->second != 0) return;
        leaf_uses_.erase(it);
        hooks_detail::run_grad_ready_hooks(leaf);
    }

    // PyTorch's validate_outputs: the gradient must have the input's dtype and
    // shape, or a shape the input broadcast to (then it is summed back).
    static Tensor fit_to_input(const Node& node, std::size_t i, const Tensor& in, const Tensor& g) {
        if (g.dtype() != in.dtype())
            throw DTypeError(fmt::format("backward of '{}': gradient for input {} is {} but the input is {}",
                                         node.name(), i, dtype_name(g.dtype()), dtype_name(in.dtype())));
        const auto& gs = g.impl()->shape();
        const auto& is = in.impl()->shape();
        if (gs.size() == is.size() && std::equal(gs.begin(), gs.end(), is.begin())) return g;
        try {
            return sum_to(g, in.shape());
        } catch (const ShapeError&) {
            throw ShapeError(fmt::format("backward of '{}': gradient for input {} has shape {}, expected {}",
                                         node.name(), i, shape_str(g.shape()), shape_str(in.shape())));
        }
    }

    bool retain_;
    bool create_graph_;
    bool capturing_ = false;
    bool tracking_ = false;  // counting leaf uses for gradient-ready hooks
    bool finished_ = false;
    std::unordered_map<const TensorImpl*, std::size_t> leaf_uses_;
    std::vector<Task> heap_;  // a max-heap on sequence (std::push_heap / pop_heap)
    std::vector<Tensor> grads_;
    std::unordered_map<const Node*, std::size_t> node_targets_;
    std::unordered_map<const TensorImpl*, std::size_t> leaf_targets_;
};

void backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& seeds, BackwardOptions options) {
    Engine engine(options.retain_graph || options.create_graph, options.create_graph);
    engine.run(roots, seeds);
}

void Tensor::backward(const Tensor& seed, BackwardOptions options) const {
    tg::backward({*this}, {seed}, options);
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, GradOptions options) {
    Engine engine(options.retain_graph || options.create_graph, options.create_graph);
    engine.capture(inputs);
    engine.run(outputs, grad_outputs);
    // The engine captures a tensor listed twice under its first index only:
    // later copies get the same gradient (as torch.autograd.grad).
    for (std::size_t k = 0; k < inputs.size(); ++k)
        for (std::size_t j = 0; j < k; ++j)
            if (inputs[k].same(inputs[j])) {
                engine.results_[k] = engine.results_[j];
                break;
            }
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        if (engine.results_[k].defined()) continue;
        if (!options.allow_unused)
            throw GraphError(fmt::format("grad: input {} (shape {}) is not used by the outputs; pass "
                                         "allow_unused=true to get an undefined gradient for it",
                                         k, shape_str(inputs[k].shape())));
    }
    return std::move(engine.results_);
}

}  // namespace tg
