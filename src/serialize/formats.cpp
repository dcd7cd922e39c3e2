// PyTorch zip checkpoints and safetensors files: reading with every size and offset checked
// before use, writing in the layouts Python's readers expect; atomic file writes.
#include "serialize/formats.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

#include "ember/autograd/grad_mode.h"
#include "ember/ops/factory.h"
#include "serialize/pickle.h"
#include "serialize/zip.h"

namespace ember {
namespace serialize {
namespace detail {

Format detect_format(const char* data, size_t size) {
  if (size >= 4 && std::memcmp(data, "PK\x03\x04", 4) == 0) return Format::PyTorchZip;
  if (size >= 4 && std::memcmp(data, "PK\x05\x06", 4) == 0) return Format::PyTorchZip;
  // torch.save before 1.6 began with a pickled magic number, 0x1950a86a20f9469cfc6c, as LONG1.
  static const char kLegacy[] = "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19";
  if (size >= 14 && std::memcmp(data, kLegacy, 14) == 0) return Format::LegacyTorchSave;
  if (size >= 1 && static_cast<unsigned char>(data[0]) == 0x80) return Format::Pickle;
  if (size >= 9 && data[8] == '{') return Format::Safetensors;
  return Format::Unknown;
}

// ---- PyTorch zip ----

namespace {
// data.pkl of a state dict is a few bytes per tensor; this only stops absurd claims.
constexpr uint64_t kMaxPickleBytes = uint64_t{1} << 30;

std::string find_archive_prefix(const ZipReader& zip) {
  std::string prefix;
  for (const auto& name : zip.names()) {
    const auto slash = name.find('/');
    if (slash == std::string::npos || name.compare(slash, std::string::npos, "/data.pkl") != 0) continue;
    if (!prefix.empty()) fail(zip.what(), ": the zip archive holds two data.pkl records ('", prefix, "data.pkl' and '", name, "')");
    prefix = name.substr(0, slash + 1);
  }
  if (prefix.empty()) {
    if (zip.has("data.pkl")) return "";
    fail(zip.what(), ": the zip archive has no data.pkl record, so it is not a PyTorch checkpoint");
  }
  return prefix;
}

bool valid_storage_key(const std::string& key) {
  if (key.empty() || key.size() > 64) return false;
  for (char c : key)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return false;
  return key != "." && key != "..";
}
}  // namespace

IValue read_pt(const char* data, size_t size, const std::string& what) {
  ZipReader zip(data, size, what);
  const std::string prefix = find_archive_prefix(zip);
  if (zip.has(prefix + "byteorder")) {
    const std::string order = zip.read(prefix + "byteorder", 16);
    if (order != "little") fail(what, ": the checkpoint's byte order is '", order, "'; only little-endian files are supported");
  }
  if (zip.has(prefix + "version")) {
    const std::string v = zip.read(prefix + "version", 16);
    int version = 0;
    size_t i = 0;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])) && version < 1000) version = version * 10 + (v[i++] - '0');
    while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) ++i;
    if (i != v.size() || version < 1 || version > 20)
      fail(what, ": the checkpoint's version record is not a format version ember reads (1 to 20)");
  }
  const std::string pickle_bytes = zip.read(prefix + "data.pkl", kMaxPickleBytes);

  struct Loaded {
    FileDType dtype;
    int64_t numel;
    Tensor flat;
  };
  std::map<std::string, Loaded> loaded;
  StorageLoader loader = [&](const std::string& key, FileDType dtype, int64_t numel) -> Tensor {
    auto it = loaded.find(key);
    if (it != loaded.end()) {
      if (it->second.dtype != dtype || it->second.numel != numel)
        fail(what, ": storage '", key, "' is referred to with two different types or sizes");
      return it->second.flat;
    }
    if (!valid_storage_key(key)) fail(what, ": storage key '", key.substr(0, 64), "' is not a valid record name");
    const std::string record = prefix + "data/" + key;
    if (!zip.has(record)) fail(what, ": storage '", key, "' is missing (no record '", record, "')");
    const size_t elem = file_element_size(dtype);
    uint64_t nbytes;
    if (__builtin_mul_overflow(static_cast<uint64_t>(numel), elem, &nbytes) || nbytes > zip.size_of(record))
      fail(what, ": storage '", key, "' claims ", numel, " elements of ", elem, " bytes but its record holds ",
           zip.size_of(record), " bytes");
    Tensor flat = empty({numel}, TensorOptions(ember_dtype(dtype)));
    if (nbytes > 0) {
      if (element_size(ember_dtype(dtype)) == elem && dtype != FileDType::Bool) {
        zip.read_into(record, flat.data_ptr(), nbytes);
      } else {
        std::string raw(static_cast<size_t>(nbytes), '\0');
        zip.read_into(record, raw.data(), nbytes);
        convert_elements(dtype, raw.data(), flat.data_ptr(), numel);
      }
    } else {
      zip.read_into(record, nullptr, 0);
    }
    loaded.emplace(key, Loaded{dtype, numel, flat});
    return flat;
  };
  // LibTorch's torch::save writes a TorchScript archive (with constants.pkl and code/); its
  // objects load as dicts of their attributes.
  UnpickleLimits limits;
  limits.torchscript_objects = zip.has(prefix + "constants.pkl");
  return unpickle(pickle_bytes.data(), pickle_bytes.size(), loader, what, limits);
}

