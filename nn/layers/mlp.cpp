#include "mlp.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "activations.hpp"
#include "dropout.hpp"
#include "../init.hpp"
#include "linear.hpp"

namespace tg::nn {

std::shared_ptr<Sequential> mlp(const std::vector<std::size_t>& sizes, const std::vector<std::string>& activations,
                                 const MlpOptions& options) {
    if (sizes.size() < 2)
        throw std::invalid_argument(
            fmt::format("mlp: need at least an input and an output size, got {} size(s)", sizes.size()));
    for (std::size_t s : sizes)
        if (s == 0) throw std::invalid_argument(fmt::format("mlp: layer sizes must be positive, got [{}]", fmt::join(sizes, ", ")));
    const std::size_t layers = sizes.size() - 1;
    std::vector<std::string> acts;
    if (activations.size() == layers) {
        acts = activations;
    } else if (activations.size() == 1) {
        acts.assign(layers, activations[0]);
        acts.back() = "none";
    } else if (activations.empty()) {
        acts.assign(layers, "none");
    } else {
        throw std::invalid_argument(fmt::format("mlp: {} activation names for {} layers; give one per layer or a "
                                                "single one for all hidden layers",
                                                activations.size(), layers));
    }
    auto net = std::make_shared<Sequential>();
    for (std::size_t k = 0; k < layers; ++k) {
        net->push_back(std::make_shared<Linear>(sizes[k], sizes[k + 1], options.bias));
        ModulePtr act = make_activation(acts[k]);  // validates the name
        if (act->type_name() != "Identity") net->push_back(act);
        if (options.dropout > 0 && k + 1 < layers) net->push_back(std::make_shared<Dropout>(options.dropout));
    }
    init::initialize(*net, options.init);
    if (options.dtype != DType::f32) net->to(options.dtype);
    return net;
}

}  // namespace tg::nn
