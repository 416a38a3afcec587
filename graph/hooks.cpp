#include "hooks.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "tensor_impl.hpp"

namespace tg {

namespace {

struct Registered {
    std::uint64_t id;
    GradReadyHook hook;
};

// One registry for the process: hooks are few (one per parameter of a wrapped
// model) and touched once per parameter per backward pass.
std::mutex g_mutex;
std::unordered_map<const TensorImpl*, std::vector<Registered>> g_hooks;
std::atomic<std::size_t> g_hook_count{0};
std::uint64_t g_next_id = 1;

thread_local std::vector<std::function<void()>> t_callbacks;

}  // namespace

HookHandle& HookHandle::operator=(HookHandle&& other) noexcept {
    if (this != &other) {
        remove();
        leaf_ = std::move(other.leaf_);
        id_ = other.id_;
        other.id_ = 0;
    }
    return *this;
}

void HookHandle::remove() {
    if (id_ == 0) return;
    std::lock_guard lock(g_mutex);
    auto it = g_hooks.find(leaf_.impl());
    if (it != g_hooks.end()) {
        auto& list = it->second;
        const auto before = list.size();
        list.erase(std::remove_if(list.begin(), list.end(), [&](const Registered& r) { return r.id == id_; }),
                   list.end());
        g_hook_count -= before - list.size();
        if (list.empty()) g_hooks.erase(it);
    }
    id_ = 0;
    leaf_ = Tensor();
}

HookHandle register_grad_ready_hook(const Tensor& leaf, GradReadyHook hook) {
    check_defined("register_grad_ready_hook", leaf);
    if (!leaf.requires_grad() || leaf.grad_fn())
        throw std::invalid_argument(fmt::format("register_grad_ready_hook: the tensor (shape {}) must be a leaf that "
                                                "requires grad (a parameter), not {}",
                                                shape_str(leaf.shape()),
                                                leaf.grad_fn() ? "the result of an op" : "a tensor without grad"));
    if (!hook) throw std::invalid_argument("register_grad_ready_hook: empty hook");
    std::lock_guard lock(g_mutex);
    const std::uint64_t id = g_next_id++;
    g_hooks[leaf.impl()].push_back({id, std::move(hook)});
    ++g_hook_count;
    return HookHandle(leaf, id);
}

void queue_backward_callback(std::function<void()> fn) {
    if (fn) t_callbacks.push_back(std::move(fn));
}

namespace hooks_detail {

bool any_grad_ready_hooks() { return g_hook_count.load(std::memory_order_relaxed) != 0; }

bool has_grad_ready_hooks(const TensorImpl* leaf) {
    std::lock_guard lock(g_mutex);
    return g_hooks.count(leaf) != 0;
}

void run_grad_ready_hooks(const Tensor& leaf) {
    std::vector<GradReadyHook> to_run;
    {
        std::lock_guard lock(g_mutex);
        auto it = g_hooks.find(leaf.impl());
        if (it == g_hooks.end()) return;
        for (const auto& r : it->second) to_run.push_back(r.hook);
    }
    for (auto& h : to_run) h(leaf);  // outside the lock: a hook may register or remove hooks
}

void run_backward_callbacks() {
    while (!t_callbacks.empty()) {
        std::vector<std::function<void()>> now;
        now.swap(t_callbacks);
        for (auto& fn : now) fn();
    }
}

void drop_backward_callbacks() { t_callbacks.clear(); }

}  // namespace hooks_detail

}  // namespace tg
