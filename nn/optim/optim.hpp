#pragma once
// Optimisers, learning-rate schedulers and gradient clipping.
#include "adagrad.hpp"
#include "adam.hpp"
#include "optimizer.hpp"
#include "rmsprop.hpp"
#include "schedulers.hpp"
#include "sgd.hpp"
#include "clip.hpp"
