// Containers: Sequential (modules applied in order) and Functional (a function as a module).
#pragma once
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "ember/nn/module.h"

namespace ember {
namespace nn {

class FunctionalImpl : public Cloneable<FunctionalImpl> {
 public:
  using Function = std::function<Tensor(Tensor)>;
  explicit FunctionalImpl(Function function) : function_(std::move(function)) {}
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::Functional()"; }
  Tensor forward(Tensor input) { return function_(std::move(input)); }
  Tensor operator()(Tensor input) { return forward(std::move(input)); }

 private:
  Function function_;
};
class Functional : public ModuleHolder<FunctionalImpl> {
 public:
  using ModuleHolder<FunctionalImpl>::ModuleHolder;
  using Impl = FunctionalImpl;
  Functional(Tensor (*fn)(const Tensor&)) : ModuleHolder(std::make_shared<FunctionalImpl>(fn)) {}
};

class SequentialImpl : public Cloneable<SequentialImpl> {
 public:
  SequentialImpl() = default;
  template <typename... Modules>
  explicit SequentialImpl(Modules&&... modules) {
    (push_back(std::forward<Modules>(modules)), ...);
  }

  // Appends a module (a holder such as Linear(2, 3), or a shared_ptr to a module with forward(Tensor)).
  template <typename M>
  void push_back(M&& module) {
    push_back(std::to_string(steps_.size()), std::forward<M>(module));
  }
  template <typename M>
  void push_back(std::string name, M&& module) {
    if constexpr (requires { module.ptr(); }) {
      add(std::move(name), module.ptr());
    } else {
      add(std::move(name), std::forward<M>(module));
    }
  }

  Tensor forward(Tensor input) {
    EMBER_CHECK(!steps_.empty(), "Cannot call forward() on an empty Sequential");
    for (auto& step : steps_) input = step.run(*step.module, std::move(input));
    return input;
  }
  // A Sequential of clones of every layer.
  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override {
    auto copy = std::make_shared<SequentialImpl>();
    for (size_t i = 0; i < steps_.size(); ++i) {
      auto layer = steps_[i].module->clone(device);
      copy->register_module(children_[i].key(), layer);
      copy->steps_.push_back(Step{std::move(layer), steps_[i].run});
    }
    copy->train(is_training());
    return copy;
  }
  size_t size() const noexcept { return steps_.size(); }
  bool is_empty() const noexcept { return steps_.empty(); }
  std::shared_ptr<Module> ptr(size_t index) const {
    EMBER_CHECK(index < steps_.size(), "Index out of range");
    return steps_[index].module;
  }
  std::shared_ptr<Module> operator[](size_t index) const { return ptr(index); }
  void reset() override {}
  void pretty_print(std::ostream& s) const override { s << "torch::nn::Sequential"; }

 private:
  struct Step {
    std::shared_ptr<Module> module;
    Tensor (*run)(Module&, Tensor);  // calls the concrete layer's forward
  };
  template <typename T>
  void add(std::string name, std::shared_ptr<T> module) {
    EMBER_CHECK(module != nullptr, "Sequential: cannot add an empty module");
    register_module(name, module);
    steps_.push_back(Step{module, [](Module& m, Tensor x) { return static_cast<T&>(m).forward(std::move(x)); }});
  }
  std::vector<Step> steps_;
};
class Sequential : public ModuleHolder<SequentialImpl> {
 public:
  using ModuleHolder<SequentialImpl>::ModuleHolder;
  using Impl = SequentialImpl;
};

}  // namespace nn
}  // namespace ember
