#include "checkpoint.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "../optim/optimizer.hpp"

namespace tg::nn {

using json = nlohmann::json;

namespace {

constexpr const char* kExtraKey = "tapegrad.extra";
constexpr const char* kOptimizerKey = "tapegrad.optimizer";
constexpr const char* kOptimizerHyperKey = "tapegrad.optimizer.hyperparameters";
constexpr const char* kOptimizerPrefix = "__optimizer__.";

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw IoError(fmt::format("{}: {}", path, what));
}

/// The "lr" of the saved hyperparameters (none when absent); throws IoError for
/// metadata that is not a JSON object or an lr that is not a finite number >= 0.
std::optional<double> saved_learning_rate(const std::string& path, const std::string& hyperparameters) {
    json hyper;
    try {
        hyper = json::parse(hyperparameters);
    } catch (const json::exception&) {
        fail(path, fmt::format("metadata '{}' is not a JSON object", kOptimizerHyperKey));
    }
    if (!hyper.is_object()) fail(path, fmt::format("metadata '{}' is not a JSON object", kOptimizerHyperKey));
    if (!hyper.contains("lr")) return std::nullopt;
    const json& lr = hyper["lr"];
    if (!lr.is_number() || !std::isfinite(lr.get<double>()) || lr.get<double>() < 0)
        fail(path, fmt::format("metadata '{}': the learning rate {} is not a finite number >= 0", kOptimizerHyperKey,
                               lr.dump()));
    return lr.get<double>();
}

}  // namespace

void save(const Module& model, const std::string& path, const SaveOptions& options) {
    NamedTensors all = model.state_dict();
    std::set<std::string> names;
    for (const auto& [n, t] : all) names.insert(n);
    Metadata meta = options.metadata;
    meta.emplace("format", "pt");  // what Hugging Face tools expect of a PyTorch state dict
    if (!options.extra.empty()) {
        json extra = json::array();
        for (const auto& [n, t] : options.extra) {
            if (names.count(n) || n.rfind(kOptimizerPrefix, 0) == 0)
                throw std::invalid_argument(fmt::format("save: extra tensor '{}' clashes with a model or optimiser name", n));
            extra.push_back(n);
            all.emplace_back(n, t);
        }
        meta[kExtraKey] = extra.dump();
    }
    if (options.optimizer) {
        meta[kOptimizerKey] = options.optimizer->name();
        json hyper = json::object();
        for (const auto& [k, v] : options.optimizer->hyperparameters()) hyper[k] = v;
        meta[kOptimizerHyperKey] = hyper.dump();
        for (const auto& [n, t] : options.optimizer->state_dict()) all.emplace_back(kOptimizerPrefix + n, t);
    }
    save_safetensors(path, all, meta);
}

LoadResult load(Module& model, const std::string& path, const LoadOptions& options) {
    SafetensorsFile file = load_safetensors(path);
    LoadResult result;
    result.metadata = file.metadata;
    result.checksum_verified = file.checksum_verified;

    std::set<std::string> extra_names;
    if (auto it = file.metadata.find(kExtraKey); it != file.metadata.end()) {
        json list;
        try {
            list = json::parse(it->second);
        } catch (const json::exception&) {
            fail(path, fmt::format("metadata '{}' is not a JSON list", kExtraKey));
        }
        if (!list.is_array()) fail(path, fmt::format("metadata '{}' is not a JSON list", kExtraKey));
        for (const json& n : list) {
            if (!n.is_string()) fail(path, fmt::format("metadata '{}' must list names", kExtraKey));
            extra_names.insert(n.get<std::string>());
        }
    }

    // Everything that is neither optimiser state nor a listed extra is checked
    // against the model, so unexpected names are reported with the missing ones.
    NamedTensors model_part, optimizer_part;
    std::vector<std::string> model_dtypes;  // the file's dtype of each model_part entry
    for (std::size_t i = 0; i < file.tensors.size(); ++i) {
        auto& [n, t] = file.tensors[i];
        if (n.rfind(kOptimizerPrefix, 0) == 0) {
            optimizer_part.emplace_back(n.substr(std::strlen(kOptimizerPrefix)), t);
        } else if (extra_names.count(n)) {
            result.extra.emplace_back(n, t);
        } else {
            model_part.emplace_back(n, t);
            model_dtypes.push_back(file.dtypes[i]);
        }
    }
    // Names, shapes and dtypes are all checked before anything is copied.
    model.check_state_dict(model_part, options.strict, fmt::format("load '{}'", path), model_dtypes);
    // The optimiser's name and hyperparameters are checked before its state is
    // replaced; its load_state_dict checks the state before replacing it, and is
    // the last step that can fail, so a failed load changes nothing.
    if (options.optimizer && !optimizer_part.empty()) {
        std::optional<double> saved_lr;
        auto it = file.metadata.find(kOptimizerKey);
        const std::string saved = it == file.metadata.end() ? "?" : it->second;
        if (saved != options.optimizer->name())
            throw std::invalid_argument(fmt::format("load '{}': the file holds {} state, not {}", path, saved,
                                                    options.optimizer->name()));
        if (auto h = file.metadata.find(kOptimizerHyperKey); h != file.metadata.end())
            saved_lr = saved_learning_rate(path, h->second);
        options.optimizer->load_state_dict(optimizer_part);  // validates before replacing
        if (saved_lr) options.optimizer->set_lr(*saved_lr);  // checked above: cannot throw
        result.optimizer_loaded = true;
    }
    model.load_state_dict(model_part, false);
    return result;
}

}  // namespace tg::nn
