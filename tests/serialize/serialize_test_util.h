// Helpers the serialize tests share: a temporary folder, file bytes, a fixture path, FNV-1a.
#pragma once
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace sertest {

// A fresh folder under the system temp dir, removed with everything in it at the end.
class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "ember-serialize-XXXXXX").string();
    char* made = ::mkdtemp(templ.data());
    if (!made) throw std::runtime_error("mkdtemp failed");
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string fixture(const std::string& name) { return std::string(EMBER_FIXTURE_DIR) + "/serialize/" + name; }

inline std::string fnv1a64(const std::string& bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char b : bytes) h = (h ^ b) * 0x100000001b3ull;
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

// The bytes of the checkpoint torch::save writes for `value` into a stream.
template <typename T>
std::string saved_bytes(const T& value) {
  std::ostringstream os;
  torch::save(value, os);
  return os.str();
}

// Every zip entry's data offset, walking the local headers from the start of the file.
inline std::vector<std::pair<std::string, uint64_t>> zip_data_offsets(const std::string& zip) {
  std::vector<std::pair<std::string, uint64_t>> out;
  auto u16 = [&](size_t at) { return uint64_t(uint8_t(zip[at])) | uint64_t(uint8_t(zip[at + 1])) << 8; };
  auto u32 = [&](size_t at) { return u16(at) | u16(at + 2) << 16; };
  size_t at = 0;
  while (at + 30 <= zip.size() && zip.compare(at, 4, "PK\x03\x04") == 0) {
    const uint64_t name_len = u16(at + 26), extra_len = u16(at + 28), size = u32(at + 18);
    const uint64_t data = at + 30 + name_len + extra_len;
    out.emplace_back(zip.substr(at + 30, name_len), data);
    at = data + size;
  }
  return out;
}

}  // namespace sertest