void write_pt(const IValue& value, bool root_ordered_dict, const Sink& sink, const std::string& what) {
  std::vector<PickledStorage> storages;
  const std::string pkl = pickle(value, storages, root_ordered_dict);
  ZipWriter zip(what);
  static const char kVersion[] = "3\n";
  static const char kOrder[] = "little";
  zip.add("archive/data.pkl", pkl.data(), pkl.size());
  zip.add("archive/byteorder", kOrder, sizeof kOrder - 1);
  for (const auto& s : storages) zip.add("archive/data/" + s.key, s.flat.data_ptr(), s.flat.nbytes());
  zip.add("archive/version", kVersion, sizeof kVersion - 1);
  zip.finish(sink);
}

// ---- safetensors ----

namespace {
using ordered_json = nlohmann::ordered_json;
// The safetensors reference implementation refuses headers over 100 MB; so does ember.
constexpr uint64_t kMaxHeaderBytes = 100u << 20;

struct StDType {
  const char* name;
  FileDType dtype;
};
constexpr StDType kStDTypes[] = {{"F64", FileDType::Float64}, {"F32", FileDType::Float32},  {"F16", FileDType::Float16},
                                 {"BF16", FileDType::BFloat16}, {"I64", FileDType::Int64},  {"I32", FileDType::Int32},
                                 {"I16", FileDType::Int16},     {"I8", FileDType::Int8},    {"U8", FileDType::UInt8},
                                 {"BOOL", FileDType::Bool}};
const char* st_name(FileDType t) {
  for (const auto& d : kStDTypes)
    if (d.dtype == t) return d.name;
  return "?";
}
}  // namespace

