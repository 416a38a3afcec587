#pragma once
// tapegrad's neural-network library: modules and layers, losses, initialisers,
// optimisers and schedulers, gradient clipping.
// Everything here takes its gradients from the autodiff engine (graph/).
// See nn/README.md for a tour.
#include "activations.hpp"
#include "clip.hpp"
#include "containers.hpp"
#include "dropout.hpp"
#include "init.hpp"
#include "linear.hpp"
#include "losses.hpp"
#include "mlp.hpp"
#include "module.hpp"
#include "optim/optim.hpp"
