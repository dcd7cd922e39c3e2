// libFuzzer harness: any bytes after a valid 8-byte header length, as a safetensors file.
#include <torch/torch.h>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The length prefix is taken from the input when it fits, so mutations also reach the JSON.
  std::string file(reinterpret_cast<const char*>(data), size);
  if (file.size() >= 9) file[8] = '{';
  try {
    torch::serialize::load_ivalue(file.data(), file.size());
  } catch (const c10::Error&) {
  }
  return 0;
}
