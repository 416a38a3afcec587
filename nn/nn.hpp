#pragma once
// tapegrad's neural-network library. Everything here takes its gradients from
// the autodiff engine (graph/). See nn/README.md for a tour and its layout.
#include "init.hpp"
#include "module.hpp"
// layers
#include "layers/activations.hpp"
#include "layers/containers.hpp"
#include "layers/conv.hpp"
#include "layers/dropout.hpp"
#include "layers/embedding.hpp"
#include "layers/linear.hpp"
#include "layers/mlp.hpp"
#include "layers/norm.hpp"
#include "layers/recurrent.hpp"
// attention, Transformer encoder, positional encodings
#include "layers/attention.hpp"
#include "layers/positional.hpp"
#include "layers/transformer.hpp"
// losses, optimisers, schedulers, gradient clipping
#include "losses/losses.hpp"
#include "optim/optim.hpp"
// data sets, loader, splits, standardisation, CSV
#include "data/csv.hpp"
#include "data/csv_parse.hpp"
#include "data/csv_stream.hpp"
#include "data/dataset.hpp"
#include "data/file_ranges.hpp"
#include "data/gzip.hpp"
#include "data/idx.hpp"
#include "data/line_reader.hpp"
#include "data/loader.hpp"
#include "data/number.hpp"
#include "data/split.hpp"
#include "data/standardizer.hpp"
// the training loop
#include "training/callbacks.hpp"
#include "training/fit.hpp"
#include "training/history.hpp"
#include "training/progress.hpp"
#include "metrics/metrics.hpp"
#include "metrics/multiclass.hpp"
// files: safetensors, model checkpoints, atomic writes, same-file checks, plots
#include "io/atomic_file.hpp"
#include "io/checkpoint.hpp"
#include "io/plot.hpp"
#include "io/safetensors.hpp"
#include "io/same_file.hpp"