IValue read_safetensors(const char* data, size_t size, const std::string& what, GenericDict* metadata) {
  if (size < 8) fail(what, ": a safetensors file needs at least 8 bytes, this one has ", size);
  uint64_t header_len = 0;
  for (int i = 0; i < 8; ++i) header_len |= static_cast<uint64_t>(static_cast<unsigned char>(data[i])) << (8 * i);
  if (header_len > size - 8)
    fail(what, ": the safetensors header length ", header_len, " runs past the end of the file (", size, " bytes)");
  if (header_len > kMaxHeaderBytes) fail(what, ": the safetensors header length ", header_len, " exceeds 100 MB");
  ordered_json header = ordered_json::parse(data + 8, data + 8 + header_len, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded()) fail(what, ": the safetensors header is not valid JSON");
  if (!header.is_object()) fail(what, ": the safetensors header is not a JSON object");
  const char* body = data + 8 + header_len;
  const uint64_t body_size = size - 8 - header_len;

  struct Entry {
    std::string name;
    FileDType dtype;
    std::vector<int64_t> shape;
    uint64_t begin, end;
  };
  std::vector<Entry> entries;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const ordered_json& v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object()) fail(what, ": safetensors __metadata__ is not an object");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string()) fail(what, ": safetensors __metadata__ entry '", m.key(), "' is not a string");
        if (metadata) metadata->insert_or_assign(m.key(), m.value().get<std::string>());
      }
      continue;
    }
    if (!v.is_object()) fail(what, ": safetensors entry '", name, "' is not an object");
    auto dt = v.find("dtype");
    auto shape = v.find("shape");
    auto offsets = v.find("data_offsets");
    if (dt == v.end() || !dt->is_string()) fail(what, ": safetensors entry '", name, "' has no dtype string");
    if (shape == v.end() || !shape->is_array()) fail(what, ": safetensors entry '", name, "' has no shape list");
    if (offsets == v.end() || !offsets->is_array() || offsets->size() != 2)
      fail(what, ": safetensors entry '", name, "' has no data_offsets pair");
    Entry e{name, FileDType::Float32, {}, 0, 0};
    const std::string dtype = dt->get<std::string>();
    bool known = false;
    for (const auto& d : kStDTypes)
      if (dtype == d.name) e.dtype = d.dtype, known = true;
    if (!known) fail(what, ": safetensors entry '", name, "' has dtype '", dtype, "', which ember cannot load");
    if (shape->size() > 64) fail(what, ": safetensors entry '", name, "' has ", shape->size(), " dimensions (at most 64)");
    uint64_t numel = 1;
    for (const auto& s : *shape) {
      if (!s.is_number_unsigned()) fail(what, ": safetensors entry '", name, "' has a shape entry that is not an integer >= 0");
      const uint64_t d = s.get<uint64_t>();
      if (d > static_cast<uint64_t>(INT64_MAX) || __builtin_mul_overflow(numel, d, &numel))
        fail(what, ": safetensors entry '", name, "' has a shape whose size overflows");
      e.shape.push_back(static_cast<int64_t>(d));
    }
    for (const auto& o : *offsets)
      if (!o.is_number_unsigned()) fail(what, ": safetensors entry '", name, "' has data_offsets that are not integers >= 0");
    e.begin = (*offsets)[0].get<uint64_t>();
    e.end = (*offsets)[1].get<uint64_t>();
    if (e.begin > e.end || e.end > body_size)
      fail(what, ": safetensors entry '", name, "' has data_offsets [", e.begin, ", ", e.end, "] outside the ", body_size,
           " data bytes");
    uint64_t nbytes;
    if (__builtin_mul_overflow(numel, file_element_size(e.dtype), &nbytes) || nbytes != e.end - e.begin)
      fail(what, ": safetensors entry '", name, "' has shape ", IntArrayRef(e.shape), " and dtype ", dtype, " but ",
           e.end - e.begin, " data bytes");
    entries.push_back(std::move(e));
  }
  // The data must be covered exactly: no tensor overlaps another and no byte is left unclaimed.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t covered = 0;
  for (const auto& e : entries) {
    if (e.begin < covered) fail(what, ": safetensors entry '", e.name, "' overlaps the data of another tensor");
    if (e.begin > covered) fail(what, ": safetensors data has unclaimed bytes before entry '", e.name, "'");
    covered = e.end;
  }
  if (covered != body_size) fail(what, ": safetensors data has ", body_size - covered, " unclaimed bytes at the end");

  NoGradGuard no_grad;
  GenericDict out;
  for (const auto& e : entries) {
    Tensor t = empty(IntArrayRef(e.shape), TensorOptions(ember_dtype(e.dtype)));
    if (t.numel() > 0) convert_elements(e.dtype, body + e.begin, t.data_ptr(), t.numel());
    out.insert(e.name, t);
  }
  return IValue(out);
}

namespace {
void flatten_tensors(const IValue& v, const std::string& name, std::vector<std::pair<std::string, Tensor>>& out,
                     const std::string& what, int depth) {
  EMBER_CHECK(depth < 100, what, ": the value is nested too deep to flatten for safetensors");
  auto join = [&](const std::string& k) { return name.empty() ? k : name + "." + k; };
  if (v.isTensor()) {
    EMBER_CHECK(v.toTensor().defined(), what, ": '", name, "' is an undefined tensor");
    out.emplace_back(name, v.toTensor());
  } else if (v.isGenericDict()) {
    for (auto e : v.toGenericDict()) {
      const IValue& k = e.key();
      std::string key = k.isString() ? k.toStringRef() : k.isInt() ? std::to_string(k.toInt()) : "";
      EMBER_CHECK(k.isString() || k.isInt(), what, ": safetensors names need str or int keys, not ", k.type_name());
      flatten_tensors(e.value(), join(key), out, what, depth + 1);
    }
  } else if (v.isList() || v.isTuple()) {
    const auto& el = v.isList() ? v.toListRef() : v.toTupleRef().elements();
    for (size_t i = 0; i < el.size(); ++i) flatten_tensors(el[i], join(std::to_string(i)), out, what, depth + 1);
  } else {
    fail(what, ": safetensors holds only tensors, but '", name, "' is a ", v.type_name(),
         " (save to a .pt file to keep it)");
  }
}
}  // namespace

