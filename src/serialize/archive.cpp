// OutputArchive and InputArchive: a dict of entries, written and read through the file formats.
#include "ember/serialize/archive.h"

#include <istream>
#include <ostream>

#include "ember/autograd/grad_mode.h"
#include "ember/serialize/serialize.h"
#include "serialize/formats.h"

namespace ember {
namespace serialize {

void detail::assign_loaded(Tensor& target, const Tensor& loaded) {
  if (target.defined()) {
    NoGradGuard no_grad;
    target.set_data(loaded);
  } else {
    target = loaded;
  }
}

// ---- OutputArchive ----

void OutputArchive::write(const std::string& key, const IValue& ivalue) { dict_.insert_or_assign(key, ivalue); }

void OutputArchive::write(const std::string& key, const Tensor& tensor, bool /*is_buffer*/) {
  // PyTorch's files do not tell parameters from buffers; the name says what it is.
  EMBER_CHECK(tensor.defined(), "OutputArchive::write: the tensor '", key, "' is undefined");
  dict_.insert_or_assign(key, tensor);
}

void OutputArchive::write(const std::string& key, OutputArchive& nested_archive) {
  GenericDict copy;
  for (auto e : nested_archive.dict_) copy.insert(e.key(), e.value());
  dict_.insert_or_assign(key, copy);
}

std::vector<std::string> OutputArchive::keys() const {
  std::vector<std::string> out;
  for (auto e : dict_) out.push_back(e.key().toStringRef());
  return out;
}

void OutputArchive::save_to(const std::string& filename) { save_ivalue(ivalue(), filename); }
void OutputArchive::save_to(std::ostream& stream) { save_ivalue(ivalue(), stream); }
void OutputArchive::save_to(const std::function<size_t(const void*, size_t)>& func) { save_ivalue(ivalue(), func); }

// ---- InputArchive ----

InputArchive::InputArchive() : source_("<empty archive>") {}

void InputArchive::set_root(IValue root, std::string source) {
  root_ = std::move(root);
  dict_ = root_.isGenericDict() ? root_.toGenericDict() : GenericDict();
  prefix_.clear();
  source_ = std::move(source);
}

void InputArchive::load_from(const std::string& filename, std::optional<Device> device) {
  if (device) check_device(*device, "InputArchive::load_from");
  const std::string bytes = detail::read_file(filename);
  set_root(detail::read_any(bytes.data(), bytes.size(), filename), filename);
}

void InputArchive::load_from(std::istream& stream, std::optional<Device> device) {
  if (device) check_device(*device, "InputArchive::load_from");
  set_root(load_ivalue(stream), "<stream>");
}

void InputArchive::load_from(const char* data, size_t size, std::optional<Device> device) {
  if (device) check_device(*device, "InputArchive::load_from");
  set_root(detail::read_any(data, size, "<bytes>"), "<bytes>");
}

void InputArchive::load_from(const std::function<size_t(uint64_t pos, void* buf, size_t nbytes)>& read_func,
                             const std::function<size_t(void)>& size_func, std::optional<Device> device) {
  if (device) check_device(*device, "InputArchive::load_from");
  const size_t size = size_func();
  std::string bytes(size, '\0');
  size_t done = 0;
  while (done < size) {
    const size_t got = read_func(done, bytes.data() + done, size - done);
    EMBER_CHECK(got > 0 && got <= size - done, "<reader>: the read function returned ", got, " at offset ", done,
                " of ", size);
    done += got;
  }
  set_root(detail::read_any(bytes.data(), bytes.size(), "<reader>"), "<reader>");
}

const IValue* InputArchive::find(const std::string& key) const { return dict_.find_value(full_key(key)); }

bool InputArchive::try_read(const std::string& key, IValue& ivalue) {
  const IValue* v = find(key);
  if (!v) return false;
  ivalue = *v;
  return true;
}

void InputArchive::read(const std::string& key, IValue& ivalue) {
  EMBER_CHECK(try_read(key, ivalue), source_, ": no such serialized value '", full_key(key), "'");
}

bool InputArchive::try_read(const std::string& key, Tensor& tensor, bool /*is_buffer*/) {
  const IValue* v = find(key);
  if (!v) return false;
  EMBER_CHECK(v->isTensor(), source_, ": '", full_key(key), "' is a ", v->type_name(), ", not a tensor");
  detail::assign_loaded(tensor, v->toTensor());
  return true;
}

void InputArchive::read(const std::string& key, Tensor& tensor, bool is_buffer) {
  EMBER_CHECK(try_read(key, tensor, is_buffer), source_, ": No such serialized tensor '", full_key(key), "'");
}

bool InputArchive::try_read(const std::string& key, InputArchive& archive) {
  const std::string full = full_key(key);
  if (const IValue* v = find(key)) {
    if (!v->isGenericDict()) return false;
    archive.set_root(*v, source_);
    return true;
  }
  // A flat state dict holds a submodule's entries as "key.<name>".
  const std::string nested = full + ".";
  for (auto e : dict_) {
    if (e.key().isString() && e.key().toStringRef().compare(0, nested.size(), nested) == 0) {
      archive.root_ = root_;
      archive.dict_ = dict_;
      archive.prefix_ = nested;
      archive.source_ = source_;
      return true;
    }
  }
  return false;
}

void InputArchive::read(const std::string& key, InputArchive& archive) {
  EMBER_CHECK(try_read(key, archive), source_, ": No such serialized submodule: '", full_key(key), "'");
}

std::vector<std::string> InputArchive::keys() {
  std::vector<std::string> out;
  for (auto e : dict_) {
    if (!e.key().isString()) continue;
    const std::string& k = e.key().toStringRef();
    if (k.compare(0, prefix_.size(), prefix_) == 0) out.push_back(k.substr(prefix_.size()));
  }
  return out;
}

IValue InputArchive::ivalue() const {
  if (prefix_.empty()) return root_;
  GenericDict view;
  for (auto e : dict_) {
    if (!e.key().isString()) continue;
    const std::string& k = e.key().toStringRef();
    if (k.compare(0, prefix_.size(), prefix_) == 0) view.insert(k.substr(prefix_.size()), e.value());
  }
  return IValue(view);
}

}  // namespace serialize
}  // namespace ember
