// The protocol-2 pickler that writes data.pkl as torch.save does (tensors as _rebuild_tensor_v2).
#include "serialize/pickle.h"

#include <cstring>
#include <limits>
#include <map>
#include <utility>

namespace ember {
namespace serialize {
namespace detail {

namespace {

class Pickler {
 public:
  explicit Pickler(std::vector<PickledStorage>& storages) : storages_(storages) {}
  std::string out;

  void put(uint8_t op) { out.push_back(static_cast<char>(op)); }
  void put_le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void put_global(const char* module, const char* name) {
    put('c');
    out += module;
    out += '\n';
    out += name;
    out += '\n';
  }
  void put_int(int64_t v) {
    if (v >= 0 && v < 256) {
      put('K'), put_le(static_cast<uint64_t>(v), 1);
    } else if (v >= 0 && v < 65536) {
      put('M'), put_le(static_cast<uint64_t>(v), 2);
    } else if (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()) {
      put('J'), put_le(static_cast<uint64_t>(static_cast<uint32_t>(static_cast<int32_t>(v))), 4);
    } else {
      // LONG1 with the fewest bytes that keep the sign, as Python writes it.
      uint64_t u;
      std::memcpy(&u, &v, sizeof u);
      int n = 8;
      while (n > 1) {
        const uint8_t top_byte = static_cast<uint8_t>(u >> (8 * (n - 1)));
        const uint8_t next = static_cast<uint8_t>(u >> (8 * (n - 2)));
        if ((top_byte == 0 && !(next & 0x80)) || (top_byte == 0xff && (next & 0x80))) --n;
        else break;
      }
      put(0x8a), put_le(static_cast<uint64_t>(n), 1), put_le(u, n);
    }
  }
  void put_string(const std::string& s) {
    put('X'), put_le(s.size(), 4);
    out += s;
  }
  void put_double(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    put('G');
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  }
  void put_empty_ordered_dict() {
    put_global("collections", "OrderedDict");
    put(')'), put('R');
  }

  void put_tensor(const Tensor& t) {
    EMBER_CHECK(t.defined(), "cannot save an undefined tensor");
    const Storage& storage = t.unsafeGetTensorImpl()->storage();
    const auto key_of = std::make_pair(storage.get(), t.dtype());
    auto it = keys_.find(key_of);
    const size_t elem = element_size(t.dtype());
    const int64_t storage_numel = static_cast<int64_t>(storage->nbytes() / elem);
    if (it == keys_.end()) {
      std::string key = std::to_string(storages_.size());
      Tensor flat(make_intrusive<TensorImpl>(storage, t.dtype(), IntArrayRef({storage_numel}), IntArrayRef({int64_t{1}}),
                                             int64_t{0}));
      storages_.push_back(PickledStorage{key, flat, file_dtype(t.dtype())});
      it = keys_.emplace(key_of, key).first;
    }
    static const char* const kStorageClass[] = {"DoubleStorage", "FloatStorage", "HalfStorage", "BFloat16Storage",
                                                 "LongStorage",   "IntStorage",   "ShortStorage", "CharStorage",
                                                 "ByteStorage",   "BoolStorage"};
    put_global("torch._utils", "_rebuild_tensor_v2");
    put('(');
    put('(');
    put_string("storage");
    put_global("torch", kStorageClass[static_cast<int>(file_dtype(t.dtype()))]);
    put_string(it->second);
    put_string("cpu");
    put_int(storage_numel);
    put('t');
    put('Q');
    put_int(t.storage_offset());
    put_int_tuple(t.sizes());
    put_int_tuple(t.strides());
    put(t.requires_grad() ? 0x88 : 0x89);
    put_empty_ordered_dict();
    put('t');
    put('R');
  }
  void put_int_tuple(IntArrayRef v) {
    if (v.empty()) return put(')');
    if (v.size() > 3) put('(');
    for (int64_t x : v) put_int(x);
    put(v.size() > 3 ? 't' : static_cast<uint8_t>(0x84 + v.size()));
  }

  void put_value(const IValue& v, int depth, bool ordered_dict) {
    EMBER_CHECK(depth < 1000, "cannot save a value nested more than 1000 deep");
    switch (v.tag()) {
      case IValue::Tag::None: return put('N');
      case IValue::Tag::Bool: return put(v.toBool() ? 0x88 : 0x89);
      case IValue::Tag::Int: return put_int(v.toInt());
      case IValue::Tag::Double: return put_double(v.toDouble());
      case IValue::Tag::String: return put_string(v.toStringRef());
      case IValue::Tag::Tensor: return put_tensor(v.toTensor());
      case IValue::Tag::Tuple: {
        const auto& el = v.toTupleRef().elements();
        if (el.empty()) return put(')');
        if (el.size() > 3) put('(');
        for (const auto& e : el) put_value(e, depth + 1, false);
        return put(el.size() > 3 ? 't' : static_cast<uint8_t>(0x84 + el.size()));
      }
      case IValue::Tag::GenericList: {
        put(']');
        const auto& el = v.toListRef();
        for (size_t i = 0; i < el.size(); i += 1000) {
          put('(');
          for (size_t j = i; j < std::min(el.size(), i + 1000); ++j) put_value(el[j], depth + 1, false);
          put('e');
        }
        return;
      }
      case IValue::Tag::GenericDict: {
        if (ordered_dict) put_empty_ordered_dict();
        else put('}');
        const GenericDict d = v.toGenericDict();
        size_t n = 0;
        for (auto e : d) {
          if (n % 1000 == 0) {
            if (n) put('u');
            put('(');
          }
          put_value(e.key(), depth + 1, false);
          put_value(e.value(), depth + 1, false);
          ++n;
        }
        if (n) put('u');
        return;
      }
    }
  }

 private:
  std::vector<PickledStorage>& storages_;
  std::map<std::pair<const StorageImpl*, ScalarType>, std::string> keys_;
};

}  // namespace

std::string pickle(const IValue& value, std::vector<PickledStorage>& storages, bool root_ordered_dict) {
  Pickler p(storages);
  p.put(0x80), p.put(2);
  p.put_value(value, 0, root_ordered_dict);
  p.put('.');
  return std::move(p.out);
}

}  // namespace detail
}  // namespace serialize
}  // namespace ember
