#include "containers.hpp"

namespace tg::nn {

Tensor Sequential::forward(const Tensor& x) {
    Tensor y = x;
    for (const ModulePtr& m : modules_) y = (*m)(y);
    return y;
}

const ModulePtr& Sequential::operator[](std::size_t i) const {
    if (i >= modules_.size())
        throw std::out_of_range(fmt::format("Sequential: index {} is out of range (size {})", i, modules_.size()));
    return modules_[i];
}

}  // namespace tg::nn
