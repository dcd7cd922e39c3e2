// libFuzzer harness: any bytes as a checkpoint file (PyTorch zip, LibTorch archive, safetensors,
// bare pickle). Loading must end in a value or an ember::Error; a loaded value is saved again and
// loaded into a module, which must not crash either.
#include <torch/torch.h>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto value = torch::serialize::load_ivalue(reinterpret_cast<const char*>(data), size);
    const auto again = torch::pickle_save(value);
    torch::pickle_load(again);
    torch::nn::Linear model(2, 3);
    torch::serialize::load_state_dict(*model, value, /*strict=*/false);
  } catch (const c10::Error&) {
  }
  return 0;
}
