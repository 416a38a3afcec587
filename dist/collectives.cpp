#include "collectives.hpp"

#include <fmt/format.h>

#include "environment.hpp"
#include "mpi_backend.hpp"

namespace tg::dist {

namespace {

void* mutable_data(Tensor& t, const char* who) {
    check_float(who, t);
    if (t.requires_grad() && t.grad_fn())
        throw DistError(fmt::format("{}: the tensor is the result of a recorded op; communicate a leaf or a "
                                    "detached tensor",
                                    who));
    return t.dtype() == DType::f64 ? static_cast<void*>(t.data<double>()) : static_cast<void*>(t.data<float>());
}

}  // namespace

void all_reduce(Tensor& t, ReduceOp op) {
    void* p = mutable_data(t, "tg::dist::all_reduce");
    detail::all_reduce_in_place(p, t.size(), t.dtype(), op);
    if (op != ReduceOp::mean) return;
    const double n = world_size();
    if (t.dtype() == DType::f64)
        for (double* d = t.data<double>(), *e = d + t.size(); d != e; ++d) *d /= n;
    else
        for (float* d = t.data<float>(), *e = d + t.size(); d != e; ++d) *d = static_cast<float>(*d / n);
}

void broadcast(Tensor& t, int root) {
    void* p = mutable_data(t, "tg::dist::broadcast");
    detail::broadcast_in_place(p, t.size(), t.dtype(), root);
}

}  // namespace tg::dist
