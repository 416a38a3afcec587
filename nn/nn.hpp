#pragma once
// tapegrad's neural-network library: modules and layers, losses, initialisers,
// optimisers and schedulers, gradient clipping, data sets and CSV, metrics,
// the fit() training loop, and safetensors save/load.
// Everything here takes its gradients from the autodiff engine (graph/).
// See nn/README.md for a tour.
#include "activations.hpp"
#include "clip.hpp"
#include "containers.hpp"
#include "csv.hpp"
#include "data.hpp"
#include "dropout.hpp"
#include "init.hpp"
#include "io/safetensors.hpp"
#include "linear.hpp"
#include "losses.hpp"
#include "metrics.hpp"
#include "mlp.hpp"
#include "module.hpp"
#include "optim/optim.hpp"
#include "train.hpp"
// conv, pooling, normalisation, embedding, recurrent layers
#include "batchnorm.hpp"
#include "conv.hpp"
#include "embedding.hpp"
#include "recurrent.hpp"
