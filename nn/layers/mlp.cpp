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

ActivationName::ActivationName(const char* name) : kind(activation_from_name(name)) {}
ActivationName::ActivationName(std::string_view name) : kind(activation_from_name(name)) {}
ActivationName::ActivationName(const std::string& name) : kind(activation_from_name(name)) {}

namespace {

void check_sizes(const std::vector<std::size_t>& sizes) {
    if (sizes.size() < 2)
        throw std::invalid_argument(
            fmt::format("mlp: need at least an input and an output size, got {} size(s)", sizes.size()));
    for (std::size_t s : sizes)
        if (s == 0) throw std::invalid_argument(fmt::format("mlp: layer sizes must be positive, got [{}]", fmt::join(sizes, ", ")));
}

std::shared_ptr<Sequential> build(const std::vector<std::size_t>& sizes, const std::vector<Activation>& acts,
                                  const MlpOptions& options) {
    const std::size_t layers = sizes.size() - 1;
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

}  // namespace

std::shared_ptr<Sequential> mlp_by_role(const std::vector<std::size_t>& sizes, const MlpActivations& activations,
                                         const MlpOptions& options) {
    check_sizes(sizes);
    std::vector<Activation> acts(sizes.size() - 1, activations.hidden.kind);
    acts.back() = activations.output.kind;
    return build(sizes, acts, options);
}

std::shared_ptr<Sequential> mlp(const std::vector<std::size_t>& sizes, const ActivationList& activation_list,
                                 const MlpOptions& options) {
    const std::vector<Activation>& activations = activation_list.kinds;
    check_sizes(sizes);
    const std::size_t layers = sizes.size() - 1;
    if (activations.size() == 1 && layers == 1) {
        const std::string name(activation_name(activations[0]));
        throw std::invalid_argument(fmt::format(
            "mlp: one activation ('{0}') for a single Linear layer is ambiguous: a list of one entry means the "
            "hidden layers' activation, and there is no hidden layer. For '{0}' on the output write "
            "mlp(sizes, MlpActivations{{.output = \"{0}\"}}); for no activation, MlpActivations{{}}",
            name));
    }
    std::vector<Activation> acts;
    if (activations.size() == layers) {
        acts = activations;
    } else if (activations.size() == 1) {
        acts.assign(layers, activations[0]);
        acts.back() = Activation::none;
    } else if (activations.empty()) {
        acts.assign(layers, Activation::none);
    } else {
        throw std::invalid_argument(fmt::format("mlp: {} activations for {} layers; give one per Linear layer, or "
                                                "MlpActivations{{.hidden = ..., .output = ...}}",
                                                activations.size(), layers));
    }
    return build(sizes, acts, options);
}

}  // namespace tg::nn
