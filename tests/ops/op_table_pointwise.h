// Fixture ops of the remaining pointwise names (deg2rad ... signbit, src/ops/pointwise_extra.cpp),
// run by the op table in op_table.h.
#pragma once
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "ember/ember.h"

namespace ember_test {

// The result of fixture op `op`, or nullopt when the op is not of this family.
inline std::optional<ember::Tensor> run_pointwise_op(const std::string& op, const std::vector<ember::Tensor>& in,
                                                     const nlohmann::json& a) {
  using ember::Scalar;
  using ember::Tensor;
  const Tensor& x = in[0];
  auto has = [&](const char* k) { return a.contains(k) && !a[k].is_null(); };
  auto num = [&](const char* k, double d) { return has(k) ? a[k].get<double>() : d; };
  if (op == "deg2rad") return x.deg2rad();
  if (op == "rad2deg") return ember::rad2deg(x);
  if (op == "sinc") return x.sinc();
  if (op == "logit") return has("eps") ? x.logit(a["eps"].get<double>()) : ember::logit(x);
  if (op == "float_power") {
    if (has("exponent_scalar")) return x.float_power(Scalar(a["exponent_scalar"].get<double>()));
    if (has("base_scalar")) return ember::float_power(Scalar(a["base_scalar"].get<double>()), x);
    return x.float_power(in[1]);
  }
  if (op == "fmax") return x.fmax(in[1]);
  if (op == "fmin") return ember::fmin(x, in[1]);
  if (op == "frexp") {
    auto [mantissa, exponent] = x.frexp();
    return a["part"].get<int64_t>() == 0 ? mantissa : exponent;
  }
  if (op == "ldexp") return x.ldexp(in[1]);
  if (op == "heaviside") return x.heaviside(in[1]);
  if (op == "nextafter") return ember::nextafter(x, in[1]);
  if (op == "bitwise") {
    const std::string fn = a["fn"];
    if (fn == "not") return x.bitwise_not();
    if (has("self_scalar")) {
      const Scalar s(a["self_scalar"].get<int64_t>());
      if (fn == "xor") return ember::bitwise_xor(s, x);
      if (fn == "lshift") return ember::bitwise_left_shift(s, x);
      if (fn == "rshift") return ember::bitwise_right_shift(s, x);
    } else if (has("other_scalar")) {
      const Scalar s(a["other_scalar"].get<int64_t>());
      if (fn == "and") return x.bitwise_and(s);
      if (fn == "or") return x.bitwise_or(s);
      if (fn == "xor") return x.bitwise_xor(s);
      if (fn == "lshift") return x.bitwise_left_shift(s);
      if (fn == "rshift") return x.bitwise_right_shift(s);
    } else {
      if (fn == "and") return x.bitwise_and(in[1]);
      if (fn == "or") return ember::bitwise_or(x, in[1]);
      if (fn == "xor") return x.bitwise_xor(in[1]);
      if (fn == "lshift") return x.bitwise_left_shift(in[1]);
      if (fn == "rshift") return ember::bitwise_right_shift(x, in[1]);
    }
  }
  if (op == "gcd") return x.gcd(in[1]);
  if (op == "lcm") return ember::lcm(x, in[1]);
  if (op == "isclose")
    return x.isclose(in[1], num("rtol", 1e-5), num("atol", 1e-8), has("equal_nan") && a["equal_nan"].get<bool>());
  if (op == "isin") {
    const bool invert = has("invert") && a["invert"].get<bool>();
    if (has("test_scalar")) return ember::isin(x, Scalar(a["test_scalar"].get<int64_t>()), false, invert);
    return ember::isin(x, in[1], false, invert);
  }
  if (op == "predicate") {
    const std::string fn = a["fn"];
    if (fn == "signbit") return x.signbit();
    if (fn == "isneginf") return x.isneginf();
    if (fn == "isposinf") return ember::isposinf(x);
    if (fn == "isreal") return x.isreal();
  }
  return std::nullopt;
}

}  // namespace ember_test
