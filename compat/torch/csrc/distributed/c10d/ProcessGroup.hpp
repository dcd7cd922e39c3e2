// LibTorch's c10d names (torch/csrc/distributed/c10d/{ProcessGroup,Work,Types}.hpp) mapped onto
// ember::distributed.
#pragma once

#include "ember/distributed/process_group.h"
#include "torch/torch.h"

namespace c10 {
using ::ember::intrusive_ptr;
using ::ember::make_intrusive;
}  // namespace c10

namespace c10d {
using ::ember::distributed::AllgatherOptions;
using ::ember::distributed::AllreduceCoalescedOptions;
using ::ember::distributed::AllreduceOptions;
using ::ember::distributed::AllToAllOptions;
using ::ember::distributed::BarrierOptions;
using ::ember::distributed::BroadcastOptions;
using ::ember::distributed::GatherOptions;
using ::ember::distributed::kUnsetTimeout;
using ::ember::distributed::OpType;
using ::ember::distributed::opTypeToString;
using ::ember::distributed::ProcessGroup;
using ::ember::distributed::ReduceOp;
using ::ember::distributed::ReduceOptions;
using ::ember::distributed::ReduceScatterOptions;
using ::ember::distributed::ScatterOptions;
using ::ember::distributed::Work;
}  // namespace c10d

// LibTorch declares these two outside any namespace.
using ::ember::distributed::kNoTimeout;
using ::ember::distributed::kProcessGroupDefaultTimeout;
