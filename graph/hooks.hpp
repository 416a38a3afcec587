#pragma once
// Hooks into the backward pass, for code that must act while backward runs:
// data-parallel training hands each parameter's gradient to communication as
// soon as it is final, while the rest of backward goes on (dist/ does this;
// users may too). Like torch.Tensor.register_post_accumulate_grad_hook and the
// engine's queue_callback.
#include <cstdint>
#include <functional>

#include "tensor.hpp"

namespace tg {

/// Called with a leaf once its .grad() is final for the current backward pass:
/// every recorded use of the leaf reachable from the roots has delivered its
/// gradient (or delivered none). Runs on the thread that runs backward.
using GradReadyHook = std::function<void(const Tensor& leaf)>;

/// Owns a registered hook: removes it when destroyed (or on remove()).
/// Move-only. It holds the leaf, so the leaf outlives its hook.
class HookHandle {
public:
    HookHandle() = default;
    HookHandle(Tensor leaf, std::uint64_t id) : leaf_(std::move(leaf)), id_(id) {}
    HookHandle(HookHandle&& other) noexcept : leaf_(std::move(other.leaf_)), id_(other.id_) { other.id_ = 0; }
    HookHandle& operator=(HookHandle&& other) noexcept;
    HookHandle(const HookHandle&) = delete;
    HookHandle& operator=(const HookHandle&) = delete;
    ~HookHandle() { remove(); }
    void remove();
    bool active() const { return id_ != 0; }

private:
    Tensor leaf_;
    std::uint64_t id_ = 0;
};

/// Register hook on a leaf that requires grad (std::invalid_argument otherwise).
/// Hooks fire only for backward passes that accumulate into .grad() (backward(),
/// not tg::grad()), in registration order.
[[nodiscard]] HookHandle register_grad_ready_hook(const Tensor& leaf, GradReadyHook hook);

/// Run fn once, when the backward pass now running on this thread ends (after
/// every gradient is delivered and every grad-ready hook has run), or at the end
/// of the next one when none is running. Callbacks may queue more callbacks.
/// When the pass throws, queued callbacks are dropped.
void queue_backward_callback(std::function<void()> fn);

namespace hooks_detail {
/// Are any grad-ready hooks registered? (The engine's fast path skips hook
/// bookkeeping when not.)
bool any_grad_ready_hooks();
/// Run the hooks of leaf (if any).
void run_grad_ready_hooks(const Tensor& leaf);
bool has_grad_ready_hooks(const TensorImpl* leaf);
/// Take and run the callbacks queued on this thread, until none is left.
void run_backward_callbacks();
void drop_backward_callbacks();
}  // namespace hooks_detail

}  // namespace tg
