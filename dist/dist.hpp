#pragma once
// tg::dist: data-parallel training over MPI (a library of its own:
// link tapegrad_dist). See the README, "Training on several machines".
#include "collectives.hpp"
#include "ddp.hpp"
#include "environment.hpp"
#include "sampler.hpp"
#include "strategy.hpp"
