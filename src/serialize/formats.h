// Whole-file formats: PyTorch's zip checkpoint (.pt) and safetensors, read from bytes and written
// to a sink, plus the atomic file writer every save to a path goes through.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "ember/serialize/ivalue.h"

namespace ember {
namespace serialize {
namespace detail {

using Sink = std::function<void(const char*, size_t)>;

enum class Format { PyTorchZip, Safetensors, Pickle, LegacyTorchSave, Unknown };
// Recognises a file by its first bytes.
Format detect_format(const char* data, size_t size);

// PyTorch's zip checkpoint: <archive>/data.pkl with storages under <archive>/data/.
IValue read_pt(const char* data, size_t size, const std::string& what);
// `root_ordered_dict` writes a root dict as collections.OrderedDict (as a state dict is).
void write_pt(const IValue& value, bool root_ordered_dict, const Sink& sink, const std::string& what);

// safetensors: a dict of name -> tensor, in the order of the tensors' data in the file; the
// optional __metadata__ strings go to `metadata` when given.
IValue read_safetensors(const char* data, size_t size, const std::string& what, GenericDict* metadata = nullptr);
// `value` must be a dict whose leaves are tensors; nested dicts and lists are flattened into
// dotted names ("model.fc1.weight", "state.0.exp_avg").
void write_safetensors(const IValue& value, const Sink& sink, const std::string& what,
                       const GenericDict* metadata = nullptr);

// Any supported format, detected by content.
IValue read_any(const char* data, size_t size, const std::string& what);

// Reads a whole file, refusing one that is not a regular file.
std::string read_file(const std::string& path);

// Writes a file so that a crash leaves either the old file or the new one: a temporary file in
// the same folder, fsync, rename over the target, fsync of the folder.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  void write(const char* data, size_t size);
  void commit();

 private:
  std::string path_, temp_;
  int fd_ = -1;
};

// A loaded tensor into a caller's variable: a defined one takes the data in place (set_data, under
// no-grad) so that other holders of it (an optimizer) see the change; an undefined one is assigned.
void assign_loaded(Tensor& target, const Tensor& loaded);

// True when the path names a safetensors file (ends in ".safetensors").
bool is_safetensors_path(const std::string& path);

}  // namespace detail
}  // namespace serialize
}  // namespace ember
