#include "mlp.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "dropout.hpp"
#include "linear.hpp"

namespace tg::nn {

ActivationList::ActivationList(std::initializer_list<std::string_view> names) {
    for (std::string_view name : names) kinds.push_back(activation_from_name(name));
}

ActivationList::ActivationList(const std::vector<std::string>& names) {
    for (const std::string& name : names) kinds.push_back(activation_from_name(name));
}

std::shared_ptr<Sequential> mlp(const std::vector<std::size_t>& sizes, const ActivationList& activation_list,
                                 const MlpOptions& options) {
    const std::vector<Activation>& activations = activation_list.kinds;
    if (sizes.size() < 2)
        throw std::invalid_argument(
            fmt::format("mlp: need at least an input and an output size, got {} size(s)", sizes.size()));
    for (std::size_t s : sizes)
        if (s == 0) throw std::invalid_argument(fmt::format("mlp: layer sizes must be positive, got [{}]", fmt::join(sizes, ", ")));
    const std::size_t layers = sizes.size() - 1;
    std::vector<Activation> acts;
    if (activations.size() == layers) {
        acts = activations;
    } else if (activations.size() == 1) {
        acts.assign(layers, activations[0]);
        acts.back() = Activation::none;
    } else if (activations.empty()) {
        acts.assign(layers, Activation::none);
    } else {
        throw std::invalid_argument(fmt::format("mlp: {} activations for {} layers; give one per layer or a "
                                                "single one for all hidden layers",
                                                activations.size(), layers));
    }
    auto net = std::make_shared<Sequential>();
    for (std::size_t k = 0; k < layers; ++k) {
        net->push_back(std::make_shared<Linear>(sizes[k], sizes[k + 1], options.bias));
        if (acts[k] != Activation::none) net->push_back(make_activation(acts[k]));
        if (options.dropout > 0 && k + 1 < layers) net->push_back(std::make_shared<Dropout>(options.dropout));
    }
    std::visit([&](const auto& scheme) { init::initialize(*net, scheme); }, options.init);
    if (options.dtype != DType::f32) net->to(options.dtype);
    return net;
}

}  // namespace tg::nn
