// Replays every case of expected.json (LibTorch 1.13's results) against ember behind a crash guard and compares.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "differential/cases.h"
#include "differential/guard.h"

namespace {

using nlohmann::json;

// One difference between LibTorch and ember, printed as one line.
struct Diff {
  uint64_t id;
  std::string op, kind, desc, detail;
  std::string line() const { return "#" + std::to_string(id) + " " + op + " " + kind + " [" + desc + "] " + detail; }
};

double num(const json& v) {
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s == "nan") return std::nan("");
    return s == "inf" ? INFINITY : -INFINITY;
  }
  return v.get<double>();
}

struct Tol {
  double rtol, atol;
};

// Tolerances by dtype: float32 results agree to a few ulp of single precision, float64 ones to
// double rounding; integers and bools exactly.
Tol tolerance(const std::string& dtype, const std::string& op, bool grad) {
  Tol t{0, 0};
  if (dtype == "f32") t = {1e-5, 1e-6};
  if (dtype == "f64") t = {1e-10, 1e-12};
  // A normalisation's input gradient is w/std * (g - mean(g) - xhat * mean(g * xhat)): two reductions
  // over the group whose terms (of size |w g| / std) cancel, so float32 leaves absolute errors of a
  // few 1e-6 on results near zero.
  if (grad && dtype == "f32" && (op == "layer_norm" || op == "group_norm" || op == "batch_norm")) t.atol = 1e-5;
  return t;
}

bool close(double a, double b, Tol t) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::fabs(a - b) <= t.atol + t.rtol * std::fabs(a);
}

std::string sizes_str(const json& s) {
  std::string o = "[";
  for (size_t i = 0; i < s.size(); ++i) o += (i ? "," : "") + std::to_string(s[i].get<int64_t>());
  return o + "]";
}

std::string brief(const json& out) {
  if (out.is_null()) return "undefined";
  std::string o = out["t"].get<std::string>() + sizes_str(out["s"]);
  if (out["g"].get<int>()) o += " rg";
  const json& v = out["v"];
  if (!v.empty()) {
    o += " {";
    for (size_t i = 0; i < v.size() && i < 6; ++i) o += (i ? "," : "") + diffcase::num_str(num(v[i]));
    if (v.size() > 6) o += ",...";
    o += "}";
  }
  return o;
}

// Compares one tensor record (an output or a gradient); appends differences of `kind_prefix`.
// single: the case computes in float32 somewhere, so a float64 gradient carries float32 rounding.
void compare_tensor(const json& e, const json& m, const std::string& what, const std::string& kind_prefix,
                    const std::string& op, bool single, std::vector<std::pair<std::string, std::string>>* d) {
  if (e.is_null() || m.is_null()) {
    if (e.is_null() != m.is_null())
      d->push_back({kind_prefix + "defined", what + ": LibTorch " + brief(e) + " vs ember " + brief(m)});
    return;
  }
  if (e["s"] != m["s"]) {
    d->push_back({kind_prefix + "shape", what + ": LibTorch " + brief(e) + " vs ember " + brief(m)});
    return;
  }
  if (kind_prefix.empty()) {
    if (e["t"] != m["t"]) d->push_back({"dtype", what + ": LibTorch " + brief(e) + " vs ember " + brief(m)});
    if (e["g"] != m["g"])
      d->push_back({"requires_grad", what + ": LibTorch " + std::to_string(e["g"].get<int>()) + " vs ember " +
                                         std::to_string(m["g"].get<int>())});
  }
  const json& ev = e["v"];
  const json& mv = m["v"];
  if (ev.size() != mv.size()) {
    d->push_back({kind_prefix + "values", what + ": LibTorch " + brief(e) + " vs ember " + brief(m)});
    return;
  }
  // The looser dtype of the two decides (a dtype difference is reported on its own).
  std::string dt = e["t"].get<std::string>();
  if (m["t"] == "f32" || (dt != "f32" && m["t"] == "f64")) dt = m["t"].get<std::string>();
  if (single && dt == "f64") dt = "f32";
  Tol tol = tolerance(dt, op, !kind_prefix.empty());
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < ev.size(); ++i)
    if (!close(num(ev[i]), num(mv[i]), tol)) {
      if (bad++ == 0) first = i;
    }
  if (bad) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "%s: %zu of %zu differ, first at %zu: LibTorch %.9g vs ember %.9g", what.c_str(), bad,
                  ev.size(), first, num(ev[first]), num(mv[first]));
    d->push_back({kind_prefix + "values", std::string(buf) + " (LibTorch " + brief(e) + ", ember " + brief(m) + ")"});
  }
}

