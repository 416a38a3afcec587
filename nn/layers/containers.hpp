#pragma once
/// @ingroup nn
/// Sequential: modules applied one after the other.
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <fmt/format.h>

#include "../module.hpp"

namespace tg::nn {

/// y = m_k(...m_1(m_0(x))). Children are named "0", "1", ... as in PyTorch, so
/// parameters are "0.weight", "2.bias", and nested containers give "1.0.weight".
///
///     auto net = std::make_shared<Sequential>(Linear(2, 4), Tanh(), Linear(4, 1));
///     net->push_back(std::make_shared<Sigmoid>());
///     auto first = net->at<Linear>(0);
class Sequential : public Module {
public:
    Sequential() = default;
    /// From modules by value or by shared_ptr, in order.
    template <class First, class... Rest,
              class = std::enable_if_t<!std::is_same_v<std::decay_t<First>, Sequential> || sizeof...(Rest) != 0>>
    explicit Sequential(First&& first, Rest&&... rest) {
        push_back(std::forward<First>(first));
        (push_back(std::forward<Rest>(rest)), ...);
    }
    Sequential(std::initializer_list<ModulePtr> modules) {
        for (const auto& m : modules) push_back(m);
    }

    /// Append a module (shared: the same object, not a copy). Returns it typed.
    template <class M>
    std::shared_ptr<M> push_back(std::shared_ptr<M> module) {
        static_assert(std::is_base_of_v<Module, M>, "Sequential holds Modules");
        add_child(std::to_string(modules_.size()), module);
        modules_.push_back(module);
        return module;
    }
    /// Append a module given by value (moved into a new shared_ptr).
    template <class M, class = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
    std::shared_ptr<std::decay_t<M>> push_back(M&& module) {
        return push_back(std::make_shared<std::decay_t<M>>(std::forward<M>(module)));
    }

    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "Sequential"; }

    std::size_t size() const { return modules_.size(); }
    bool empty() const { return modules_.empty(); }
    /// The i-th module (std::out_of_range when i >= size()).
    const ModulePtr& operator[](std::size_t i) const;
    /// The i-th module as type M (std::invalid_argument when it is another type).
    template <class M>
    std::shared_ptr<M> at(std::size_t i) const {
        auto typed = std::dynamic_pointer_cast<M>((*this)[i]);
        if (!typed)
            throw std::invalid_argument(
                fmt::format("Sequential::at: module {} is a {}, not the requested type", i, (*this)[i]->type_name()));
        return typed;
    }
    auto begin() const { return modules_.begin(); }
    auto end() const { return modules_.end(); }

private:
    std::vector<ModulePtr> modules_;
};

}  // namespace tg::nn
