// The header path LibTorch used before 1.13 (c10d/Types.hpp).
#pragma once

#include "torch/csrc/distributed/c10d/Types.hpp"