std::vector<Diff> compare_case(const json& e, const json& m) {
  std::vector<std::pair<std::string, std::string>> d;
  // Inputs must be the ones expected.json was made from. Where a library threw while the inputs
  // were being built, its description stops early: then one must be a prefix of the other.
  std::string ein = e.value("in", std::string()), min = m.value("in", std::string());
  bool partial = e.contains("threw") || m.contains("threw");
  bool same_inputs = partial ? (ein.compare(0, min.size(), min) == 0 || min.compare(0, ein.size(), ein) == 0)
                             : (ein == min && e.value("fp", std::string()) == m.value("fp", std::string()));
  if (!same_inputs) {
    // Not an ember difference: cases.h now generates other inputs than expected.json was made from.
    return {{e["id"].get<uint64_t>(), e["op"].get<std::string>(), "stale", e.value("in", std::string()),
             "expected.json was generated from other inputs (ember's: " + m.value("in", std::string()) +
                 "); run tests/differential/generate.sh"}};
  }
  bool et = e.contains("threw"), mt = m.contains("threw");
  if (et != mt) {
    if (et) {
      std::string outs;
      for (const auto& o : m["out"]) outs += (outs.empty() ? "" : "; ") + brief(o);
      d.push_back({"ember-accepted", "LibTorch threw \"" + e["threw"].get<std::string>() + "\"; ember returned " + outs});
    } else {
      d.push_back({"ember-threw", "ember threw \"" + m["threw"].get<std::string>() + "\""});
    }
  } else if (!et) {
    const json& eo = e["out"];
    const json& mo = m["out"];
    if (eo.size() != mo.size()) {
      d.push_back({"outputs", "LibTorch " + std::to_string(eo.size()) + " outputs vs ember " + std::to_string(mo.size())});
    } else {
      for (size_t i = 0; i < eo.size(); ++i)
        compare_tensor(eo[i], mo[i], "out" + std::to_string(i), "", e["op"].get<std::string>(), false, &d);
    }
    bool eb = e.contains("bw_threw"), mb = m.contains("bw_threw");
    bool eg = e.contains("grads"), mg = m.contains("grads");
    if (eb != mb && (eb || mg)) {
      if (eb)
        d.push_back({"grad-accepted", "LibTorch's backward threw \"" + e["bw_threw"].get<std::string>() + "\"; ember's ran"});
      else
        d.push_back({"grad-threw", "ember's backward threw \"" + m["bw_threw"].get<std::string>() + "\""});
    } else if (eg != mg && !eb && !mb) {
      d.push_back({"backward", std::string("backward ran in ") + (eg ? "LibTorch only" : "ember only")});
    } else if (eg && mg) {
      const json& ge = e["grads"];
      const json& gm = m["grads"];
      if (ge.size() != gm.size()) {
        d.push_back({"grad-count", std::to_string(ge.size()) + " vs " + std::to_string(gm.size()) + " leaves"});
      } else {
        bool single = e.value("in", std::string()).find("f32") != std::string::npos;
        for (const auto& o : eo)
          if (!o.is_null() && o["t"] == "f32") single = true;
        for (size_t i = 0; i < ge.size(); ++i)
          compare_tensor(ge[i], gm[i], "grad" + std::to_string(i), "grad-", e["op"].get<std::string>(), single, &d);
      }
    }
  }
  std::vector<Diff> out;
  for (auto& [kind, detail] : d)
    out.push_back({e["id"].get<uint64_t>(), e["op"].get<std::string>(), kind, e.value("in", std::string()), detail});
  return out;
}

// accepted.txt: "op kind [regex] -- reason" per line (# starts a comment); the regex is searched
// in the difference's line ("#id op kind [inputs] detail"), so it can name inputs and messages.
struct Accepted {
  std::string op, kind, where, reason, text;
  std::regex re;
  int line = 0;
  size_t hits = 0;
  bool matches(const Diff& d) const {
    return d.op == op && d.kind == kind && (where.empty() || std::regex_search(d.line(), re));
  }
};

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::vector<Accepted> load_accepted(const std::string& path, std::vector<std::string>* errors) {
  std::vector<Accepted> out;
  std::ifstream in(path);
  std::string l;
  int n = 0;
  while (std::getline(in, l)) {
    ++n;
    std::string t = trim(l);
    if (t.empty() || t[0] == '#') continue;
    size_t sep = t.find(" -- ");
    Accepted a;
    a.line = n;
    a.text = t;
    if (sep == std::string::npos || trim(t.substr(sep + 4)).empty()) {
      errors->push_back("accepted.txt:" + std::to_string(n) + ": no reason (\" -- why\"): " + t);
      continue;
    }
    a.reason = trim(t.substr(sep + 4));
    std::istringstream key(t.substr(0, sep));
    key >> a.op >> a.kind;
    std::getline(key, a.where);
    a.where = trim(a.where);
    try {
      a.re = std::regex(a.where);
    } catch (const std::regex_error& e) {
      errors->push_back("accepted.txt:" + std::to_string(n) + ": bad regex: " + e.what());
      continue;
    }
    if (a.kind.empty()) {
      errors->push_back("accepted.txt:" + std::to_string(n) + ": needs an op and a kind: " + t);
      continue;
    }
    out.push_back(a);
  }
  return out;
}

