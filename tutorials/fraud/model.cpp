// Building and applying the fraud model's network (saving and loading are in model_file.cpp).
#include <charconv>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>

#include "model_file.hpp"

namespace fraud {

std::string arch_name(Arch a) {
    switch (a) {
        case Arch::perceptron: return "perceptron";
        case Arch::logistic: return "logistic";
        case Arch::mlp: return "mlp";
    }
    return "unknown";
}

Arch arch_from_name(std::string_view name) {
    if (name == "perceptron") return Arch::perceptron;
    if (name == "logistic") return Arch::logistic;
    if (name == "mlp") return Arch::mlp;
    throw std::invalid_argument(fmt::format("unknown architecture '{}' (perceptron, logistic or mlp)", name));
}

std::vector<std::size_t> parse_hidden(std::string_view text) {
    std::vector<std::size_t> sizes;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::string_view part = text.substr(start, comma - start);
        std::size_t v = 0;
        const auto r = std::from_chars(part.data(), part.data() + part.size(), v);
        if (part.empty() || r.ec != std::errc() || r.ptr != part.data() + part.size() || v == 0 || v > 4096)
            throw std::invalid_argument(
                fmt::format("hidden sizes '{}': '{}' is not a layer size in 1..4096 (e.g. 64,32)", text, part));
        sizes.push_back(v);
        start = comma + 1;
    }
    return sizes;
}

std::shared_ptr<tg::nn::Module> build_net(Arch arch, const std::vector<std::size_t>& hidden, std::size_t in) {
    switch (arch) {
        case Arch::perceptron: return std::make_shared<tg::nn::Perceptron>(in);
        case Arch::logistic: return tg::nn::mlp({in, 1}, tg::nn::MlpActivations{});  // one Linear, logit out
        case Arch::mlp: {
            if (hidden.empty()) throw std::invalid_argument("mlp: needs at least one hidden layer");
            std::vector<std::size_t> sizes{in};
            sizes.insert(sizes.end(), hidden.begin(), hidden.end());
            sizes.push_back(1);
            return tg::nn::mlp(sizes, tg::nn::MlpActivations{.hidden = "relu"}, {.init = "he_uniform"});
        }
    }
    throw std::invalid_argument("build_net: unknown architecture");
}

tg::Tensor FraudModel::logits(const tg::Tensor& x) const { return net->forward(x); }

std::vector<float> FraudModel::probabilities(const tg::Tensor& x) const {
    tg::NoGradGuard no_grad;
    const tg::Tensor z = net->forward(x);
    const float* p = z.data<float>();
    std::vector<float> out(z.size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = 1.0f / (1.0f + std::exp(-p[i]));
    return out;
}

std::string FraudModel::describe() const {
    std::string layers = fmt::format("{}", features.size());
    for (std::size_t h : hidden) layers += fmt::format("-{}", h);
    layers += "-1";
    return fmt::format("{} {} ({} parameters)", arch_name(arch), layers, net ? net->parameter_count() : 0);
}

}  // namespace fraud
