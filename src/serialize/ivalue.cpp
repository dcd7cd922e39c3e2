// IValue, GenericList and GenericDict: construction, typed access and the ordered dict index.
#include "ember/serialize/ivalue.h"

#include <cstring>
#include <map>

namespace ember {

// ---- GenericList ----

GenericList::GenericList(std::vector<IValue> items)
    : items_(std::make_shared<std::vector<IValue>>(std::move(items))) {}
const IValue& GenericList::get(size_t i) const {
  EMBER_CHECK(i < items_->size(), "list index ", i, " out of range for a list of ", items_->size());
  return (*items_)[i];
}
void GenericList::push_back(IValue v) { items_->push_back(std::move(v)); }

// ---- GenericDict ----

namespace {
// A dict key reduced to something std::map can order; Python's hashable scalars only.
struct DictKey {
  IValue::Tag tag;
  int64_t i = 0;
  std::string s;
  bool operator<(const DictKey& o) const {
    if (tag != o.tag) return tag < o.tag;
    if (i != o.i) return i < o.i;
    return s < o.s;
  }
};
DictKey make_key(const IValue& k) {
  DictKey key{k.tag(), 0, {}};
  switch (k.tag()) {
    case IValue::Tag::None: break;
    case IValue::Tag::Bool: key.i = k.toBool(); break;
    case IValue::Tag::Int: key.i = k.toInt(); break;
    case IValue::Tag::Double: {
      // Bitwise, so that NaN keys are still ordered.
      double d = k.toDouble();
      std::memcpy(&key.i, &d, sizeof d);
      break;
    }
    case IValue::Tag::String: key.s = k.toStringRef(); break;
    default: fail("unhashable type: '", k.type_name(), "' cannot be a dict key");
  }
  return key;
}
}  // namespace

struct GenericDict::Impl {
  std::vector<std::pair<IValue, IValue>> items;
  std::map<DictKey, size_t> index;
};

GenericDict::GenericDict() : impl_(std::make_shared<Impl>()) {}
size_t GenericDict::size() const { return impl_->items.size(); }
const IValue* GenericDict::find_value(const IValue& key) const {
  auto it = impl_->index.find(make_key(key));
  return it == impl_->index.end() ? nullptr : &impl_->items[it->second].second;
}
bool GenericDict::contains(const IValue& key) const { return find_value(key) != nullptr; }
const IValue& GenericDict::at(const IValue& key) const {
  const IValue* v = find_value(key);
  if (!v) fail("KeyError: ", key, " is not in the dict");
  return *v;
}
GenericDict::Iterator GenericDict::find(const IValue& key) const {
  auto it = impl_->index.find(make_key(key));
  return Iterator(&impl_->items, it == impl_->index.end() ? impl_->items.size() : it->second);
}
bool GenericDict::insert(IValue key, IValue value) {
  auto [it, added] = impl_->index.emplace(make_key(key), impl_->items.size());
  if (added) impl_->items.emplace_back(std::move(key), std::move(value));
  return added;
}
void GenericDict::insert_or_assign(IValue key, IValue value) {
  auto [it, added] = impl_->index.emplace(make_key(key), impl_->items.size());
  if (added) impl_->items.emplace_back(std::move(key), std::move(value));
  else impl_->items[it->second].second = std::move(value);
}
GenericDict::Iterator GenericDict::begin() const { return Iterator(&impl_->items, 0); }
GenericDict::Iterator GenericDict::end() const { return Iterator(&impl_->items, impl_->items.size()); }
GenericDict::Entry GenericDict::Iterator::operator*() const {
  const auto& item = (*items_)[i_];
  return Entry(&item.first, &item.second);
}

// ---- IValue ----

IValue::IValue(std::string v) : tag_(Tag::String), object_(std::make_shared<const std::string>(std::move(v))) {}
IValue::IValue(Tensor v) : tag_(Tag::Tensor), object_(std::make_shared<const Tensor>(std::move(v))) {}
IValue::IValue(GenericList v) : tag_(Tag::GenericList), object_(std::move(v.items_)) {}
IValue::IValue(GenericDict v) : tag_(Tag::GenericDict), object_(std::move(v.impl_)) {}
IValue::IValue(std::shared_ptr<const ivalue::Tuple> v) : tag_(Tag::Tuple), object_(std::move(v)) {
  EMBER_CHECK(object_, "IValue: null tuple");
}
IValue::IValue(const std::vector<Tensor>& v) : IValue(GenericList(std::vector<IValue>(v.begin(), v.end()))) {}
IValue::IValue(const std::vector<int64_t>& v) : IValue(GenericList(std::vector<IValue>(v.begin(), v.end()))) {}
IValue::IValue(const std::vector<double>& v) : IValue(GenericList(std::vector<IValue>(v.begin(), v.end()))) {}
IValue::IValue(const IValue& o) = default;
IValue::IValue(IValue&& o) noexcept : tag_(o.tag_), payload_(o.payload_), object_(std::move(o.object_)) {
  o.tag_ = Tag::None;
}
IValue& IValue::operator=(const IValue& o) = default;
IValue& IValue::operator=(IValue&& o) noexcept {
  tag_ = o.tag_;
  payload_ = o.payload_;
  object_ = std::move(o.object_);
  o.tag_ = Tag::None;
  return *this;
}
IValue::~IValue() = default;

const char* IValue::type_name() const {
  switch (tag_) {
    case Tag::None: return "NoneType";
    case Tag::Bool: return "bool";
    case Tag::Int: return "int";
    case Tag::Double: return "float";
    case Tag::String: return "str";
    case Tag::Tensor: return "Tensor";
    case Tag::GenericList: return "list";
    case Tag::Tuple: return "tuple";
    case Tag::GenericDict: return "dict";
  }
  return "?";
}

void IValue::wrong_type(const char* wanted) const { fail("expected ", wanted, " but got ", type_name()); }

bool IValue::toBool() const {
  if (!isBool()) wrong_type("bool");
  return payload_.b;
}
int64_t IValue::toInt() const {
  if (!isInt()) wrong_type("int");
  return payload_.i;
}
double IValue::toDouble() const {
  if (!isDouble()) wrong_type("float");
  return payload_.d;
}
const std::string& IValue::toStringRef() const {
  if (!isString()) wrong_type("str");
  return *static_cast<const std::string*>(object_.get());
}
const Tensor& IValue::toTensor() const& {
  if (!isTensor()) wrong_type("Tensor");
  return *static_cast<const Tensor*>(object_.get());
}
Tensor IValue::toTensor() && {
  if (!isTensor()) wrong_type("Tensor");
  return *static_cast<const Tensor*>(object_.get());
}
GenericList IValue::toList() const {
  if (!isList()) wrong_type("list");
  return GenericList(std::const_pointer_cast<std::vector<IValue>>(std::static_pointer_cast<const std::vector<IValue>>(object_)));
}
const std::vector<IValue>& IValue::toListRef() const {
  if (!isList()) wrong_type("list");
  return *static_cast<const std::vector<IValue>*>(object_.get());
}
std::shared_ptr<const ivalue::Tuple> IValue::toTuple() const {
  if (!isTuple()) wrong_type("tuple");
  return std::static_pointer_cast<const ivalue::Tuple>(object_);
}
const ivalue::Tuple& IValue::toTupleRef() const {
  if (!isTuple()) wrong_type("tuple");
  return *static_cast<const ivalue::Tuple*>(object_.get());
}
GenericDict IValue::toGenericDict() const {
  if (!isGenericDict()) wrong_type("dict");
  return GenericDict(std::const_pointer_cast<GenericDict::Impl>(std::static_pointer_cast<const GenericDict::Impl>(object_)));
}
std::vector<Tensor> IValue::toTensorVector() const {
  std::vector<Tensor> out;
  for (const auto& v : isTuple() ? toTupleRef().elements() : toListRef()) out.push_back(v.toTensor());
  return out;
}
std::vector<int64_t> IValue::toIntVector() const {
  std::vector<int64_t> out;
  for (const auto& v : isTuple() ? toTupleRef().elements() : toListRef()) out.push_back(v.toInt());
  return out;
}
std::vector<double> IValue::toDoubleVector() const {
  std::vector<double> out;
  for (const auto& v : isTuple() ? toTupleRef().elements() : toListRef()) out.push_back(v.toDouble());
  return out;
}

bool IValue::is(const IValue& o) const {
  if (tag_ != o.tag_) return false;
  switch (tag_) {
    case Tag::None: return true;
    case Tag::Bool: return payload_.b == o.payload_.b;
    case Tag::Int: return payload_.i == o.payload_.i;
    case Tag::Double: return payload_.d == o.payload_.d;
    case Tag::String: return toStringRef() == o.toStringRef();
    case Tag::Tensor: return toTensor().is_same(o.toTensor());
    default: return object_ == o.object_;
  }
}

std::ostream& operator<<(std::ostream& os, const IValue& v) {
  switch (v.tag()) {
    case IValue::Tag::None: return os << "None";
    case IValue::Tag::Bool: return os << (v.toBool() ? "True" : "False");
    case IValue::Tag::Int: return os << v.toInt();
    case IValue::Tag::Double: return os << v.toDouble();
    case IValue::Tag::String: return os << "'" << v.toStringRef() << "'";
    case IValue::Tag::Tensor: {
      const Tensor& t = v.toTensor();
      if (!t.defined()) return os << "undefined tensor";
      return os << "tensor of shape " << t.sizes() << " and dtype " << torch_name(t.dtype());
    }
    case IValue::Tag::GenericList: return os << "list of " << v.toListRef().size();
    case IValue::Tag::Tuple: return os << "tuple of " << v.toTupleRef().size();
    case IValue::Tag::GenericDict: return os << "dict of " << v.toGenericDict().size();
  }
  return os;
}

}  // namespace ember
