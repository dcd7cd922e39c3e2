// libFuzzer harness: any bytes as the data.pkl of a checkpoint (the zip's CRCs would otherwise stop
// most mutations before they reach the unpickler). Storages are zero-filled, up to 1 MB each.
#include <torch/torch.h>

#include <cstddef>
#include <cstdint>

#include "serialize/pickle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace d = ember::serialize::detail;
  auto storage = [](const std::string&, d::FileDType dtype, int64_t numel) {
    if (numel > (int64_t{1} << 18)) throw c10::Error("storage too large for the fuzzer");
    return torch::zeros({numel}, torch::TensorOptions(d::ember_dtype(dtype)));
  };
  d::UnpickleLimits limits;
  limits.torchscript_objects = true;  // LibTorch's archives' objects too
  try {
    const auto value = d::unpickle(reinterpret_cast<const char*>(data), size, storage, "fuzz", limits);
    std::vector<d::PickledStorage> storages;
    d::pickle(value, storages, false);
  } catch (const c10::Error&) {
  }
  return 0;
}
