// LibTorch's c10d::ProcessGroupMPI mapped onto ember::distributed::ProcessGroupMPI.
#pragma once

#include "ember/distributed/process_group_mpi.h"
#include "torch/csrc/distributed/c10d/ProcessGroup.hpp"

namespace c10d {
using ::ember::distributed::ProcessGroupMPI;
}  // namespace c10d
