// The restricted unpickler for PyTorch's data.pkl (protocols 2-5) and the element types PyTorch files store.
#include "serialize/pickle.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "ember/autograd/grad_mode.h"

namespace ember {
namespace serialize {
namespace detail {

// ---- element types ----

size_t file_element_size(FileDType t) {
  switch (t) {
    case FileDType::Float64:
    case FileDType::Int64: return 8;
    case FileDType::Float32:
    case FileDType::Int32: return 4;
    case FileDType::Float16:
    case FileDType::BFloat16:
    case FileDType::Int16: return 2;
    case FileDType::Int8:
    case FileDType::UInt8:
    case FileDType::Bool: return 1;
  }
  return 1;
}

ScalarType ember_dtype(FileDType t) {
  switch (t) {
    case FileDType::Float64: return kDouble;
    case FileDType::Float32:
    case FileDType::Float16:
    case FileDType::BFloat16: return kFloat;
    case FileDType::Int64: return kLong;
    case FileDType::Int32:
    case FileDType::Int16:
    case FileDType::Int8: return kInt;
    case FileDType::UInt8: return kByte;
    case FileDType::Bool: return kBool;
  }
  return kFloat;
}

FileDType file_dtype(ScalarType t) {
  switch (t) {
    case kDouble: return FileDType::Float64;
    case kFloat: return FileDType::Float32;
    case kLong: return FileDType::Int64;
    case kInt: return FileDType::Int32;
    case kByte: return FileDType::UInt8;
    case kBool: return FileDType::Bool;
    default: fail("cannot save a tensor of dtype ", to_string(t));
  }
}

namespace {
float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  const uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);  // inf and NaN keep their payload
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign;
  } else {
    // A subnormal half is a normal float: shift the mantissa up to its leading one.
    int e = -1;
    uint32_t m = mant;
    do {
      ++e;
      m <<= 1;
    } while (!(m & 0x400));
    bits = sign | (static_cast<uint32_t>(112 - e) << 23) | ((m & 0x3ff) << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
}  // namespace

void convert_elements(FileDType from, const void* src, void* dst, int64_t numel) {
  const auto n = static_cast<size_t>(numel);
  auto widen = [&](auto in_tag, auto out_tag) {
    using In = decltype(in_tag);
    using Out = decltype(out_tag);
    for (size_t i = 0; i < n; ++i) {
      In v;
      std::memcpy(&v, static_cast<const char*>(src) + i * sizeof(In), sizeof v);
      static_cast<Out*>(dst)[i] = static_cast<Out>(v);
    }
  };
  switch (from) {
    case FileDType::Float16:
      for (size_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, static_cast<const char*>(src) + 2 * i, 2);
        static_cast<float*>(dst)[i] = half_to_float(h);
      }
      return;
    case FileDType::BFloat16:
      for (size_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, static_cast<const char*>(src) + 2 * i, 2);
        const uint32_t bits = static_cast<uint32_t>(h) << 16;
        std::memcpy(static_cast<float*>(dst) + i, &bits, 4);
      }
      return;
    case FileDType::Int16: return widen(int16_t{}, int32_t{});
    case FileDType::Int8: return widen(int8_t{}, int32_t{});
    case FileDType::Bool:
      // A stored bool that is not 0 or 1 would be undefined behaviour once read as C++ bool.
      for (size_t i = 0; i < n; ++i) static_cast<uint8_t*>(dst)[i] = static_cast<const uint8_t*>(src)[i] != 0;
      return;
    default: std::memcpy(dst, src, n * file_element_size(from)); return;
  }
}

// ---- unpickler ----

namespace {

enum class GlobalKind : uint8_t { OrderedDict, RebuildTensorV2, RebuildParameter, Storage, TorchScriptClass };

struct Allowed {
  const char* module;
  const char* name;
  GlobalKind kind;
  FileDType dtype;
};
constexpr Allowed kAllowedGlobals[] = {
    {"collections", "OrderedDict", GlobalKind::OrderedDict, FileDType::Float32},
    {"torch._utils", "_rebuild_tensor_v2", GlobalKind::RebuildTensorV2, FileDType::Float32},
    {"torch._utils", "_rebuild_parameter", GlobalKind::RebuildParameter, FileDType::Float32},
    {"torch", "DoubleStorage", GlobalKind::Storage, FileDType::Float64},
    {"torch", "FloatStorage", GlobalKind::Storage, FileDType::Float32},
    {"torch", "HalfStorage", GlobalKind::Storage, FileDType::Float16},
    {"torch", "BFloat16Storage", GlobalKind::Storage, FileDType::BFloat16},
    {"torch", "LongStorage", GlobalKind::Storage, FileDType::Int64},
    {"torch", "IntStorage", GlobalKind::Storage, FileDType::Int32},
    {"torch", "ShortStorage", GlobalKind::Storage, FileDType::Int16},
    {"torch", "CharStorage", GlobalKind::Storage, FileDType::Int8},
    {"torch", "ByteStorage", GlobalKind::Storage, FileDType::UInt8},
    {"torch", "BoolStorage", GlobalKind::Storage, FileDType::Bool},
};

const char* opcode_name(uint8_t op) {
  switch (op) {
    case '(': return "MARK";
    case '.': return "STOP";
    case '0': return "POP";
    case '1': return "POP_MARK";
    case '2': return "DUP";
    case 'F': return "FLOAT";
    case 'I': return "INT";
    case 'J': return "BININT";
    case 'K': return "BININT1";
    case 'L': return "LONG";
    case 'M': return "BININT2";
    case 'N': return "NONE";
    case 'P': return "PERSID";
    case 'Q': return "BINPERSID";
    case 'R': return "REDUCE";
    case 'S': return "STRING";
    case 'T': return "BINSTRING";
    case 'U': return "SHORT_BINSTRING";
    case 'V': return "UNICODE";
    case 'X': return "BINUNICODE";
    case 'a': return "APPEND";
    case 'b': return "BUILD";
    case 'c': return "GLOBAL";
    case 'd': return "DICT";
    case '}': return "EMPTY_DICT";
    case 'e': return "APPENDS";
    case 'g': return "GET";
    case 'h': return "BINGET";
    case 'i': return "INST";
    case 'j': return "LONG_BINGET";
    case 'l': return "LIST";
    case ']': return "EMPTY_LIST";
    case 'o': return "OBJ";
    case 'p': return "PUT";
    case 'q': return "BINPUT";
    case 'r': return "LONG_BINPUT";
    case 's': return "SETITEM";
    case 't': return "TUPLE";
    case ')': return "EMPTY_TUPLE";
    case 'u': return "SETITEMS";
    case 'G': return "BINFLOAT";
    case 0x80: return "PROTO";
    case 0x81: return "NEWOBJ";
    case 0x82: return "EXT1";
    case 0x83: return "EXT2";
    case 0x84: return "EXT4";
    case 0x85: return "TUPLE1";
    case 0x86: return "TUPLE2";
    case 0x87: return "TUPLE3";
    case 0x88: return "NEWTRUE";
    case 0x89: return "NEWFALSE";
    case 0x8a: return "LONG1";
    case 0x8b: return "LONG4";
    case 'B': return "BINBYTES";
    case 'C': return "SHORT_BINBYTES";
    case 0x8c: return "SHORT_BINUNICODE";
    case 0x8d: return "BINUNICODE8";
    case 0x8e: return "BINBYTES8";
    case 0x8f: return "EMPTY_SET";
    case 0x90: return "ADDITEMS";
    case 0x91: return "FROZENSET";
    case 0x92: return "NEWOBJ_EX";
    case 0x93: return "STACK_GLOBAL";
    case 0x94: return "MEMOIZE";
    case 0x95: return "FRAME";
    case 0x96: return "BYTEARRAY8";
    case 0x97: return "NEXT_BUFFER";
    case 0x98: return "READONLY_BUFFER";
    default: return nullptr;
  }
}

class Unpickler {
 public:
  Unpickler(const char* data, size_t size, const StorageLoader& loader, const std::string& what,
            const UnpickleLimits& limits)
      : p_(reinterpret_cast<const uint8_t*>(data)), size_(size), loader_(loader), what_(what), limits_(limits) {}

