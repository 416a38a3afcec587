#pragma once
/// @ingroup nn
/// Dropout and Flatten.
#include <cstdint>
#include <string>

#include "../../graph/random.hpp"
#include "../module.hpp"

namespace tg::nn {

/// In training mode, zeroes each element with probability p and scales the
/// others by 1/(1-p) (inverted dropout, so evaluation needs no rescaling);
/// in evaluation mode (eval()) returns its input unchanged.
/// The mask comes from the module's own generator: seeded explicitly, or from
/// the global generator at construction (so tg::manual_seed fixes it too).
/// The gradient flows through the mask by the engine (out = x * mask).
/// Throws std::invalid_argument unless 0 <= p <= 1.
class Dropout : public Module {
public:
    explicit Dropout(double p = 0.5);
    Dropout(double p, std::uint64_t seed);
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "Dropout"; }
    std::string extra_repr() const override;
    double p() const { return p_; }

protected:
    Generator* own_generator() override { return &gen_; }

private:
    double p_;
    Generator gen_;
};

/// Merges axes start_axis..end_axis into one (PyTorch's default keeps the batch axis: 1..-1).
class Flatten : public Module {
public:
    explicit Flatten(int start_axis = 1, int end_axis = -1) : start_(start_axis), end_(end_axis) {}
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "Flatten"; }
    std::string extra_repr() const override;

private:
    int start_, end_;
};

}  // namespace tg::nn
