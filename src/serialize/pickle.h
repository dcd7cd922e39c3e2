// The restricted unpickler and the protocol-2 pickler for PyTorch's data.pkl, and the element
// types PyTorch files store.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ember/serialize/ivalue.h"

namespace ember {
namespace serialize {
namespace detail {

// Element types a PyTorch storage or a safetensors tensor may hold. ember computes in fewer
// types: float16/bfloat16 load as float32, int16/int8 as int32.
enum class FileDType : uint8_t { Float64, Float32, Float16, BFloat16, Int64, Int32, Int16, Int8, UInt8, Bool };
size_t file_element_size(FileDType t);
ScalarType ember_dtype(FileDType t);
FileDType file_dtype(ScalarType t);
// Converts `numel` elements of type `from` at `src` into ember's type for it at `dst`.
void convert_elements(FileDType from, const void* src, void* dst, int64_t numel);

// Returns storage `key` (numel elements stored as `dtype`) as a 1-D contiguous tensor of
// ember_dtype(dtype); called once per persistent id, it may return the same storage again.
using StorageLoader = std::function<Tensor(const std::string& key, FileDType dtype, int64_t numel)>;

struct UnpickleLimits {
  size_t max_stack = size_t{1} << 22;
  size_t max_memo = size_t{1} << 22;
  size_t max_marks = 4096;
  // Containers nested deeper than this are refused (also keeps destruction from recursing far).
  int max_depth = 200;
  // The value counted as a tree (shared pieces once per use) may not exceed this many nodes,
  // so walking a value built from shared references cannot blow up.
  uint64_t max_nodes = uint64_t{1} << 24;
  // LibTorch's torch::save writes TorchScript archives whose objects are classes in the
  // __torch__ namespace, built by NEWOBJ and filled by BUILD; with this set they load as dicts of
  // their attributes (nothing is run: the archive's code/ is never read).
  bool torchscript_objects = false;
};

// Reads a pickle made by torch.save (protocols 2-5) without executing anything: only the opcodes
// and globals such files use are accepted; anything else is an error naming it. `what` names
// the file for messages.
IValue unpickle(const char* data, size_t size, const StorageLoader& load_storage, const std::string& what,
                const UnpickleLimits& limits = {});

// A storage the pickle refers to: written by the caller as data/<key>.
struct PickledStorage {
  std::string key;
  Tensor flat;  // 1-D, contiguous, the whole storage
  FileDType dtype;
};

// Pickles `value` with protocol 2 as torch.save does, tensors as _rebuild_tensor_v2 with
// persistent storage ids "0", "1", ...; tensors sharing an ember storage share one id. A root
// dict is written as an OrderedDict when `root_ordered_dict`.
std::string pickle(const IValue& value, std::vector<PickledStorage>& storages, bool root_ordered_dict);

}  // namespace detail
}  // namespace serialize
}  // namespace ember
