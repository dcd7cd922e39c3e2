// libFuzzer harness: an MNIST directory (images and labels IDX files, each raw or gzip) written from
// the input and read with datasets::MNIST. Reading must end in a data set or an ember::Error; a data
// set read must hold what its header promised.
//
// Input layout (fuzz/make_idx_seeds.py writes the seeds, fuzz/corpus/idx/): byte 0 is flags (bit 0: the images
// file is named .gz, bit 1: the labels file is), bytes 1-4 the images file's length (little endian,
// clamped to what is there), then the images file, then the labels file.
#include <torch/torch.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

namespace fs = std::filesystem;

namespace {

// A directory of this process's own, removed at exit. A plain array, not a std::string: the
// exit handler runs after the destructors of statics made later than its registration.
char g_dir[4096];

const char* work_dir() {
  if (!g_dir[0]) {
    const std::string tmpl = (fs::temp_directory_path() / "ember_fuzz_idx_XXXXXX").string();
    if (tmpl.size() >= sizeof g_dir) std::abort();
    std::memcpy(g_dir, tmpl.c_str(), tmpl.size() + 1);
    if (!mkdtemp(g_dir)) std::abort();
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(g_dir, ec);
    });
  }
  return g_dir;
}

// Writes `name` (plain or with .gz) and removes the other spelling, which the reader would prefer
// or fall back to.
void put(const std::string& name, bool gz, const uint8_t* data, size_t size) {
  const std::string raw = std::string(work_dir()) + "/" + name, gzip = raw + ".gz";
  std::remove(gz ? raw.c_str() : gzip.c_str());
  std::FILE* f = std::fopen((gz ? gzip : raw).c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 5) return 0;
  const uint8_t flags = data[0];
  size_t images_size = size_t(data[1]) | size_t(data[2]) << 8 | size_t(data[3]) << 16 | size_t(data[4]) << 24;
  data += 5, size -= 5;
  if (images_size > size) images_size = size;
  put("t10k-images-idx3-ubyte", flags & 1, data, images_size);
  put("t10k-labels-idx1-ubyte", flags & 2, data + images_size, size - images_size);
  try {
    torch::data::datasets::MNIST mnist(work_dir(), torch::data::datasets::MNIST::Mode::kTest);
    const int64_t n = static_cast<int64_t>(*mnist.size());
    const auto& images = mnist.images();
    const auto& targets = mnist.targets();
    if (images.sizes() != torch::IntArrayRef({n, 1, 28, 28}) || targets.sizes() != torch::IntArrayRef({n}))
      std::abort();
    if (n > 0) {
      if (images.min().item<float>() < 0 || images.max().item<float>() > 1) std::abort();
      if (targets.min().item<int64_t>() < 0 || targets.max().item<int64_t>() > 255) std::abort();
      auto last = mnist.get(static_cast<size_t>(n - 1));
      if (last.data.sizes() != torch::IntArrayRef({1, 28, 28})) std::abort();
    }
    mnist.get(static_cast<size_t>(n));  // one past the end: an error
    std::abort();
  } catch (const c10::Error&) {
  }
  return 0;
}