TEST(Differential, EveryCaseMatchesLibTorch) {
  auto t0 = std::chrono::steady_clock::now();
  std::ifstream in(std::string(EMBER_DIFFERENTIAL_DIR) + "/expected.json");
  ASSERT_TRUE(in) << "missing expected.json";
  json expected = json::parse(in);
  const json& cases = expected["cases"];
  ASSERT_GE(cases.size(), 5000u);
  const auto& vs = diffcase::variants();
  ASSERT_EQ(expected["variants"].get<size_t>(), vs.size()) << "expected.json is stale: regenerate it (generate.sh)";

  std::vector<uint64_t> ids;
  std::map<uint64_t, const json*> by_id;
  size_t skipped = 0;
  for (const auto& c : cases) {
    uint64_t id = c["id"].get<uint64_t>();
    ASSERT_EQ(c["op"].get<std::string>(), vs[id % vs.size()].name) << "expected.json is stale at case " << id;
    if (c.contains("skipped")) {
      ++skipped;
      continue;
    }
    ids.push_back(id);
    by_id[id] = &c;
  }

  // The parent never runs an ember op (its OpenMP pool stays unborn); every case runs in a child.
  auto outcomes = diffguard::run_guarded(
      ids, 400,
      [](uint64_t id) {
        torch::set_num_threads(1);
        return diffcase::to_json(id, diffcase::run_case(id));
      },
      300, 60);

  std::vector<Diff> diffs;
  for (uint64_t id : ids) {
    const json& e = *by_id[id];
    const auto& o = outcomes[id];
    if (!o.ok) {
      diffs.push_back({id, e["op"].get<std::string>(), "crash", e.value("in", std::string()), "ember crashed: " + o.crash});
      continue;
    }
    json m = json::parse(o.line);
    for (auto& d : compare_case(e, m)) diffs.push_back(d);
  }

  std::vector<std::string> errors;
  auto accepted = load_accepted(std::string(EMBER_DIFFERENTIAL_DIR) + "/accepted.txt", &errors);
  for (const auto& e : errors) ADD_FAILURE() << e;
  std::vector<const Diff*> unlisted;
  std::map<std::string, size_t> per_kind;
  for (const auto& d : diffs) {
    bool hit = false;
    for (auto& a : accepted)
      if (a.matches(d)) ++a.hits, hit = true;
    if (!hit) unlisted.push_back(&d), ++per_kind[d.op + " " + d.kind];
  }
  for (const Diff* d : unlisted) std::printf("DIFF %s\n", d->line().c_str());
  if (!unlisted.empty()) {
    std::printf("unlisted differences by op and kind:\n");
    for (const auto& [k, n] : per_kind) std::printf("  %4zu %s\n", n, k.c_str());
  }
  for (const auto& a : accepted)
    if (a.hits == 0)
      ADD_FAILURE() << "accepted.txt:" << a.line << " no longer occurs (remove it): " << a.text;
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%zu cases (%zu skipped: LibTorch crashed), %zu variants, %zu differences (%zu accepted), %.1f s\n",
              cases.size(), skipped, vs.size(), diffs.size(), diffs.size() - unlisted.size(), secs);
  EXPECT_EQ(unlisted.size(), 0u) << "unlisted differences between LibTorch 1.13 and ember (lines starting DIFF above)";
}

}  // namespace

namespace {

// The crash guard itself: a case that dies is reported as that case, the others still run.
TEST(DifferentialGuard, PinsACrashOrHangOnItsCase) {
  std::vector<uint64_t> ids{0, 1, 2, 3, 4, 5};
  auto out = diffguard::run_guarded(
      ids, 4,
      [](uint64_t id) -> std::string {
        if (id == 2) std::abort();
        if (id == 4) sleep(30);
        return "line " + std::to_string(id);
      },
      2, 1);
  ASSERT_EQ(out.size(), ids.size());
  for (uint64_t id : {0, 1, 3, 5}) {
    EXPECT_TRUE(out[id].ok) << id;
    EXPECT_EQ(out[id].line, "line " + std::to_string(id));
  }
  EXPECT_FALSE(out[2].ok);
  EXPECT_NE(out[2].crash.find("signal 6"), std::string::npos) << out[2].crash;
  EXPECT_FALSE(out[4].ok);
  EXPECT_NE(out[4].crash.find("timeout"), std::string::npos) << out[4].crash;
}

}  // namespace
