// ZipReader and ZipWriter over libzip (see zip.h).
#include "serialize/zip.h"

#include <zip.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "ember/core/error.h"

namespace ember {
namespace serialize {
namespace detail {

namespace {
std::string zip_error_text(zip_error_t* e) {
  const char* s = zip_error_strerror(e);
  return s ? s : "unknown libzip error";
}
// Deflate cannot expand data by more than about 1032:1; a larger claim is a lie meant to make us
// allocate.
constexpr uint64_t kMaxCompressionRatio = 1100;
}  // namespace

struct ZipReader::Impl {
  // Owned here rather than by ZipReader, so that it is also closed when the constructor throws.
  zip_t* archive = nullptr;
  std::unordered_map<std::string, int64_t> index;
  std::vector<uint64_t> sizes;
  ~Impl() {
    if (archive) zip_discard(archive);
  }
};

ZipReader::ZipReader(const char* data, size_t size, std::string what)
    : impl_(std::make_unique<Impl>()), what_(std::move(what)) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(data, size, 0, &err);
  if (!src) {
    std::string msg = zip_error_text(&err);
    zip_error_fini(&err);
    fail(what_, ": cannot read the zip archive: ", msg);
  }
  // ZIP_CHECKCONS compares each local header with the central directory, so an entry cannot
  // claim one size in one place and another elsewhere.
  impl_->archive = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
  if (!impl_->archive) {
    zip_source_free(src);
    std::string msg = zip_error_text(&err);
    zip_error_fini(&err);
    fail(what_, ": not a valid zip archive (", msg, ")");
  }
  zip_error_fini(&err);
  const zip_int64_t n = zip_get_num_entries(impl_->archive, 0);
  EMBER_CHECK(n >= 0, what_, ": cannot list the zip archive's entries");
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(impl_->archive, static_cast<zip_uint64_t>(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
        !(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE))
      fail(what_, ": zip entry ", i, " has an unreadable header");
    std::string name = st.name;
    if (st.comp_size > size) fail(what_, ": zip entry '", name, "' claims ", st.comp_size, " bytes in a file of ", size);
    const bool stored = (st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method == ZIP_CM_STORE;
    if (stored ? st.size != st.comp_size : st.size / kMaxCompressionRatio > st.comp_size + 64)
      fail(what_, ": zip entry '", name, "' claims ", st.size, " bytes from ", st.comp_size, " compressed bytes");
    if (!impl_->index.emplace(name, i).second) fail(what_, ": zip entry '", name, "' appears twice");
    names_.push_back(std::move(name));
    impl_->sizes.push_back(st.size);
  }
}

ZipReader::~ZipReader() = default;

bool ZipReader::has(const std::string& name) const { return impl_->index.count(name) != 0; }

int64_t ZipReader::index_of(const std::string& name) const {
  auto it = impl_->index.find(name);
  if (it == impl_->index.end()) fail(what_, ": the zip archive has no entry '", name, "'");
  return it->second;
}

uint64_t ZipReader::size_of(const std::string& name) const {
  return impl_->sizes[static_cast<size_t>(index_of(name))];
}

void ZipReader::read_into(const std::string& name, void* dst, uint64_t n) const {
  const int64_t i = index_of(name);
  const uint64_t total = impl_->sizes[static_cast<size_t>(i)];
  EMBER_CHECK(n <= total, what_, ": zip entry '", name, "' has ", total, " bytes, fewer than the ", n, " needed");
  zip_file_t* f = zip_fopen_index(impl_->archive, static_cast<zip_uint64_t>(i), 0);
  if (!f) fail(what_, ": cannot open zip entry '", name, "': ", zip_strerror(impl_->archive));
  char scratch[1 << 14];
  uint64_t done = 0;
  std::string problem;
  while (done < total) {
    char* out = done < n ? static_cast<char*>(dst) + done : scratch;
    const uint64_t want = done < n ? n - done : std::min<uint64_t>(total - done, sizeof scratch);
    const zip_int64_t got = zip_fread(f, out, want);
    if (got < 0) {
      problem = zip_file_strerror(f);
      break;
    }
    if (got == 0) {
      problem = "it ends early";
      break;
    }
    done += static_cast<uint64_t>(got);
  }
  // One more read past the end is where libzip compares the CRC for a compressed entry.
  if (problem.empty() && zip_fread(f, scratch, 1) != 0) problem = zip_file_strerror(f);
  zip_fclose(f);
  if (!problem.empty()) fail(what_, ": zip entry '", name, "' is corrupt (", problem, ")");
}

std::string ZipReader::read(const std::string& name, uint64_t limit) const {
  const uint64_t n = size_of(name);
  EMBER_CHECK(n <= limit, what_, ": zip entry '", name, "' has ", n, " bytes, more than the limit of ", limit);
  std::string out(static_cast<size_t>(n), '\0');
  read_into(name, out.data(), n);
  return out;
}

// ---- writer ----

struct ZipWriter::Impl {
  zip_source_t* buffer = nullptr;
  zip_t* archive = nullptr;
  ~Impl() {
    if (archive) zip_discard(archive);
    if (buffer) zip_source_free(buffer);
  }
};

ZipWriter::ZipWriter(std::string what) : impl_(std::make_unique<Impl>()), what_(std::move(what)) {
  zip_error_t err;
  zip_error_init(&err);
  impl_->buffer = zip_source_buffer_create(nullptr, 0, 0, &err);
  if (impl_->buffer) impl_->archive = zip_open_from_source(impl_->buffer, ZIP_TRUNCATE, &err);
  if (!impl_->archive) {
    const std::string msg = zip_error_text(&err);
    zip_error_fini(&err);
    fail(what_, ": cannot start a zip archive: ", msg);
  }
  zip_error_fini(&err);
  // The archive now holds one reference to the buffer; this keeps another, to read the bytes
  // back after zip_close.
  zip_source_keep(impl_->buffer);
}

ZipWriter::~ZipWriter() = default;

void ZipWriter::add(const std::string& name, const void* data, size_t size) {
  zip_t* za = impl_->archive;
  EMBER_CHECK(za, what_, ": zip archive already finished");
  zip_source_t* s = zip_source_buffer(za, data, size, 0);
  EMBER_CHECK(s, what_, ": cannot add zip entry '", name, "': ", zip_strerror(za));
  const zip_int64_t idx = zip_file_add(za, name.c_str(), s, ZIP_FL_ENC_UTF_8);
  if (idx < 0) {
    zip_source_free(s);
    fail(what_, ": cannot add zip entry '", name, "': ", zip_strerror(za));
  }
  const auto i = static_cast<zip_uint64_t>(idx);
  // PyTorch's layout: stored, a fixed date (so equal checkpoints are equal files), and the data
  // of each entry at a multiple of 64 bytes, padded by an "FB" extra field of 'Z's in the local
  // header, so that readers can map tensors straight from the file.
  constexpr uint64_t kLocalHeader = 30, kExtraHeader = 4;
  const uint64_t unpadded = offset_ + kLocalHeader + name.size() + kExtraHeader;
  const uint64_t pad = (64 - unpadded % 64) % 64;
  const std::string padding(pad, 'Z');
  if (zip_set_file_compression(za, i, ZIP_CM_STORE, 0) != 0 || zip_file_set_dostime(za, i, 0, 0x21, 0) != 0 ||
      zip_file_extra_field_set(za, i, 0x4246, ZIP_EXTRA_FIELD_NEW, reinterpret_cast<const zip_uint8_t*>(padding.data()),
                               static_cast<zip_uint16_t>(pad), ZIP_FL_LOCAL) != 0)
    fail(what_, ": cannot set up zip entry '", name, "': ", zip_strerror(za));
  offset_ = unpadded + pad + size;
}

void ZipWriter::finish(const std::function<void(const char*, size_t)>& sink) {
  zip_t* za = impl_->archive;
  EMBER_CHECK(za, what_, ": zip archive already finished");
  if (zip_close(za) != 0) fail(what_, ": cannot write the zip archive: ", zip_strerror(za));
  impl_->archive = nullptr;
  zip_source_t* src = impl_->buffer;
  if (zip_source_open(src) != 0) fail(what_, ": cannot read back the zip archive");
  char chunk[1 << 16];
  for (;;) {
    const zip_int64_t got = zip_source_read(src, chunk, sizeof chunk);
    if (got < 0) {
      zip_source_close(src);
      fail(what_, ": cannot read back the zip archive");
    }
    if (got == 0) break;
    sink(chunk, static_cast<size_t>(got));
  }
  zip_source_close(src);
}

}  // namespace detail
}  // namespace serialize
}  // namespace ember
