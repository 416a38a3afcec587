#include "containers.hpp"

#include <typeinfo>

#include "activations.hpp"
#include "conv.hpp"
#include "linear.hpp"

namespace tg::nn {

namespace {

/// The fused epilogue that stands for module m, or none. Exact types only: a
/// subclass may compute something else in its forward.
Epilogue as_epilogue(const Module& m) {
    const std::type_info& t = typeid(m);
    if (t == typeid(ReLU)) return Epilogue::relu;
    if (t == typeid(Tanh)) return Epilogue::tanh;
    if (t == typeid(Sigmoid)) return Epilogue::sigmoid;
    return Epilogue::none;
}

/// layer(x) followed by the activation as one op, when layer is a Linear or a
/// Conv2d (exact types); undefined otherwise.
Tensor fused(Module& layer, const Tensor& x, Epilogue activation) {
    const std::type_info& t = typeid(layer);
    if (t == typeid(Linear)) return static_cast<Linear&>(layer).forward(x, activation);
    if (t == typeid(Conv2d)) return static_cast<Conv2d&>(layer).forward(x, activation);
    return {};
}

}  // namespace

// Note [fused dense layers]
// -------------------------
// A Linear or Conv2d directly followed by ReLU, Tanh or Sigmoid runs as one
// fused op (forward(x, activation), ops/affine.hpp): the same values, bit for bit,
// with one output tensor and one recorded node instead of two of each. Only
// exact types fuse, and never while summary() traces the pass (it reports each
// child's output).
Tensor Sequential::forward(const Tensor& x) {
    Tensor y = x;
    const bool may_fuse = !tracing_summary();
    for (std::size_t i = 0; i < modules_.size(); ++i) {
        if (may_fuse && i + 1 < modules_.size()) {
            const Epilogue activation = as_epilogue(*modules_[i + 1]);
            if (activation != Epilogue::none) {
                if (Tensor out = fused(*modules_[i], y, activation); out.defined()) {
                    y = std::move(out);
                    ++i;
                    continue;
                }
            }
        }
        y = (*modules_[i])(y);
    }
    return y;
}

const ModulePtr& Sequential::operator[](std::size_t i) const {
    if (i >= modules_.size())
        throw std::out_of_range(fmt::format("Sequential: index {} is out of range (size {})", i, modules_.size()));
    return modules_[i];
}

}  // namespace tg::nn
