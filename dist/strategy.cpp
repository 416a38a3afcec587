#include "strategy.hpp"

#include <fmt/format.h>
#include <tapegrad/graph/grad_mode.hpp>

#include "environment.hpp"
#include "mpi_backend.hpp"

namespace tg::dist {

DataParallel::DataParallel(DDPOptions options) : options_(options) {
    detail::require_mpi("tg::dist::DataParallel");
    rank_ = rank();
    world_ = world_size();
}

std::shared_ptr<nn::Module> DataParallel::wrap(nn::Module& model) {
    // fit owns nothing here: the wrapper refers to the caller's model for the call.
    return std::make_shared<DistributedDataParallel>(nn::ModulePtr(nn::ModulePtr(), &model), options_);
}

void DataParallel::sum(std::vector<double>& values) {
    if (values.empty()) return;
    detail::all_reduce_in_place(values.data(), values.size(), DType::f64, ReduceOp::sum);
}

Tensor DataParallel::gather_rows(const Tensor& t) {
    check_defined("tg::dist: gather_rows", t);
    NoGradGuard no_grad;
    const Tensor mine = t.detach();
    Shape shape = mine.shape();
    if (shape.empty()) throw DistError("tg::dist: gather_rows needs a tensor with rows, not a scalar");
    const std::size_t row = mine.size(0) ? mine.size() / mine.size(0) : 0;
    const std::vector<int> counts = detail::all_gather_counts(mine.size());
    std::size_t total = 0;
    for (int c : counts) total += static_cast<std::size_t>(c);
    shape[0] = row ? total / row : 0;
    Tensor out = zeros(shape, {.dtype = mine.dtype()});
    if (mine.dtype() == DType::f64)
        detail::all_gather_varying(mine.data<double>(), mine.size(), DType::f64, out.data<double>(), counts);
    else
        detail::all_gather_varying(mine.data<float>(), mine.size(), DType::f32, out.data<float>(), counts);
    return out;
}

}  // namespace tg::dist
