// MNIST-format IDX files, raw or gzip-compressed, read into one uint8 pixels tensor and one
// targets tensor. Every file is treated as hostile: sizes are bounded by what the file can hold before
// anything is allocated, and every disagreement is an error naming the file.
#include <sys/mman.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <system_error>
#include <vector>

#include "ember/core/error.h"
#include "ember/data/datasets.h"
#include "ember/ops/factory.h"

namespace ember {
namespace data {
namespace datasets {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kSide = 28;
// deflate cannot expand data more than about 1032:1, so a gzip file of n bytes cannot hold more
// than this many bytes; a header promising more is lying, and is refused before allocating.
constexpr uint64_t kMaxDeflateRatio = 1032;

template <typename... Args>
[[noreturn]] void bad_file(const std::string& path, const Args&... args) {
  fail("MNIST: ", path, ": ", args...);
}

// The bytes of one file, decompressed on the fly when it is gzip.
class ByteSource {
 public:
  ByteSource(std::string path, bool gzip) : path_(std::move(path)), gzip_(gzip) {
    std::error_code ec;
    const auto status = fs::status(path_, ec);
    if (ec || !fs::exists(status)) bad_file(path_, "cannot open: ", ec ? ec.message() : "no such file");
    if (!fs::is_regular_file(status)) bad_file(path_, "is not a regular file");
    file_size_ = fs::file_size(path_, ec);
    if (ec) bad_file(path_, "cannot read its size: ", ec.message());
    file_.reset(std::fopen(path_.c_str(), "rb"));
    if (!file_) bad_file(path_, "cannot open: ", std::strerror(errno));
    if (gzip_) {
      std::memset(&zs_, 0, sizeof zs_);
      // 16 + MAX_WBITS: a gzip wrapper (header and CRC trailer), not a bare zlib stream.
      if (inflateInit2(&zs_, 16 + MAX_WBITS) != Z_OK) bad_file(path_, "cannot start zlib");
      zs_open_ = true;
      in_.resize(size_t(1) << 16);
    }
  }
  ~ByteSource() {
    if (zs_open_) inflateEnd(&zs_);
  }
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

  const std::string& path() const { return path_; }
  bool gzip() const { return gzip_; }
  uint64_t file_size() const { return file_size_; }
  // At most this many bytes can still come out of read().
  uint64_t bound_remaining() const {
    return gzip_ ? file_size_ * kMaxDeflateRatio + 1024 : file_size_ - std::min(file_size_, consumed_);
  }

  // Fills dst with up to n bytes; fewer only at the end of the data.
  size_t read(uint8_t* dst, size_t n) {
    const size_t got = gzip_ ? inflate_into(dst, n) : read_raw(dst, n);
    consumed_ += got;
    return got;
  }

 private:
  size_t read_raw(uint8_t* dst, size_t n) {
    size_t got = 0;
    while (got < n) {
      const size_t r = std::fread(dst + got, 1, n - got, file_.get());
      if (r == 0) {
        if (std::ferror(file_.get())) bad_file(path_, "read error: ", std::strerror(errno));
        break;
      }
      got += r;
    }
    return got;
  }

  size_t inflate_into(uint8_t* dst, size_t n) {
    size_t got = 0;
    while (got < n) {
      if (zs_.avail_in == 0 && !file_eof_) {
        const size_t r = std::fread(in_.data(), 1, in_.size(), file_.get());
        if (r == 0) {
          if (std::ferror(file_.get())) bad_file(path_, "read error: ", std::strerror(errno));
          file_eof_ = true;
        }
        zs_.next_in = in_.data();
        zs_.avail_in = static_cast<uInt>(r);
      }
      if (zs_.avail_in == 0) {
        if (member_ended_) break;  // a clean end of the last gzip member
        bad_file(path_, file_size_ == 0 ? "is empty (expected gzip data)"
                                        : "truncated: the gzip stream ends before its data is complete");
      }
      if (member_ended_) {
        // More input after a complete member: gzip allows several members back to back.
        if (inflateReset(&zs_) != Z_OK) bad_file(path_, "cannot restart zlib");
        member_ended_ = false;
      }
      const size_t chunk = std::min<size_t>(n - got, size_t(1) << 30);
      const uInt avail_in = zs_.avail_in;
      zs_.next_out = dst + got;
      zs_.avail_out = static_cast<uInt>(chunk);
      const int rc = inflate(&zs_, Z_NO_FLUSH);
      got += chunk - zs_.avail_out;
      if (rc == Z_BUF_ERROR && zs_.avail_in == avail_in && zs_.avail_out == chunk)
        bad_file(path_, "corrupt gzip data (zlib can make no progress)");
      if (rc == Z_STREAM_END) {
        member_ended_ = true;
      } else if (rc == Z_MEM_ERROR) {
        bad_file(path_, "out of memory while decompressing");
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        bad_file(path_, "corrupt gzip data (zlib: ", zs_.msg ? zs_.msg : "unknown error", ")",
                 consumed_ + got == 0 ? "; is it really a .gz file?" : "");
      }
    }
    return got;
  }

