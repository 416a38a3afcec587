#include "backup.hpp"

#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "../../graph/error.hpp"
#include "../../graph/random.hpp"
#include "../io/checkpoint.hpp"

namespace tg::nn {

namespace {

constexpr const char* kBackupKey = "tapegrad.backup";

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw IoError(fmt::format("{}: not a training backup of this run: {}", path, what));
}

}  // namespace

void save_training_backup(const std::string& path, const TrainingParts& parts, int epochs_done) {
    nlohmann::json b;
    b["epochs_done"] = epochs_done;
    b["scheduler"] = parts.scheduler ? parts.scheduler->name() : "";
    b["scheduler_state"] = parts.scheduler ? parts.scheduler->state() : std::vector<double>{};
    b["loader_generator"] = parts.loader.generator().state();
    b["loader_next_epoch"] = parts.loader.next_epoch();
    b["thread_generator"] = global_generator().state();
    nlohmann::json modules = nlohmann::json::object();
    for (const auto& [name, g] : parts.model.named_generators()) modules[name] = g->state();
    b["module_generators"] = modules;
    b["history"] = parts.history.to_json();
    SaveOptions so;
    so.optimizer = &parts.optimizer;
    so.metadata[kBackupKey] = b.dump();
    save(parts.model, path, so);
}

int restore_training_backup(const std::string& path, const TrainingParts& parts) {
    // Read and check the whole backup first: a file of another run changes nothing.
    const SafetensorsFile file = load_safetensors(path);
    auto it = file.metadata.find(kBackupKey);
    if (it == file.metadata.end()) fail(path, fmt::format("no '{}' metadata", kBackupKey));
    nlohmann::json b;
    std::map<std::string, std::string> module_states;
    History history;
    int epochs_done = 0;
    try {
        b = nlohmann::json::parse(it->second);
        epochs_done = b.at("epochs_done").get<int>();
        const std::string scheduler = b.at("scheduler").get<std::string>();
        const std::string expected = parts.scheduler ? parts.scheduler->name() : "";
        if (scheduler != expected)
            fail(path, fmt::format("it was made with scheduler '{}', this fit has '{}'", scheduler, expected));
        for (const auto& [name, state] : b.at("module_generators").items()) module_states[name] = state.get<std::string>();
        history = History::from_json(b.at("history").get<std::string>());
        Generator probe;  // every saved state must load before anything changes
        probe.set_state(b.at("loader_generator").get<std::string>());
        probe.set_state(b.at("thread_generator").get<std::string>());
        for (const auto& [name, state] : module_states) probe.set_state(state);
        (void)b.at("loader_next_epoch").get<std::size_t>();
        (void)b.at("scheduler_state").get<std::vector<double>>();
    } catch (const nlohmann::json::exception& e) {
        fail(path, e.what());
    } catch (const std::invalid_argument& e) {
        fail(path, e.what());
    }
    const auto generators = parts.model.named_generators();
    if (generators.size() != module_states.size()) fail(path, "the model's random generators differ");
    for (const auto& [name, g] : generators)
        if (!module_states.count(name)) fail(path, fmt::format("no state for the generator of module '{}'", name));

    LoadResult loaded = load(parts.model, path, {.optimizer = &parts.optimizer});  // checks before it changes
    if (!loaded.optimizer_loaded) fail(path, "it holds no optimiser state");
    try {
        if (parts.scheduler) parts.scheduler->load_state(b.at("scheduler_state").get<std::vector<double>>());
        parts.loader.generator().set_state(b.at("loader_generator").get<std::string>());
        parts.loader.set_next_epoch(b.at("loader_next_epoch").get<std::size_t>());
        global_generator().set_state(b.at("thread_generator").get<std::string>());
        for (const auto& [name, g] : generators) g->set_state(module_states.at(name));
    } catch (const std::exception& e) {
        fail(path, e.what());
    }
    parts.history = std::move(history);
    return epochs_done;
}

}  // namespace tg::nn
