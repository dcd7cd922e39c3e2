// LibTorch's c10d/Work.hpp: the process-group names it declares.
#pragma once

#include "torch/csrc/distributed/c10d/ProcessGroup.hpp"
