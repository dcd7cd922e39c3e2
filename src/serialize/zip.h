// Zip archives through libzip: a reader over bytes in memory that checks every entry against the
// archive, and an in-memory writer that stores entries uncompressed at 64-byte aligned offsets.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ember {
namespace serialize {
namespace detail {

class ZipReader {
 public:
  // `data` must outlive the reader; `what` names the file in error messages.
  ZipReader(const char* data, size_t size, std::string what);
  ~ZipReader();
  ZipReader(const ZipReader&) = delete;
  ZipReader& operator=(const ZipReader&) = delete;

  const std::vector<std::string>& names() const { return names_; }
  bool has(const std::string& name) const;
  uint64_t size_of(const std::string& name) const;
  // The whole entry; refuses entries larger than `limit` bytes.
  std::string read(const std::string& name, uint64_t limit) const;
  // The first `n` bytes of the entry into `dst` (n <= size_of(name)); reads the rest too, so
  // that libzip checks the entry's CRC.
  void read_into(const std::string& name, void* dst, uint64_t n) const;
  const std::string& what() const { return what_; }

 private:
  int64_t index_of(const std::string& name) const;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<std::string> names_;
  std::string what_;
};

class ZipWriter {
 public:
  explicit ZipWriter(std::string what);
  ~ZipWriter();
  ZipWriter(const ZipWriter&) = delete;
  ZipWriter& operator=(const ZipWriter&) = delete;
  // Adds an uncompressed entry; `data` must stay valid until finish().
  void add(const std::string& name, const void* data, size_t size);
  // Writes the archive and hands its bytes to `sink` in pieces.
  void finish(const std::function<void(const char*, size_t)>& sink);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string what_;
  uint64_t offset_ = 0;
};

}  // namespace detail
}  // namespace serialize
}  // namespace ember