void write_safetensors(const IValue& value, const Sink& sink, const std::string& what, const GenericDict* metadata) {
  std::vector<std::pair<std::string, Tensor>> tensors;
  if (value.isTensor()) tensors.emplace_back("0", value.toTensor());
  else flatten_tensors(value, "", tensors, what, 0);
  ordered_json header = ordered_json::object();
  if (metadata && !metadata->empty()) {
    ordered_json m = ordered_json::object();
    for (auto e : *metadata) {
      EMBER_CHECK(e.key().isString() && e.value().isString(), what, ": safetensors metadata must map str to str");
      m[e.key().toStringRef()] = e.value().toStringRef();
    }
    header["__metadata__"] = m;
  }
  std::vector<Tensor> contiguous;
  uint64_t offset = 0;
  for (auto& [name, t] : tensors) {
    EMBER_CHECK(!header.contains(name), what, ": the name '", name, "' occurs twice");
    Tensor c = t.detach().contiguous();
    const char* dtype = st_name(file_dtype(c.dtype()));
    header[name] = {{"dtype", dtype}, {"shape", c.sizes().vec()}, {"data_offsets", {offset, offset + c.nbytes()}}};
    offset += c.nbytes();
    contiguous.push_back(c);
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::json::exception& e) {
    fail(what, ": cannot write the safetensors header (", e.what(), ")");
  }
  // Pad with spaces so that the data starts 8-byte aligned, as the reference writer does.
  text.append((8 - text.size() % 8) % 8, ' ');
  char len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<char>((static_cast<uint64_t>(text.size()) >> (8 * i)) & 0xff);
  sink(len, 8);
  sink(text.data(), text.size());
  for (const auto& c : contiguous)
    if (c.nbytes()) sink(static_cast<const char*>(c.data_ptr()), c.nbytes());
}

IValue read_any(const char* data, size_t size, const std::string& what) {
  switch (detect_format(data, size)) {
    case Format::PyTorchZip: return read_pt(data, size, what);
    case Format::Safetensors: return read_safetensors(data, size, what);
    case Format::Pickle:
      return unpickle(data, size, [&](const std::string&, FileDType, int64_t) -> Tensor {
        fail(what, ": a bare pickle cannot hold tensors (they live in a zip checkpoint's data/ records)");
      }, what);
    case Format::LegacyTorchSave:
      fail(what, ": this is the legacy torch.save format (PyTorch before 1.6), which ember does not read; re-save it "
                 "in Python with torch.save(obj, path) from PyTorch 1.6 or later");
    case Format::Unknown: break;
  }
  fail(what, ": not a checkpoint ember can read (neither a PyTorch zip archive nor safetensors)",
       size == 0 ? "; the file is empty" : "");
}

// ---- files ----

std::string read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(path, ": cannot open for reading: ", std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    fail(path, ": not a regular file");
  }
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t got = ::read(fd, out.data() + done, out.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      const int e = errno;
      ::close(fd);
      fail(path, ": read failed: ", got < 0 ? std::strerror(e) : "the file shrank while being read");
    }
    done += static_cast<size_t>(got);
  }
  ::close(fd);
  return out;
}

bool is_safetensors_path(const std::string& path) {
  static const std::string ext = ".safetensors";
  return path.size() >= ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0;
}

namespace {
std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}
}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  static std::atomic<unsigned> counter{0};
  const auto slash = path_.rfind('/');
  const std::string base = slash == std::string::npos ? path_ : path_.substr(slash + 1);
  EMBER_CHECK(!base.empty(), path_, ": not a file name");
  temp_ = (slash == std::string::npos ? std::string() : path_.substr(0, slash + 1)) + "." + base + ".tmp-" +
          std::to_string(::getpid()) + "-" + std::to_string(counter++);
  fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd_ < 0) fail(path_, ": cannot create the temporary file '", temp_, "': ", std::strerror(errno));
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_.c_str());
  }
}

void AtomicFile::write(const char* data, size_t size) {
  EMBER_CHECK(fd_ >= 0, path_, ": write after commit");
  while (size > 0) {
    const ssize_t n = ::write(fd_, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(path_, ": write failed: ", n < 0 ? std::strerror(errno) : "no progress");
    data += n;
    size -= static_cast<size_t>(n);
  }
}

void AtomicFile::commit() {
  EMBER_CHECK(fd_ >= 0, path_, ": committed twice");
  if (::fsync(fd_) != 0) fail(path_, ": fsync failed: ", std::strerror(errno));
  const int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) {
    const int e = errno;
    ::unlink(temp_.c_str());
    fail(path_, ": close failed: ", std::strerror(e));
  }
  if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    const int e = errno;
    ::unlink(temp_.c_str());
    fail(path_, ": cannot rename the temporary file into place: ", std::strerror(e));
  }
  // The rename itself is only durable once the folder is synced.
  const int dir = ::open(dir_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

}  // namespace detail
}  // namespace serialize
}  // namespace ember
