#include "ddp.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>

#include <fmt/format.h>
#include <tapegrad/graph/grad_mode.hpp>

#include "collectives.hpp"
#include "environment.hpp"

namespace tg::dist {

namespace {

std::size_t element_bytes(DType d) { return d == DType::f64 ? 8 : 4; }

template <class T>
void copy_grad_in(const Tensor& param, T* dst) {
    const Tensor g = param.grad();
    if (!g.defined()) {
        std::fill(dst, dst + param.size(), T(0));  // an unused parameter contributes zeros
        return;
    }
    const T* src = g.data<T>();
    std::copy(src, src + g.size(), dst);
}

template <class T>
void copy_average_out(Tensor& param, const T* src, double world) {
    Tensor g = param.grad();
    if (!g.defined()) {
        g = zeros_like(param);
        param.set_grad(g);
        g = param.grad();
    }
    // n hoisted and the division in T: a loop the compiler vectorises (with
    // param.size() in the condition it was a call per element: 17% of an mlp step).
    T* dst = g.data<T>();
    const std::size_t n = g.size();
    const T w = static_cast<T>(world);
    for (std::size_t i = 0; i < n; ++i) dst[i] = src[i] / w;
}

}  // namespace

DistributedDataParallel::DistributedDataParallel(nn::ModulePtr module, DDPOptions options)
    : module_(std::move(module)), options_(options) {
    if (!module_) throw std::invalid_argument("DistributedDataParallel: no module");
    if (options_.bucket_bytes == 0) throw std::invalid_argument("DistributedDataParallel: bucket_bytes must be positive");
    detail::require_mpi("DistributedDataParallel");
    register_module("module", module_);
    {
        NoGradGuard no_grad;  // every rank starts from rank 0's weights
        for (auto& [name, t] : module_->state_dict()) {
            Tensor handle = t;
            broadcast(handle, 0);
        }
    }
    params_ = module_->parameters();
    params_.erase(std::remove_if(params_.begin(), params_.end(), [](const Tensor& p) { return !p.requires_grad(); }),
                  params_.end());
    build_buckets();
    for (std::size_t i = 0; i < params_.size(); ++i)
        hooks_.push_back(register_grad_ready_hook(params_[i], [this, i](const Tensor&) { on_grad_ready(i); }));
}

DistributedDataParallel::~DistributedDataParallel() = default;

void DistributedDataParallel::build_buckets() {
    bucket_of_.assign(params_.size(), 0);
    ready_.assign(params_.size(), false);
    // Reverse registration order: the last layers' gradients are final first.
    for (std::size_t k = params_.size(); k-- > 0;) {
        const Tensor& p = params_[k];
        const std::size_t size = element_bytes(p.dtype());
        const std::size_t cap =
            buckets_.size() == 1 ? std::min(options_.first_bucket_bytes, options_.bucket_bytes) : options_.bucket_bytes;
        const bool fits = !buckets_.empty() && buckets_.back().dtype == p.dtype() &&
                          (buckets_.back().elements + p.size()) * size <= cap;
        if (!fits) {
            buckets_.emplace_back();
            buckets_.back().dtype = p.dtype();
        }
        Bucket& b = buckets_.back();
        b.params.push_back(k);
        b.offsets.push_back(b.elements);
        b.elements += p.size();
        bucket_of_[k] = buckets_.size() - 1;
    }
    for (Bucket& b : buckets_) {
        if (b.dtype == DType::f64) b.flat64.resize(b.elements);
        else b.flat32.resize(b.elements);
        stats_.bytes_per_pass += b.elements * element_bytes(b.dtype);
    }
}

Tensor DistributedDataParallel::forward(const Tensor& x) {
    before_forward();
    return (*module_)(x);
}

nn::Tensors DistributedDataParallel::forward(const nn::Tensors& inputs) {
    before_forward();
    return (*module_)(inputs);
}

void DistributedDataParallel::before_forward() {
    if (options_.broadcast_buffers && is_training()) {
        NoGradGuard no_grad;
        for (auto& [name, t] : module_->named_buffers()) {
            Tensor handle = t;
            broadcast(handle, 0);
        }
    }
    if (is_training() && GradMode::enabled()) expect_backward();
}

void DistributedDataParallel::expect_backward() {
    // Queued at forward, not at the first hook: a rank whose backward reaches
    // no parameter must still take part in the all-reduces.
    if (!sync_ || in_backward_) return;
    in_backward_ = true;
    queue_backward_callback([this] { finish_backward(); });
}

void DistributedDataParallel::on_grad_ready(std::size_t param) {
    if (!sync_) return;
    expect_backward();
    if (ready_[param]) return;
    ready_[param] = true;
    Bucket& b = buckets_[bucket_of_[param]];
    ++b.ready;
    if (!options_.overlap) return;
    launch_ready_buckets();
    for (std::size_t k = 0; k < next_launch_; ++k) buckets_[k].sum.test();  // drive the sums along
}

void DistributedDataParallel::launch_ready_buckets() {
    while (next_launch_ < buckets_.size() && buckets_[next_launch_].ready == buckets_[next_launch_].params.size())
        launch(buckets_[next_launch_++]);
}

void DistributedDataParallel::launch(Bucket& b) {
    for (std::size_t j = 0; j < b.params.size(); ++j) {
        const Tensor& p = params_[b.params[j]];
        if (b.dtype == DType::f64) copy_grad_in(p, b.flat64.data() + b.offsets[j]);
        else copy_grad_in(p, b.flat32.data() + b.offsets[j]);
    }
    b.sum = b.dtype == DType::f64 ? detail::PendingSum(b.flat64.data(), b.flat64.size(), b.dtype)
                                  : detail::PendingSum(b.flat32.data(), b.flat32.size(), b.dtype);
    b.launched = true;
}

void DistributedDataParallel::finish_backward() {
    const auto start = std::chrono::steady_clock::now();
    in_backward_ = false;
    // Parameters no use of which was reached got no hook call: they count as ready (zeros).
    for (std::size_t k = 0; k < params_.size(); ++k)
        if (!ready_[k]) {
            ready_[k] = true;
            ++buckets_[bucket_of_[k]].ready;
        }
    launch_ready_buckets();
    const double world = world_size();
    for (Bucket& b : buckets_) b.sum.wait();
    stats_.exposed_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ++stats_.passes;
    NoGradGuard no_grad;
    for (Bucket& b : buckets_) {
        for (std::size_t j = 0; j < b.params.size(); ++j) {
            Tensor& p = params_[b.params[j]];
            if (b.dtype == DType::f64) copy_average_out(p, b.flat64.data() + b.offsets[j], world);
            else copy_average_out(p, b.flat32.data() + b.offsets[j], world);
        }
        b.ready = 0;
        b.launched = false;
    }
    std::fill(ready_.begin(), ready_.end(), false);
    next_launch_ = 0;
}

}  // namespace tg::dist