  IValue run();

 private:
  // What the stack holds: a value, an allowed global (a class or function), or a tuple that
  // contains a global (a persistent id names its storage class).
  struct Item {
    enum class Kind : uint8_t { Value, Global, RawTuple } kind = Kind::Value;
    IValue value;
    GlobalKind global = GlobalKind::OrderedDict;
    FileDType storage_dtype = FileDType::Float32;
    std::string global_name;
    std::shared_ptr<const std::vector<Item>> raw;
    // Index into meta_ for lists, dicts and tuples this unpickler built; -1 otherwise.
    int32_t meta = -1;
  };
  struct Meta {
    int depth = 1;
    uint64_t nodes = 1;
    // Once a container is placed inside another it may not change, which rules out cycles.
    bool frozen = false;
    // A TorchScript object (a dict of its attributes), which BUILD fills.
    bool object = false;
  };

  template <typename... Args>
  [[noreturn]] void error(const Args&... args) const {
    fail(what_, ": data.pkl, byte ", op_pos_, ": ", args...);
  }

  void need(size_t n) const {
    if (n > size_ - pos_) error("the pickle is truncated (", opcode_name(op_) ? opcode_name(op_) : "?", " needs ", n,
                                " more bytes, ", size_ - pos_, " left)");
  }
  uint8_t u8() {
    need(1);
    return p_[pos_++];
  }
  uint64_t le(size_t n) {
    need(n);
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(p_[pos_ + i]) << (8 * i);
    pos_ += n;
    return v;
  }
  std::string bytes(uint64_t n) {
    if (n > size_ - pos_) error("a string of ", n, " bytes runs past the end of the pickle (", size_ - pos_, " left)");
    std::string s(reinterpret_cast<const char*>(p_ + pos_), static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return s;
  }
  std::string line() {
    const size_t start = pos_;
    while (pos_ < size_ && p_[pos_] != '\n') {
      if (pos_ - start > 256) error("a GLOBAL name is longer than 256 bytes");
      ++pos_;
    }
    if (pos_ >= size_) error("the pickle is truncated inside a GLOBAL name");
    std::string s(reinterpret_cast<const char*>(p_ + start), pos_ - start);
    ++pos_;
    return s;
  }

  void push(Item item) {
    if (stack_.size() >= limits_.max_stack) error("more than ", limits_.max_stack, " values on the pickle stack");
    stack_.push_back(std::move(item));
  }
  void push_value(IValue v) {
    Item it;
    it.value = std::move(v);
    push(std::move(it));
  }
  Item pop() {
    if (stack_.size() <= floor()) error(opcode_name(op_), " on an empty stack");
    Item it = std::move(stack_.back());
    stack_.pop_back();
    return it;
  }
  Item& top() {
    if (stack_.size() <= floor()) error(opcode_name(op_), " on an empty stack");
    return stack_.back();
  }
  size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
  std::vector<Item> pop_mark() {
    if (marks_.empty()) error(opcode_name(op_), " without a MARK");
    const size_t m = marks_.back();
    marks_.pop_back();
    std::vector<Item> items(std::make_move_iterator(stack_.begin() + static_cast<std::ptrdiff_t>(m)),
                            std::make_move_iterator(stack_.end()));
    stack_.resize(m);
    return items;
  }

  int32_t new_meta() {
    meta_.push_back(Meta{});
    return static_cast<int32_t>(meta_.size() - 1);
  }
  int depth_of(const Item& it) const { return it.meta < 0 ? 0 : meta_[static_cast<size_t>(it.meta)].depth; }
  uint64_t nodes_of(const Item& it) const { return it.meta < 0 ? 1 : meta_[static_cast<size_t>(it.meta)].nodes; }

  const IValue& as_value(const Item& it, const char* use) const {
    if (it.kind == Item::Kind::Global) error("the global '", it.global_name, "' cannot be used as ", use);
    if (it.kind == Item::Kind::RawTuple) error("a tuple holding a class cannot be used as ", use);
    return it.value;
  }

  // Records that `child` goes into the container `parent_meta` (its depth and size grow).
  void adopt(int32_t parent_meta, const Item& child) {
    Meta& parent = meta_[static_cast<size_t>(parent_meta)];
    if (parent.frozen) error("a container is changed after it was placed inside another one");
    if (child.meta == parent_meta) error("a container cannot contain itself");
    if (child.meta >= 0) meta_[static_cast<size_t>(child.meta)].frozen = true;
    parent.depth = std::max(parent.depth, depth_of(child) + 1);
    if (parent.depth > limits_.max_depth) error("containers are nested deeper than ", limits_.max_depth);
    parent.nodes += nodes_of(child);
    if (parent.nodes > limits_.max_nodes) error("the value has more than ", limits_.max_nodes, " parts");
  }

  Item make_tuple(std::vector<Item> items) {
    Item out;
    out.meta = new_meta();
    for (const auto& it : items) adopt(out.meta, it);
    bool plain = true;
    for (const auto& it : items) plain = plain && it.kind == Item::Kind::Value;
    if (plain) {
      std::vector<IValue> values;
      values.reserve(items.size());
      for (auto& it : items) values.push_back(std::move(it.value));
      out.value = IValue(ivalue::Tuple::create(std::move(values)));
    } else {
      out.kind = Item::Kind::RawTuple;
      out.raw = std::make_shared<const std::vector<Item>>(std::move(items));
    }
    return out;
  }

  void op_global(std::string module, std::string name);
  void op_reduce();
  void op_persid();
  void op_setitems(int32_t dict_meta, const IValue& dict, std::vector<Item>& items, size_t first);
  Tensor rebuild_tensor(const std::vector<IValue>& args);
  std::vector<int64_t> int_tuple(const IValue& v, const char* what) const;

  const uint8_t* p_;
  size_t size_;
  size_t pos_ = 0;
  size_t op_pos_ = 0;
  uint8_t op_ = 0;
  const StorageLoader& loader_;
  const std::string& what_;
  UnpickleLimits limits_;
  std::vector<Item> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, Item> memo_;
  std::vector<Meta> meta_;
  // The storages persistent ids produced; only these may be the first argument of _rebuild_tensor_v2.
  std::unordered_set<const TensorImpl*> storages_;
};

void Unpickler::op_global(std::string module, std::string name) {
  for (const auto& a : kAllowedGlobals) {
    if (module == a.module && name == a.name) {
      Item it;
      it.kind = Item::Kind::Global;
      it.global = a.kind;
      it.storage_dtype = a.dtype;
      it.global_name = module + "." + name;
      push(std::move(it));
      return;
    }
  }
  if (limits_.torchscript_objects && (module == "__torch__" || module.rfind("__torch__.", 0) == 0)) {
    Item it;
    it.kind = Item::Kind::Global;
    it.global = GlobalKind::TorchScriptClass;
    it.global_name = module + "." + name;
    push(std::move(it));
    return;
  }
  error("refusing to load the global '", module, ".", name,
        "': a checkpoint may only name collections.OrderedDict, torch._utils._rebuild_tensor_v2, "
        "torch._utils._rebuild_parameter and torch's storage classes");
}

std::vector<int64_t> Unpickler::int_tuple(const IValue& v, const char* what) const {
  if (!v.isTuple()) error("_rebuild_tensor_v2: ", what, " is a ", v.type_name(), ", not a tuple");
  const auto& el = v.toTupleRef().elements();
  if (el.size() > 64) error("_rebuild_tensor_v2: ", what, " has ", el.size(), " dimensions (at most 64)");
  std::vector<int64_t> out;
  for (const auto& e : el) {
    if (!e.isInt()) error("_rebuild_tensor_v2: ", what, " holds a ", e.type_name());
    if (e.toInt() < 0) error("_rebuild_tensor_v2: ", what, " holds the negative value ", e.toInt());
    out.push_back(e.toInt());
  }
  return out;
}

Tensor Unpickler::rebuild_tensor(const std::vector<IValue>& args) {
  if (args.size() != 6 && args.size() != 7)
    error("_rebuild_tensor_v2 takes 6 or 7 arguments, got ", args.size());
  if (!args[0].isTensor() || !storages_.count(args[0].toTensor().unsafeGetTensorImpl()))
    error("_rebuild_tensor_v2: the first argument is a ", args[0].type_name(), ", not a storage");
  const Tensor& storage = args[0].toTensor();
  if (!args[1].isInt() || args[1].toInt() < 0) error("_rebuild_tensor_v2: the storage offset is not an int >= 0");
  const int64_t offset = args[1].toInt();
  const auto sizes = int_tuple(args[2], "size");
  const auto strides = int_tuple(args[3], "stride");
  if (sizes.size() != strides.size())
    error("_rebuild_tensor_v2: size has ", sizes.size(), " dimensions but stride has ", strides.size());
  if (!args[4].isBool()) error("_rebuild_tensor_v2: requires_grad is a ", args[4].type_name(), ", not a bool");
  if (!args[5].isGenericDict() || args[5].toGenericDict().size() != 0)
    error("_rebuild_tensor_v2: backward hooks must be an empty OrderedDict");
  if (args.size() == 7 && !args[6].isNone() && !(args[6].isGenericDict() && args[6].toGenericDict().size() == 0))
    error("_rebuild_tensor_v2: tensor metadata is not supported");
  // Every element the view can reach must lie inside the storage; checked without overflow.
  const int64_t storage_numel = storage.numel();
  int64_t numel = 1, last = offset;
  bool empty = false;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == 0) empty = true;
    if (__builtin_mul_overflow(numel, sizes[d], &numel)) error("_rebuild_tensor_v2: the number of elements overflows");
  }
  if (!empty) {
    for (size_t d = 0; d < sizes.size(); ++d) {
      int64_t reach;
      if (__builtin_mul_overflow(sizes[d] - 1, strides[d], &reach) || __builtin_add_overflow(last, reach, &last))
        error("_rebuild_tensor_v2: size ", IntArrayRef(sizes), " with stride ", IntArrayRef(strides),
              " overflows");
    }
    if (last >= storage_numel)
      error("_rebuild_tensor_v2: size ", IntArrayRef(sizes), ", stride ", IntArrayRef(strides), " and offset ",
            offset, " reach element ", last, " of a storage of ", storage_numel, " elements");
  } else if (offset > storage_numel) {
    error("_rebuild_tensor_v2: offset ", offset, " is past the end of a storage of ", storage_numel, " elements");
  }
  Tensor t(make_intrusive<TensorImpl>(storage.unsafeGetTensorImpl()->storage(), storage.dtype(), IntArrayRef(sizes),
                                      IntArrayRef(strides), offset));
  if (args[4].toBool()) {
    if (!is_floating_type(t.dtype()))
      error("_rebuild_tensor_v2: a tensor of dtype ", torch_name(t.dtype()), " cannot require grad");
    t.requires_grad_(true);
  }
  return t;
}

void Unpickler::op_reduce() {
  Item args_item = pop();
  Item& callable = top();
  if (callable.kind != Item::Kind::Global) error("REDUCE may only call an allowed global, not a ", callable.value.type_name());
  const IValue& args_value = as_value(args_item, "an argument");
  if (!args_value.isTuple()) error("REDUCE arguments are a ", args_value.type_name(), ", not a tuple");
  const auto& args = args_value.toTupleRef().elements();
  Item result;
  switch (callable.global) {
    case GlobalKind::OrderedDict:
      if (!args.empty()) error("collections.OrderedDict() takes no arguments here");
      result.value = IValue(GenericDict());
      result.meta = new_meta();
      break;
    case GlobalKind::RebuildTensorV2:
      result.value = IValue(rebuild_tensor(args));
      break;
    case GlobalKind::RebuildParameter: {
      if (args.size() != 3) error("_rebuild_parameter takes 3 arguments, got ", args.size());
      if (!args[0].isTensor() || storages_.count(args[0].toTensor().unsafeGetTensorImpl()))
        error("_rebuild_parameter: the first argument is not a tensor");
      if (!args[1].isBool()) error("_rebuild_parameter: requires_grad is not a bool");
      if (!args[2].isGenericDict() || args[2].toGenericDict().size() != 0)
        error("_rebuild_parameter: backward hooks must be an empty OrderedDict");
      Tensor t = args[0].toTensor().detach();
      if (args[1].toBool()) {
        if (!is_floating_type(t.dtype()))
          error("_rebuild_parameter: a parameter of dtype ", torch_name(t.dtype()), " cannot require grad");
        t.requires_grad_(true);
      }
      result.value = IValue(std::move(t));
      break;
    }
    case GlobalKind::Storage: error("REDUCE may not construct the storage class '", callable.global_name, "'");
    case GlobalKind::TorchScriptClass: error("REDUCE may not call the class '", callable.global_name, "'");
  }
  callable = std::move(result);
}

void Unpickler::op_persid() {
  Item pid = pop();
  if (pid.kind != Item::Kind::RawTuple || pid.raw->size() != 5)
    error("a persistent id must be ('storage', storage class, key, location, numel)");
  const auto& el = *pid.raw;
  if (el[0].kind != Item::Kind::Value || !el[0].value.isString() || el[0].value.toStringRef() != "storage")
    error("only persistent ids of storages are allowed");
  if (el[1].kind != Item::Kind::Global || el[1].global != GlobalKind::Storage)
    error("a persistent id names something other than a storage class");
  const IValue& key = as_value(el[2], "a storage key");
  const IValue& location = as_value(el[3], "a storage location");
  const IValue& numel = as_value(el[4], "a storage size");
  if (!key.isString()) error("a storage key is a ", key.type_name(), ", not a str");
  if (!location.isString()) error("a storage location is a ", location.type_name(), ", not a str");
  if (!numel.isInt() || numel.toInt() < 0) error("storage '", key.toStringRef(), "' has a size that is not an int >= 0");
  Tensor flat = loader_(key.toStringRef(), el[1].storage_dtype, numel.toInt());
  storages_.insert(flat.unsafeGetTensorImpl());
  push_value(IValue(std::move(flat)));
}

void Unpickler::op_setitems(int32_t dict_meta, const IValue& dict, std::vector<Item>& items, size_t first) {
  if (!dict.isGenericDict() || dict_meta < 0) error(opcode_name(op_), " on a ", dict.type_name(), ", not a dict");
  if ((items.size() - first) % 2 != 0) error("SETITEMS with an odd number of values");
  GenericDict d = dict.toGenericDict();
  for (size_t i = first; i < items.size(); i += 2) {
    const IValue& k = as_value(items[i], "a dict key");
    const IValue& v = as_value(items[i + 1], "a dict value");
    adopt(dict_meta, items[i + 1]);
    if (k.isTensor() || k.isList() || k.isGenericDict() || k.isTuple())
      error("a dict key is a ", k.type_name(), " (only str, int, float, bool and None keys are allowed)");
    d.insert_or_assign(k, v);
  }
}

IValue Unpickler::run() {
  while (true) {
    if (pos_ >= size_) error("the pickle ends without STOP (truncated?)");
    op_pos_ = pos_;
    op_ = p_[pos_++];
    switch (op_) {
      case 0x80: {  // PROTO
        const uint8_t v = u8();
        if (v > 5) error("pickle protocol ", int(v), " is not supported (0 to 5 are)");
        break;
      }
      case 0x95: {  // FRAME: only a hint for buffering
        const uint64_t n = le(8);
        if (n > size_ - pos_) error("a FRAME of ", n, " bytes runs past the end of the pickle");
        break;
      }
      case '.': {  // STOP
        Item it = pop();
        if (!marks_.empty()) error("STOP inside an unclosed MARK");
        return as_value(it, "the result");
      }
      case '(':
        if (marks_.size() >= limits_.max_marks) error("more than ", limits_.max_marks, " nested MARKs");
        marks_.push_back(stack_.size());
        break;
      case '0': pop(); break;
      case '1': pop_mark(); break;
      case '2': push(top()); break;
      case 'N': push_value(IValue()); break;
      case 0x88: push_value(IValue(true)); break;
      case 0x89: push_value(IValue(false)); break;
      case 'J': push_value(IValue(static_cast<int64_t>(static_cast<int32_t>(le(4))))); break;
      case 'K': push_value(IValue(static_cast<int64_t>(u8()))); break;
      case 'M': push_value(IValue(static_cast<int64_t>(le(2)))); break;
      case 0x8a:
      case 0x8b: {  // LONG1, LONG4: little-endian two's complement
        const uint64_t n = op_ == 0x8a ? u8() : le(4);
        if (n > 8) error("an integer of ", n, " bytes does not fit in int64");
        need(static_cast<size_t>(n));
        uint64_t v = 0;
        for (uint64_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(p_[pos_ + i]) << (8 * i);
        if (n > 0 && n < 8 && (p_[pos_ + n - 1] & 0x80)) v |= ~uint64_t{0} << (8 * n);
        pos_ += static_cast<size_t>(n);
        int64_t s;
        std::memcpy(&s, &v, sizeof s);
        push_value(IValue(s));
        break;
      }
      case 'G': {  // BINFLOAT: big-endian IEEE double
        need(8);
        uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits = (bits << 8) | p_[pos_ + static_cast<size_t>(i)];
        pos_ += 8;
        double d;
        std::memcpy(&d, &bits, sizeof d);
        push_value(IValue(d));
        break;
      }
      case 'X': push_value(IValue(bytes(le(4)))); break;
      case 0x8c: push_value(IValue(bytes(u8()))); break;
      case 0x8d: push_value(IValue(bytes(le(8)))); break;
      case 'U': push_value(IValue(bytes(u8()))); break;
      case 'T': {
        const auto n = static_cast<int32_t>(le(4));
        if (n < 0) error("BINSTRING with negative length ", n);
        push_value(IValue(bytes(static_cast<uint64_t>(n))));
        break;
      }
      case ')': push(make_tuple({})); break;
      case 0x85:
      case 0x86:
      case 0x87: {
        const size_t n = op_ - 0x84u;
        if (stack_.size() < floor() + n) error(opcode_name(op_), " needs ", n, " values on the stack");
        std::vector<Item> items(std::make_move_iterator(stack_.end() - static_cast<std::ptrdiff_t>(n)),
                                std::make_move_iterator(stack_.end()));
        stack_.resize(stack_.size() - n);
        push(make_tuple(std::move(items)));
        break;
      }
      case 't': push(make_tuple(pop_mark())); break;
      case ']': {
        Item it;
        it.value = IValue(GenericList());
        it.meta = new_meta();
        push(std::move(it));
        break;
      }
      case '}': {
        Item it;
        it.value = IValue(GenericDict());
        it.meta = new_meta();
        push(std::move(it));
        break;
      }
      case 'l':
      case 'd': {
        std::vector<Item> items = pop_mark();
        Item it;
        it.meta = new_meta();
        if (op_ == 'l') {
          GenericList list;
          for (const auto& x : items) adopt(it.meta, x), list.push_back(as_value(x, "a list item"));
          it.value = IValue(list);
        } else {
          it.value = IValue(GenericDict());
          op_setitems(it.meta, it.value, items, 0);
        }
        push(std::move(it));
        break;
      }
      case 'a': {
        Item x = pop();
        Item& list = top();
        if (!list.value.isList() || list.meta < 0) error("APPEND to a ", list.value.type_name(), ", not a list");
        adopt(list.meta, x);
        list.value.toList().push_back(as_value(x, "a list item"));
        break;
      }
      case 'e': {
        std::vector<Item> items = pop_mark();
        Item& list = top();
        if (!list.value.isList() || list.meta < 0) error("APPENDS to a ", list.value.type_name(), ", not a list");
        GenericList l = list.value.toList();
        for (const auto& x : items) adopt(list.meta, x), l.push_back(as_value(x, "a list item"));
        break;
      }
      case 's': {
        std::vector<Item> items(2);
        items[1] = pop();
        items[0] = pop();
        Item& dict = top();
        op_setitems(dict.meta, dict.value, items, 0);
        break;
      }
      case 'u': {
        std::vector<Item> items = pop_mark();
        Item& dict = top();
        op_setitems(dict.meta, dict.value, items, 0);
        break;
      }
      case 'c': {
        std::string module = line();
        std::string name = line();
        op_global(std::move(module), std::move(name));
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        Item name = pop();
        Item module = pop();
        if (!module.value.isString() || !name.value.isString()) error("STACK_GLOBAL needs two strings");
        op_global(module.value.toStringRef(), name.value.toStringRef());
        break;
      }
      case 'R': op_reduce(); break;
      case 'Q': op_persid(); break;
      case 'b': {  // BUILD: PyTorch sets an OrderedDict's _metadata this way, which ember does not
                   // keep; a TorchScript object gets its attributes
        Item state = pop();
        Item& inst = top();
        if (!inst.value.isGenericDict() || inst.kind != Item::Kind::Value)
          error("BUILD of a ", inst.value.type_name(), " is not allowed (only of an OrderedDict)");
        const IValue& s = as_value(state, "object state");
        if (!s.isGenericDict() && !s.isNone()) error("BUILD with a ", s.type_name(), " state is not allowed");
        if (inst.meta >= 0 && meta_[static_cast<size_t>(inst.meta)].object && s.isGenericDict()) {
          if (state.meta < 0 || state.meta == inst.meta) error("BUILD of a TorchScript object with a foreign state");
          Meta& m = meta_[static_cast<size_t>(inst.meta)];
          Meta& from = meta_[static_cast<size_t>(state.meta)];
          if (m.frozen) error("a container is changed after it was placed inside another one");
          // The attributes sit where the state dict's entries sat, so its depth and size carry over.
          from.frozen = true;
          m.depth = std::max(m.depth, from.depth);
          m.nodes += from.nodes;
          if (m.nodes > limits_.max_nodes) error("the value has more than ", limits_.max_nodes, " parts");
          GenericDict attributes = inst.value.toGenericDict();
          for (auto e : s.toGenericDict()) attributes.insert_or_assign(e.key(), e.value());
        }
        break;
      }
      case 0x81: {  // NEWOBJ: only a TorchScript object with no arguments
        Item args = pop();
        Item& cls = top();
        if (cls.kind != Item::Kind::Global || cls.global != GlobalKind::TorchScriptClass)
          error("the pickle opcode NEWOBJ (0x81) is not allowed in a checkpoint");
        const IValue& a = as_value(args, "NEWOBJ arguments");
        if (!a.isTuple() || a.toTupleRef().size() != 0) error("NEWOBJ of '", cls.global_name, "' with arguments");
        Item obj;
        obj.value = IValue(GenericDict());
        obj.meta = new_meta();
        meta_.back().object = true;
        cls = std::move(obj);
        break;
      }
      case 'q':
      case 'r':
      case 0x94: {  // BINPUT, LONG_BINPUT, MEMOIZE
        const uint64_t idx = op_ == 'q' ? u8() : op_ == 'r' ? le(4) : memo_.size();
        if (memo_.size() >= limits_.max_memo && !memo_.count(idx))
          error("more than ", limits_.max_memo, " memo entries");
        memo_[idx] = top();
        break;
      }
      case 'h':
      case 'j': {
        const uint64_t idx = op_ == 'h' ? u8() : le(4);
        auto it = memo_.find(idx);
        if (it == memo_.end()) error("memo entry ", idx, " was never stored");
        push(it->second);
        break;
      }
      default: {
        const char* name = opcode_name(op_);
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", op_);
        if (name) error("the pickle opcode ", name, " (", hex, ") is not allowed in a checkpoint");
        error("unknown pickle opcode ", hex);
      }
    }
  }
}

}  // namespace

IValue unpickle(const char* data, size_t size, const StorageLoader& load_storage, const std::string& what,
                const UnpickleLimits& limits) {
  // Tensors come out as plain leaves, whatever grad mode the caller is in.
  NoGradGuard no_grad;
  return Unpickler(data, size, load_storage, what, limits).run();
}

}  // namespace detail
}  // namespace serialize
}  // namespace ember
