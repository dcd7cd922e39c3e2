// Whole-value save and load (paths, streams, functions), pickle_save/pickle_load, and the tensor
// archive operators.
#include "ember/serialize/serialize.h"

#include <istream>
#include <ostream>

#include "serialize/formats.h"

namespace ember {
namespace serialize {

namespace {
// A state dict (every value a tensor) is written as collections.OrderedDict, as PyTorch writes it.
bool all_tensors(const IValue& v) {
  if (!v.isGenericDict()) return false;
  for (auto e : v.toGenericDict())
    if (!e.value().isTensor()) return false;
  return true;
}
}  // namespace

void save_ivalue(const IValue& value, const std::string& path) {
  detail::AtomicFile file(path);
  auto sink = [&](const char* p, size_t n) { file.write(p, n); };
  if (detail::is_safetensors_path(path)) detail::write_safetensors(value, sink, path);
  else detail::write_pt(value, all_tensors(value), sink, path);
  file.commit();
}

void save_ivalue(const IValue& value, std::ostream& stream) {
  detail::write_pt(value, all_tensors(value), [&](const char* p, size_t n) {
    stream.write(p, static_cast<std::streamsize>(n));
    EMBER_CHECK(stream.good(), "<stream>: writing the checkpoint failed");
  }, "<stream>");
  stream.flush();
  EMBER_CHECK(stream.good(), "<stream>: writing the checkpoint failed");
}

void save_ivalue(const IValue& value, const std::function<size_t(const void*, size_t)>& func) {
  detail::write_pt(value, all_tensors(value), [&](const char* p, size_t n) {
    const size_t written = func(p, n);
    EMBER_CHECK(written == n, "<writer>: the write function took ", written, " of ", n, " bytes");
  }, "<writer>");
}

IValue load_ivalue(const std::string& path) {
  const std::string bytes = detail::read_file(path);
  return detail::read_any(bytes.data(), bytes.size(), path);
}

IValue load_ivalue(std::istream& stream) {
  std::string bytes;
  char chunk[1 << 16];
  while (stream.read(chunk, sizeof chunk) || stream.gcount() > 0) bytes.append(chunk, static_cast<size_t>(stream.gcount()));
  EMBER_CHECK(!stream.bad(), "<stream>: reading the checkpoint failed");
  return detail::read_any(bytes.data(), bytes.size(), "<stream>");
}

IValue load_ivalue(const char* data, size_t size) { return detail::read_any(data, size, "<bytes>"); }

Tensor tensor_from(const IValue& root, const std::string& source) {
  if (root.isTensor()) return root.toTensor();
  if (root.isGenericDict()) {
    if (const IValue* v = root.toGenericDict().find_value("0"))
      if (v->isTensor()) return v->toTensor();
  }
  fail(source, ": expected a saved tensor (or a dict with the tensor under \"0\"), but the file holds a ",
       root.type_name());
}

std::vector<Tensor> tensors_from(const IValue& root, const std::string& source) {
  std::vector<Tensor> out;
  if (root.isList() || root.isTuple()) {
    for (const auto& v : root.isList() ? root.toListRef() : root.toTupleRef().elements()) {
      EMBER_CHECK(v.isTensor(), source, ": expected a list of tensors, but item ", out.size(), " is a ", v.type_name());
      out.push_back(v.toTensor());
    }
    return out;
  }
  if (root.isGenericDict()) {
    const GenericDict d = root.toGenericDict();
    for (size_t i = 0;; ++i) {
      const IValue* v = d.find_value(std::to_string(i));
      if (!v) break;
      EMBER_CHECK(v->isTensor(), source, ": entry \"", i, "\" is a ", v->type_name(), ", not a tensor");
      out.push_back(v->toTensor());
    }
    EMBER_CHECK(out.size() == d.size(), source, ": expected tensors named \"0\", \"1\", ... but the dict holds ",
                d.size(), " entries of which ", out.size(), " are numbered");
    return out;
  }
  fail(source, ": expected a list of tensors, but the file holds a ", root.type_name());
}

OutputArchive& operator<<(OutputArchive& archive, const Tensor& tensor) {
  archive.write("0", tensor);
  return archive;
}

InputArchive& operator>>(InputArchive& archive, Tensor& tensor) {
  detail::assign_loaded(tensor, tensor_from(archive.ivalue(), archive.source()));
  return archive;
}

}  // namespace serialize

std::vector<char> pickle_save(const IValue& value) {
  std::vector<char> out;
  serialize::detail::write_pt(value, false, [&](const char* p, size_t n) { out.insert(out.end(), p, p + n); },
                              "pickle_save");
  return out;
}

IValue pickle_load(const std::vector<char>& data) {
  return serialize::detail::read_any(data.data(), data.size(), "pickle_load");
}

}  // namespace ember
