// OutputArchive / InputArchive (torch::serialize): named tensors, scalars and nested archives,
// saved as a PyTorch zip checkpoint (a dict Python's torch.load reads) or as safetensors.
#pragma once
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "ember/core/device.h"
#include "ember/serialize/ivalue.h"

namespace ember {
namespace serialize {

class OutputArchive {
 public:
  OutputArchive() = default;
  OutputArchive(OutputArchive&&) = default;
  OutputArchive& operator=(OutputArchive&&) = default;
  OutputArchive(OutputArchive&) = delete;
  OutputArchive& operator=(OutputArchive&) = delete;

  // Writing a key again replaces its value, keeping its place.
  void write(const std::string& key, const IValue& ivalue);
  void write(const std::string& key, const Tensor& tensor, bool is_buffer = false);
  // The nested archive's entries become a dict under `key` (a copy of them as they are now).
  void write(const std::string& key, OutputArchive& nested_archive);
  void write(const std::string& key, double value) { write(key, IValue(value)); }
  void write(const std::string& key, int64_t value) { write(key, IValue(value)); }
  void write(const std::string& key, int value) { write(key, IValue(static_cast<int64_t>(value))); }
  void write(const std::string& key, bool value) { write(key, IValue(value)); }

  // A path ending in ".safetensors" gets safetensors (tensors only); anything else PyTorch's zip
  // format. Writes to a path are atomic.
  void save_to(const std::string& filename);
  void save_to(std::ostream& stream);
  void save_to(const std::function<size_t(const void*, size_t)>& func);

  template <typename... Ts>
  void operator()(Ts&&... ts) {
    write(std::forward<Ts>(ts)...);
  }

  // ember: what save_to writes, one dict in insertion order.
  IValue ivalue() const { return IValue(dict_); }
  std::vector<std::string> keys() const;

 private:
  GenericDict dict_;
};

class InputArchive {
 public:
  InputArchive();
  InputArchive(InputArchive&&) = default;
  InputArchive& operator=(InputArchive&&) = default;
  InputArchive(InputArchive&) = delete;
  InputArchive& operator=(InputArchive&) = delete;
  ~InputArchive() = default;

  void read(const std::string& key, IValue& ivalue);
  bool try_read(const std::string& key, IValue& ivalue);
  // A defined `tensor` takes the loaded data in place (set_data, under no-grad), so that other
  // holders of it (an optimizer) see the change; an undefined one is assigned.
  bool try_read(const std::string& key, Tensor& tensor, bool is_buffer = false);
  void read(const std::string& key, Tensor& tensor, bool is_buffer = false);
  // A dict under `key`, or, in a flat state dict, every entry named "key.<rest>" as "<rest>".
  bool try_read(const std::string& key, InputArchive& archive);
  void read(const std::string& key, InputArchive& archive);

  // The format is recognised by content: PyTorch zip checkpoint or safetensors. ember is CPU
  // only: `device` may only be the CPU, and tensors saved on a GPU load onto the CPU.
  void load_from(const std::string& filename, std::optional<Device> device = std::nullopt);
  void load_from(std::istream& stream, std::optional<Device> device = std::nullopt);
  void load_from(const char* data, size_t size, std::optional<Device> device = std::nullopt);
  void load_from(const std::function<size_t(uint64_t pos, void* buf, size_t nbytes)>& read_func,
                 const std::function<size_t(void)>& size_func, std::optional<Device> device = std::nullopt);

  // The keys at this level (a flat state dict's full names, or the rest after a nested prefix).
  std::vector<std::string> keys();

  template <typename... Ts>
  void operator()(Ts&&... ts) {
    read(std::forward<Ts>(ts)...);
  }

  // ember: the file's root value (a nested archive: its dict, or its entries for a prefix view).
  IValue ivalue() const;
  // ember: names the file in messages.
  const std::string& source() const { return source_; }

 private:
  void set_root(IValue root, std::string source);
  const IValue* find(const std::string& key) const;
  std::string full_key(const std::string& key) const { return prefix_ + key; }

  IValue root_;
  GenericDict dict_;
  std::string prefix_;
  std::string source_;
};

}  // namespace serialize
}  // namespace ember