  std::string path_;
  bool gzip_;
  uint64_t file_size_ = 0;
  uint64_t consumed_ = 0;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_{nullptr, &std::fclose};
  z_stream zs_;
  bool zs_open_ = false;
  bool file_eof_ = false;
  bool member_ended_ = false;
  std::vector<uint8_t> in_;
};

// Buffers filled once and in full are worth backing with transparent huge pages: on the VMs ember is
// developed on, first touch of 4 KiB pages made up most of the load time (0.6 s for the 188 MB of
// Fashion-MNIST train images, 0.02 s with huge pages). Only a hint; nothing changes if it is refused.
void advise_huge_pages(void* p, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t(1) << 21;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

// A byte buffer that is not zero-filled, since every byte is about to be overwritten.
struct Bytes {
  void resize(size_t n) {
    std::unique_ptr<uint8_t[]> bigger(new (std::nothrow) uint8_t[n]);
    if (!bigger) fail("MNIST: not enough memory for ", n, " bytes of IDX data");
    advise_huge_pages(bigger.get(), n);
    if (size) std::memcpy(bigger.get(), data.get(), std::min(size, n));
    data = std::move(bigger);
    size = n;
  }
  std::unique_ptr<uint8_t[]> data;
  size_t size = 0;
};

uint32_t big_endian(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

// The raw file if present, else the .gz one; an error naming both when neither exists.
std::unique_ptr<ByteSource> open_idx(const std::string& root, const std::string& name) {
  const std::string raw = (fs::path(root) / name).string();
  const std::string gz = raw + ".gz";
  std::error_code ec;
  if (fs::exists(raw, ec)) return std::make_unique<ByteSource>(raw, false);
  if (fs::exists(gz, ec)) return std::make_unique<ByteSource>(gz, true);
  fail("MNIST: cannot find ", name, " or ", name, ".gz in '", root, "'",
       fs::is_directory(root, ec) ? ""
       : fs::exists(root, ec)     ? " (not a directory)"
                                  : " (no such directory)");
}

// One IDX file of unsigned bytes: checks the magic number for `dims` dimensions, reads the sizes,
// and returns the data, whose length the header fixes.
struct Idx {
  std::vector<uint32_t> sizes;
  Bytes data;
};

Idx read_idx(ByteSource& src, uint32_t dims, const char* kind) {
  const std::string& path = src.path();
  uint8_t header[16];
  const size_t header_bytes = 4 + 4 * size_t(dims);
  const size_t got = src.read(header, 4);
  if (got < 4)
    bad_file(path, got == 0 ? "is empty" : "truncated: ends inside the header", " (expected an IDX ", kind, " file)");
  if (!src.gzip() && header[0] == 0x1f && header[1] == 0x8b)
    bad_file(path, "is gzip-compressed but its name does not end in .gz");
  const uint32_t magic = big_endian(header);
  const uint32_t expected = 0x0800u | dims;
  if (magic != expected) {
    const char* hint = magic == 0x0801u   ? " (this is a labels file)"
                       : magic == 0x0803u ? " (this is an images file)"
                                          : "";
    char buf[128];
    std::snprintf(buf, sizeof buf, "wrong magic number 0x%08x, expected 0x%08x", magic, expected);
    bad_file(path, buf, " for an IDX ", kind, " file of unsigned bytes with ", dims, " dimension", dims == 1 ? "" : "s",
             hint);
  }
  if (src.read(header + 4, header_bytes - 4) < header_bytes - 4) bad_file(path, "truncated: ends inside the header");
  Idx idx;
  for (uint32_t d = 0; d < dims; ++d) idx.sizes.push_back(big_endian(header + 4 + 4 * d));
  if (dims == 3 && (idx.sizes[1] != kSide || idx.sizes[2] != kSide))
    bad_file(path, "images are ", idx.sizes[1], "x", idx.sizes[2], " pixels, expected ", kSide, "x", kSide);
  // At most 2^32 * 28 * 28: no overflow.
  uint64_t payload = 1;
  for (uint32_t s : idx.sizes) payload *= s;
  const uint64_t bound = src.bound_remaining();
  if (payload > bound) {
    bad_file(path, "truncated or corrupt: the header promises ", idx.sizes[0], " ", kind, " (", payload,
             " bytes) but the file ", src.gzip() ? "can hold at most " : "holds only ", bound,
             " bytes after its header");
  }
  // A gzip file's promise is only bounded loosely, so the buffer grows with the data that really
  // arrives instead of trusting the header.
  const uint64_t start = src.gzip() ? std::min<uint64_t>(payload, src.file_size() * 4 + (uint64_t(1) << 20)) : payload;
  idx.data.resize(static_cast<size_t>(start));
  uint64_t have = 0;
  while (have < payload) {
    if (have == idx.data.size) idx.data.resize(static_cast<size_t>(std::min<uint64_t>(payload, have * 2)));
    const size_t n = src.read(idx.data.data.get() + have, idx.data.size - have);
    if (n == 0) break;
    have += n;
  }
  if (have < payload) {
    bad_file(path, "truncated: the header promises ", idx.sizes[0], " ", kind, " (", payload,
             " bytes) but the data ends after ", have, " bytes");
  }
  uint8_t extra;
  if (src.read(&extra, 1) != 0)
    bad_file(path, "has data past the ", idx.sizes[0], " ", kind,
             " its header promises (corrupt header or wrong file)");
  return idx;
}

}  // namespace

MNIST::MNIST(const std::string& root, Mode mode) : train_(mode == Mode::kTrain) {
  const std::string prefix = train_ ? "train" : "t10k";
  auto image_src = open_idx(root, prefix + "-images-idx3-ubyte");
  auto label_src = open_idx(root, prefix + "-labels-idx1-ubyte");
  Idx images = read_idx(*image_src, 3, "images");
  Idx labels = read_idx(*label_src, 1, "labels");
  if (images.sizes[0] != labels.sizes[0]) {
    fail("MNIST: ", image_src->path(), " holds ", images.sizes[0], " images but ", label_src->path(), " holds ",
         labels.sizes[0], " labels; they must match");
  }
  const int64_t n = images.sizes[0];
  // The pixels stay bytes: a float copy of Fashion-MNIST's training set is 188 MB, the bytes 47 MB.
  pixels_ = empty({n, 1, int64_t(kSide), int64_t(kSide)}, kByte);
  advise_huge_pages(pixels_.data_ptr<uint8_t>(), pixels_.nbytes());
  if (images.data.size != 0) std::memcpy(pixels_.data_ptr<uint8_t>(), images.data.data.get(), images.data.size);
  targets_ = empty({n}, kLong);
  int64_t* target = targets_.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) target[i] = labels.data.data[static_cast<size_t>(i)];
}

namespace {
// pixel / 255 in float: the value LibTorch's to(kFloat32).div_(255) gives, for one example or all.
void decode_pixels(const uint8_t* in, float* out, size_t count) {
  for (size_t i = 0; i < count; ++i) out[i] = static_cast<float>(in[i]) / 255.0f;
}
// Guards the lazily made float images of every MNIST object (made once per object).
std::mutex images_mutex;
}  // namespace

Example<> MNIST::get(size_t index) {
  EMBER_CHECK(index < static_cast<size_t>(pixels_.size(0)), "MNIST: index ", index,
              " is out of range for a data set of ", pixels_.size(0), " examples");
  const auto i = static_cast<int64_t>(index);
  constexpr size_t kPixels = size_t(kSide) * kSide;
  Tensor image = empty({1, int64_t(kSide), int64_t(kSide)}, kFloat);
  decode_pixels(pixels_.data_ptr<uint8_t>() + index * kPixels, image.data_ptr<float>(), kPixels);
  return {image, targets_[i]};
}

std::optional<size_t> MNIST::size() const { return static_cast<size_t>(pixels_.size(0)); }
bool MNIST::is_train() const noexcept { return train_; }
const Tensor& MNIST::images() const {
  std::lock_guard<std::mutex> lock(images_mutex);
  if (!images_.defined()) {
    // Decoded straight into the one images tensor (a generic uint8 -> float to() costs several
    // times more here).
    Tensor images = empty(pixels_.sizes(), kFloat);
    float* out = images.data_ptr<float>();
    advise_huge_pages(out, images.nbytes());
    decode_pixels(pixels_.data_ptr<uint8_t>(), out, static_cast<size_t>(pixels_.numel()));
    images_ = images;
  }
  return images_;
}
const Tensor& MNIST::targets() const { return targets_; }

}  // namespace datasets
}  // namespace data
}  // namespace ember
