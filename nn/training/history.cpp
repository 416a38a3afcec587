#include "history.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "../../graph/error.hpp"
#include "../io/atomic_file.hpp"

namespace tg::nn {

void History::append(const Logs& logs, const std::vector<std::string>& order) {
    for (const auto& k : order)
        if (logs.count(k) && !values_.count(k)) {
            keys_.push_back(k);
            values_.emplace(k, std::vector<double>(epochs_, NAN));
        }
    for (const auto& [k, v] : logs) {
        auto it = values_.find(k);
        if (it == values_.end()) {
            keys_.push_back(k);
            it = values_.emplace(k, std::vector<double>(epochs_, NAN)).first;
        }
        it->second.push_back(v);
    }
    ++epochs_;
    for (auto& [k, v] : values_)
        if (v.size() < epochs_) v.push_back(NAN);  // a key missing this epoch
}

const std::vector<double>& History::operator[](const std::string& key) const {
    auto it = values_.find(key);
    if (it == values_.end())
        throw std::out_of_range(fmt::format("History: no '{}' (known: {})", key, fmt::join(keys_, ", ")));
    return it->second;
}

void History::set_higher_is_better(const std::string& key, bool higher_is_better) {
    higher_is_better_[key] = higher_is_better;
}

bool History::higher_is_better(const std::string& key) const {
    auto it = higher_is_better_.find(key);
    if (it == higher_is_better_.end())
        throw std::invalid_argument(fmt::format("History: nothing says whether a higher or lower '{}' is better; "
                                                "give the callback Mode::min or Mode::max",
                                                key));
    return it->second;
}

std::size_t History::best_epoch(const std::string& key) const {
    const auto& v = (*this)[key];
    if (v.empty()) throw std::out_of_range("History::best_epoch: no epochs");
    const bool higher = higher_is_better(key);
    std::size_t best = 0;
    for (std::size_t i = 1; i < v.size(); ++i)
        if (higher ? v[i] > v[best] : v[i] < v[best]) best = i;
    return best;
}

std::string History::to_json() const {
    nlohmann::json j;
    j["keys"] = keys_;
    j["epochs"] = epochs_;
    nlohmann::json values = nlohmann::json::object(), higher = nlohmann::json::object();
    for (const auto& k : keys_) {
        nlohmann::json column = nlohmann::json::array();
        for (double v : values_.at(k)) column.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr));
        values[k] = column;
    }
    for (const auto& [k, h] : higher_is_better_) higher[k] = h;
    j["values"] = values;
    j["higher_is_better"] = higher;
    return j.dump();
}

History History::from_json(const std::string& text) {
    History h;
    try {
        const nlohmann::json j = nlohmann::json::parse(text);
        h.keys_ = j.at("keys").get<std::vector<std::string>>();
        h.epochs_ = j.at("epochs").get<std::size_t>();
        for (const auto& k : h.keys_) {
            std::vector<double> column;
            for (const auto& v : j.at("values").at(k)) column.push_back(v.is_null() ? NAN : v.get<double>());
            if (column.size() != h.epochs_) throw std::invalid_argument("a column's length differs from the epochs");
            h.values_[k] = std::move(column);
        }
        for (const auto& [k, v] : j.at("higher_is_better").items()) h.higher_is_better_[k] = v.get<bool>();
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument(fmt::format("History::from_json: {}", e.what()));
    }
    return h;
}

void History::write_csv(const std::string& path) const {
    std::ostringstream os;
    os << "epoch";
    for (const auto& k : keys_) os << "," << k;
    os << "\n";
    for (std::size_t e = 0; e < epochs_; ++e) {
        os << e + 1;
        for (const auto& k : keys_) os << "," << fmt::format("{:.9g}", values_.at(k)[e]);
        os << "\n";
    }
    write_file_atomically(path, os.str(), "History::write_csv");
}

}  // namespace tg::nn
