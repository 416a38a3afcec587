#pragma once
/// @ingroup nn
/// Model checkpoints: a module's state_dict, optionally its optimiser's state and
/// extra tensors, in one safetensors file (the format itself: safetensors.hpp).
#include <string>

#include "../module.hpp"
#include "safetensors.hpp"

namespace tg::optim {
class Optimizer;
}

namespace tg::nn {

struct SaveOptions {
    /// Also save this optimiser's state (entries "__optimizer__.0.exp_avg", ...;
    /// PyTorch's load_state_dict then needs strict=False or those keys dropped).
    const optim::Optimizer* optimizer = nullptr;
    /// More tensors to store beside the model (e.g. a Standardizer's state). Their
    /// names must not clash with the model's; they are listed in the metadata.
    NamedTensors extra{};
    Metadata metadata{};
};

/// Save a module's state_dict (PyTorch's names: "0.weight", "layers.1.bias") as safetensors.
void save(const Module& model, const std::string& path, const SaveOptions& options = {});

struct LoadOptions {
    /// Restore this optimiser's state too, if the file has it (see LoadResult).
    optim::Optimizer* optimizer = nullptr;
    /// Every name of the model must be in the file, and the file may hold no name
    /// that is neither the model's, nor the optimiser's, nor a listed extra.
    bool strict = true;
};

struct LoadResult {
    Metadata metadata;
    NamedTensors extra;             ///< the tensors saved with SaveOptions::extra
    bool optimizer_loaded = false;  ///< the file had optimiser state and it was restored
    bool checksum_verified = false;
};

/// Load a file written by save() (or by PyTorch's safetensors.torch.save_file for
/// the same architecture) into model, in place. Checks names, shapes and dtypes of
/// everything, and with an optimiser its name, its state and the saved
/// hyperparameters (the learning rate must be a finite number >= 0), before
/// changing anything: on error the model and the optimiser are left as they were.
/// Throws IoError (file problems) or std::invalid_argument / ShapeError / DTypeError
/// (a file for another model), naming the file and the entry.
LoadResult load(Module& model, const std::string& path, const LoadOptions& options = {});

}  // namespace tg::nn
