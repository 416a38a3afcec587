#pragma once
// Optimisers and learning-rate schedulers.
#include "adagrad.hpp"
#include "adam.hpp"
#include "optimizer.hpp"
#include "rmsprop.hpp"
#include "schedulers.hpp"
#include "sgd.hpp"
