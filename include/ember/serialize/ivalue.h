// IValue: the generic value a checkpoint holds (None, bool, int, double, string, tensor, list,
// tuple, dict), with LibTorch's accessor names; lists and dicts are shared like Python's.
#pragma once
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "ember/core/tensor.h"

namespace ember {

class IValue;

namespace ivalue {
struct Tuple;
}  // namespace ivalue

// c10::List<IValue>: a handle to a shared, growable list.
class GenericList {
 public:
  // Defined below IValue, which they need complete.
  GenericList();
  explicit GenericList(std::vector<IValue> items);
  size_t size() const;
  bool empty() const;
  const IValue& get(size_t i) const;
  const IValue& operator[](size_t i) const { return get(i); }
  void push_back(IValue v);
  void reserve(size_t n);
  std::vector<IValue>::const_iterator begin() const;
  std::vector<IValue>::const_iterator end() const;
  const std::vector<IValue>& vec() const { return *items_; }
  bool is_same(const GenericList& o) const { return items_ == o.items_; }

 private:
  friend class IValue;
  explicit GenericList(std::shared_ptr<std::vector<IValue>> items) : items_(std::move(items)) {}
  std::shared_ptr<std::vector<IValue>> items_;
};

// c10::Dict<IValue, IValue>: a handle to a shared dict that keeps insertion order, as Python's.
// Keys are None, bool, int, double or string.
class GenericDict {
 public:
  class Entry {
   public:
    Entry(const IValue* key, const IValue* value) : key_(key), value_(value) {}
    const IValue& key() const { return *key_; }
    const IValue& value() const { return *value_; }

   private:
    const IValue* key_;
    const IValue* value_;
  };
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Entry;
    using difference_type = std::ptrdiff_t;
    using pointer = const Entry*;
    using reference = const Entry&;
    Iterator(const std::vector<std::pair<IValue, IValue>>* items, size_t i) : items_(items), i_(i) {}
    Entry operator*() const;
    struct Arrow {
      Entry e;
      const Entry* operator->() const { return &e; }
    };
    Arrow operator->() const { return Arrow{**this}; }
    Iterator& operator++() { return ++i_, *this; }
    Iterator operator++(int) {
      Iterator old = *this;
      ++i_;
      return old;
    }
    bool operator==(const Iterator& o) const { return i_ == o.i_ && items_ == o.items_; }
    bool operator!=(const Iterator& o) const { return !(*this == o); }

   private:
    const std::vector<std::pair<IValue, IValue>>* items_;
    size_t i_;
  };

  GenericDict();
  size_t size() const;
  bool empty() const { return size() == 0; }
  bool contains(const IValue& key) const;
  // Throws when the key is absent.
  const IValue& at(const IValue& key) const;
  // Null when absent.
  const IValue* find_value(const IValue& key) const;
  Iterator find(const IValue& key) const;
  // Adds the pair unless the key is present; returns whether it was added (as c10::Dict::insert).
  bool insert(IValue key, IValue value);
  // Adds or replaces, keeping the first position of the key.
  void insert_or_assign(IValue key, IValue value);
  Iterator begin() const;
  Iterator end() const;
  bool is_same(const GenericDict& o) const { return impl_ == o.impl_; }

 private:
  friend class IValue;
  struct Impl;
  explicit GenericDict(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

class IValue {
 public:
  enum class Tag : uint8_t { None, Bool, Int, Double, String, Tensor, GenericList, Tuple, GenericDict };

  IValue() = default;
  IValue(std::nullopt_t) {}
  IValue(bool v) : tag_(Tag::Bool) { payload_.b = v; }
  IValue(int64_t v) : tag_(Tag::Int) { payload_.i = v; }
  IValue(int32_t v) : IValue(static_cast<int64_t>(v)) {}
  IValue(double v) : tag_(Tag::Double) { payload_.d = v; }
  IValue(std::string v);
  IValue(const char* v) : IValue(std::string(v)) {}
  IValue(Tensor v);
  IValue(GenericList v);
  IValue(GenericDict v);
  IValue(std::shared_ptr<const ivalue::Tuple> v);
  IValue(const std::vector<Tensor>& v);
  IValue(const std::vector<int64_t>& v);
  IValue(const std::vector<double>& v);
  IValue(const IValue& o);
  IValue(IValue&& o) noexcept;
  IValue& operator=(const IValue& o);
  IValue& operator=(IValue&& o) noexcept;
  ~IValue();

  Tag tag() const { return tag_; }
  // Python's name of the type: "NoneType", "bool", "int", "float", "str", "Tensor", "list", "tuple", "dict".
  const char* type_name() const;
  std::string tagKind() const { return type_name(); }

  bool isNone() const { return tag_ == Tag::None; }
  bool isBool() const { return tag_ == Tag::Bool; }
  bool isInt() const { return tag_ == Tag::Int; }
  bool isDouble() const { return tag_ == Tag::Double; }
  bool isString() const { return tag_ == Tag::String; }
  bool isTensor() const { return tag_ == Tag::Tensor; }
  bool isList() const { return tag_ == Tag::GenericList; }
  bool isTuple() const { return tag_ == Tag::Tuple; }
  bool isGenericDict() const { return tag_ == Tag::GenericDict; }

  // Each throws ember::Error naming the actual type when the value holds another.
  bool toBool() const;
  int64_t toInt() const;
  double toDouble() const;
  const std::string& toStringRef() const;
  const Tensor& toTensor() const&;
  Tensor toTensor() &&;
  GenericList toList() const;
  const std::vector<IValue>& toListRef() const;
  std::shared_ptr<const ivalue::Tuple> toTuple() const;
  const ivalue::Tuple& toTupleRef() const;
  GenericDict toGenericDict() const;
  std::vector<Tensor> toTensorVector() const;
  std::vector<int64_t> toIntVector() const;
  std::vector<double> toDoubleVector() const;

  // The same object (lists, dicts, tuples, tensors) or equal scalars.
  bool is(const IValue& o) const;

 private:
  [[noreturn]] void wrong_type(const char* wanted) const;

  Tag tag_ = Tag::None;
  union Payload {
    bool b;
    int64_t i;
    double d;
  } payload_{};
  // Strings, tensors and containers (a shared_ptr to a std::string, Tensor, list, tuple or dict impl).
  std::shared_ptr<const void> object_;
};

namespace ivalue {
// An immutable tuple, as c10::ivalue::Tuple (elements()).
struct Tuple {
  explicit Tuple(std::vector<IValue> elements) : elements_(std::move(elements)) {}
  static std::shared_ptr<const Tuple> create(std::vector<IValue> elements) {
    return std::make_shared<const Tuple>(std::move(elements));
  }
  const std::vector<IValue>& elements() const { return elements_; }
  size_t size() const { return elements_.size(); }

 private:
  std::vector<IValue> elements_;
};
}  // namespace ivalue

inline GenericList::GenericList() : items_(std::make_shared<std::vector<IValue>>()) {}
inline size_t GenericList::size() const { return items_->size(); }
inline bool GenericList::empty() const { return items_->empty(); }
inline void GenericList::reserve(size_t n) { items_->reserve(n); }
inline std::vector<IValue>::const_iterator GenericList::begin() const { return items_->begin(); }
inline std::vector<IValue>::const_iterator GenericList::end() const { return items_->end(); }

// A short Python-like rendering for messages: {'a': tensor of shape [2, 3], 'b': 3}.
std::ostream& operator<<(std::ostream& os, const IValue& v);

}  // namespace ember
