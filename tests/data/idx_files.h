// Test helpers for the data tests: a temporary directory, and IDX files (raw or gzip) written in it.
#pragma once
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace data_test {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

// A fresh directory under $TMPDIR, removed with everything in it when the test ends.
struct TempDir {
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "ember_data_XXXXXX").string();
    EXPECT_NE(mkdtemp(tmpl.data()), nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (fs::path(path) / name).string(); }
  std::string path;
};

inline void put_u32(Bytes& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}

// The pixel the synthetic images hold at flat position p of image i.
inline uint8_t pixel(uint32_t i, uint32_t p) { return static_cast<uint8_t>((i * 37 + p * 11) % 256); }

inline Bytes idx_images(uint32_t count, uint32_t rows = 28, uint32_t cols = 28, uint32_t stored = UINT32_MAX) {
  Bytes b;
  put_u32(b, 0x803);
  put_u32(b, count);
  put_u32(b, rows);
  put_u32(b, cols);
  const uint32_t n = stored == UINT32_MAX ? count : stored;
  for (uint32_t i = 0; i < n; ++i)
    for (uint32_t p = 0; p < rows * cols; ++p) b.push_back(pixel(i, p));
  return b;
}

inline Bytes idx_labels(uint32_t count, uint32_t stored = UINT32_MAX) {
  Bytes b;
  put_u32(b, 0x801);
  put_u32(b, count);
  const uint32_t n = stored == UINT32_MAX ? count : stored;
  for (uint32_t i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>((i * 3 + 1) % 10));
  return b;
}

// A complete gzip member holding `raw`.
inline Bytes gzip(const Bytes& raw) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  Bytes out(deflateBound(&zs, raw.size()) + 64);
  zs.next_in = const_cast<Bytes::value_type*>(raw.data());
  zs.avail_in = static_cast<uInt>(raw.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

inline void write_file(const std::string& path, const Bytes& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(f.good()) << path;
}

// A complete MNIST directory of `count` synthetic examples for `prefix` ("train" or "t10k").
inline void write_mnist(const TempDir& dir, const std::string& prefix, uint32_t count, bool gz) {
  const std::string images = dir.file(prefix + "-images-idx3-ubyte"), labels = dir.file(prefix + "-labels-idx1-ubyte");
  write_file(gz ? images + ".gz" : images, gz ? gzip(idx_images(count)) : idx_images(count));
  write_file(gz ? labels + ".gz" : labels, gz ? gzip(idx_labels(count)) : idx_labels(count));
}

}  // namespace data_test
