#pragma once
/// @ingroup nn
/// Training backups (Keras's BackupAndRestore), behind FitOptions::backup: after
/// every epoch fit writes everything needed to go on exactly where it stands,
/// and a fit started again with the same backup path resumes from it.
#include <string>

#include "../data/loader.hpp"
#include "../module.hpp"
#include "../optim/optimizer.hpp"
#include "../optim/schedulers.hpp"
#include "history.hpp"

namespace tg::nn {

/// What a backup holds besides the weights: the training's moving parts.
struct TrainingParts {
    Module& model;
    optim::Optimizer& optimizer;
    optim::LRScheduler* scheduler;  ///< may be null
    DataLoader& loader;
    History& history;
};

/// Write the backup (one safetensors file, atomically): model and optimiser
/// state, and in its metadata the epochs done, the scheduler's state, the
/// loader's generator and epoch, the calling thread's generator, every module
/// generator (Dropout) and the history.
void save_training_backup(const std::string& path, const TrainingParts& parts, int epochs_done);

/// Restore everything save_training_backup wrote into parts; returns the epochs
/// done. Checks the whole file before changing anything; throws IoError naming
/// the file when it is not a backup of this training (another model, another
/// optimiser or scheduler).
int restore_training_backup(const std::string& path, const TrainingParts& parts);

}  // namespace tg::nn
