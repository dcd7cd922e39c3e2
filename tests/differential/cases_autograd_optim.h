// Differential variants for autograd semantics, optimizers and nn modules (included from cases.h
// after the other cases_*.h files, before variants()): chains of views with in-place ops on the
// view or the base, version-counter, leaf and view errors, detach, no_grad and InferenceMode,
// requires_grad_, retain_grad and hooks; torch::autograd::grad with create_graph (second
// derivatives), allow_unused, retain_graph and grad_outputs errors, gradient accumulation;
// torch::optim's SGD, Adam, AdamW, RMSprop, Adagrad, LBFGS and StepLR for a few steps; and nn
// modules with deterministic weights. Same rules as cases.h: only <torch/torch.h>, every value
// drawn from the case's Ctx, and no two arguments of one call draw from the RNG.
#pragma once

namespace diffcase {

// ---------------------------------------------------------------- helpers

// A leaf that requires grad whatever the case's grad flag says (dt floating).
inline Tensor ag_leaf(Ctx& c, const Shape& s, Dt dt, Vals vk = Vals::Any, int layout = 0) {
  bool g = c.grad;
  c.grad = true;
  Tensor t = c.make(s, dt, vk, layout);
  c.grad = g;
  return t;
}

// A tensor that never requires grad.
inline Tensor ag_const(Ctx& c, const Shape& s, Dt dt, Vals vk = Vals::Any) { return c.make(s, dt, vk, 0, false); }

// A flag as a 0-d int64 tensor.
inline Tensor ag_flag(bool b) { return torch::full({}, b ? 1 : 0, torch::dtype(torch::kInt64)); }
inline Tensor ag_int(int64_t v) { return torch::full({}, v, torch::dtype(torch::kInt64)); }
inline Tensor ag_num(double v) { return torch::full({}, v, torch::dtype(torch::kFloat64)); }

// Weights for sum(y * w) drawn from the case's RNG (halves in [-2, 2], never 0).
inline Tensor ag_weights(Ctx& c, const Tensor& y) { return weights_for(c.rng, y.detach()); }

// A random dim of a rank-r tensor (r >= 1), in [0, r).
inline int64_t ag_dim(Ctx& c, int64_t r) { return c.rng.range(0, std::max<int64_t>(r, 1) - 1); }

// One view op on t, picked to fit its shape and written into the description. expand (an
// overlapping view) and the outputs of multi-view ops (unbind, split, chunk) only when allowed.
inline Tensor ag_view(Ctx& c, const Tensor& t, bool allow_overlap = true) {
  int64_t r = t.dim();
  for (int tries = 0; tries < 40; ++tries) {
    int64_t k = c.rng.range(0, 14);
    if (r == 0 && k != 6 && k != 8 && k != 10 && k != 11) continue;
    if (!allow_overlap && (k == 11 || k == 12)) continue;
    if ((k == 3 || k == 4 || k == 5) && r < 2) continue;
    int64_t d = ag_dim(c, r);
    int64_t n = r > 0 ? t.size(d) : 1;
    switch (k) {
      case 0: {
        if (n == 0) continue;
        int64_t i = c.rng.range(-n, n - 1);
        c.note("select(" + std::to_string(d) + "," + std::to_string(i) + ")");
        return t.select(d, i);
      }
      case 1: {
        int64_t st = c.rng.range(0, n);
        int64_t len = c.rng.range(0, n - st);
        c.note("narrow(" + std::to_string(d) + "," + std::to_string(st) + "," + std::to_string(len) + ")");
        return t.narrow(d, st, len);
      }
      case 2: {
        int64_t a = c.rng.range(0, n);
        int64_t step = c.rng.range(1, 3);
        if (c.rng.chance(0.5)) {
          c.note("slice(" + std::to_string(d) + "," + std::to_string(a) + ",:," + std::to_string(step) + ")");
          return t.slice(d, a, n, step);
        }
        c.note("index(...,Slice(" + std::to_string(a) + ",None," + std::to_string(step) + "))");
        std::vector<TI> ix;
        for (int64_t i = 0; i < d; ++i) ix.emplace_back(Slice());
        ix.emplace_back(Slice(a, c10::nullopt, step));
        return t.index(ix);
      }
      case 3: {
        int64_t d2 = ag_dim(c, r);
        if (d2 == d) d2 = (d + 1) % r;
        int64_t off = c.rng.range(-1, 1);
        c.note("diagonal(" + std::to_string(off) + "," + std::to_string(d) + "," + std::to_string(d2) + ")");
        return t.diagonal(off, d, d2);
      }
      case 4: {
        int64_t d2 = ag_dim(c, r);
        c.note("transpose(" + std::to_string(d) + "," + std::to_string(d2) + ")");
        return t.transpose(d, d2);
      }
      case 5: {
        Shape p(static_cast<size_t>(r));
        for (int64_t i = 0; i < r; ++i) p[static_cast<size_t>(i)] = i;
        for (int64_t i = r - 1; i > 0; --i)
          std::swap(p[static_cast<size_t>(i)], p[static_cast<size_t>(c.rng.range(0, i))]);
        c.snote("permute", p);
        return t.permute(p);
      }
      case 6: {
        int64_t u = c.rng.range(0, r);
        c.note("unsqueeze(" + std::to_string(u) + ")");
        return t.unsqueeze(u);
      }
      case 7: {
        if (n == 1 || c.rng.chance(0.3)) {
          c.note("squeeze(" + std::to_string(d) + ")");
          return t.squeeze(d);
        }
        c.note("squeeze()");
        return t.squeeze();
      }
      case 8: {
        Shape s = t.sizes().vec();
        Shape to;
        if (r >= 2) {
          to.assign(s.begin(), s.end() - 2);
          to.push_back(s[static_cast<size_t>(r - 2)] * s[static_cast<size_t>(r - 1)]);
        } else if (r == 1 && n % 2 == 0 && n > 0) {
          to = {2, n / 2};
        } else {
          to = {-1};
        }
        // reshape: a view where the strides allow it, else a copy (LibTorch's elementwise results
        // keep their input's layout, so which one it is can differ; the description must not)
        c.snote("reshape", to);
        return t.reshape(to);
      }
      case 9: {
        if (n == 0) continue;
        int64_t sz = c.rng.range(1, n);
        int64_t st = sz + c.rng.range(0, 1);  // windows that do not overlap (an in-place op on
                                              // overlapping ones has no defined result)
        c.note("unfold(" + std::to_string(d) + "," + std::to_string(sz) + "," + std::to_string(st) + ")");
        return t.unfold(d, sz, st);
      }
      case 10: {
        Shape sz = t.sizes().vec();
        for (auto& v : sz) v = c.rng.range(std::min<int64_t>(v, 1), v);
        c.snote("as_strided", sz);
        return t.as_strided(sz, t.strides(), t.storage_offset());
      }
      case 11: {
        Shape sz = t.sizes().vec();
        for (auto& v : sz)
          if (v == 1) v = 2;
        sz.insert(sz.begin(), 2);
        c.snote("expand", sz);
        return t.expand(sz);
      }
      case 12: {
        if (n == 0) continue;
        int64_t m = c.rng.range(0, 2);
        if (m == 0) {
          int64_t i = c.rng.range(0, n - 1);
          c.note("unbind(" + std::to_string(d) + ")[" + std::to_string(i) + "]");
          return t.unbind(d)[static_cast<size_t>(i)];
        }
        if (m == 1) {
          c.note("chunk(2," + std::to_string(d) + ")[0]");
          return t.chunk(2, d)[0];
        }
        c.note("split(1," + std::to_string(d) + ")[0]");
        return t.split(1, d)[0];
      }
      case 13: {
        if (r <= 2) {
          c.note("t()");
          return t.t();
        }
        c.note("movedim(0,-1)");
        return t.movedim(0, -1);
      }
      default: {
        c.note("flatten()");
        return t.flatten();
      }
    }
  }
  c.note("alias");
  return t.view(t.sizes());
}

// Applies one in-place op to t; its tensor operands are leaves that require grad when the case's
// grad flag says so. When bad, the operand is sometimes wider than t (a broadcast error).
inline void ag_inplace(Ctx& c, Tensor& t) {
  Shape s = t.sizes().vec();
  Dt dt = t.scalar_type();
  int64_t k = c.rng.range(0, 12);
  auto operand = [&](Vals vk) {
    Shape p = c.partner(s, false);
    if (c.bad && c.rng.chance(0.25)) p.insert(p.begin(), 2), c.note("wider");
    return c.make(p, dt, vk);
  };
  switch (k) {
    case 0: {
      c.note("add_");
      Tensor o = operand(Vals::Any);
      t.add_(o, 2);
      return;
    }
    case 1: {
      if (c.rng.chance(0.5)) {
        c.note("mul_(s)");
        t.mul_(c.rng.pick<double>({-2.0, 0.5, 3.0}));
        return;
      }
      c.note("mul_");
      Tensor o = operand(Vals::Any);
      t.mul_(o);
      return;
    }
    case 2: {
      c.note("copy_");
      Tensor o = operand(Vals::Any);
      t.copy_(o);
      return;
    }
    case 3: {
      c.note("fill_");
      t.fill_(c.rng.pick<double>({-1.5, 0.0, 2.0}));
      return;
    }
    case 4:
      c.note("zero_");
      t.zero_();
      return;
    case 5: {
      double lo = c.dnote("clamp_lo", c.rng.pick<double>({-1.0, 0.0, 0.5}));
      double hi = c.dnote("hi", c.rng.pick<double>({1.0, 2.5}));
      t.clamp_(lo, hi);
      return;
    }
    case 6: {
      if (s.empty() || s[0] == 0) {
        c.note("neg_");
        t.neg_();
        return;
      }
      int64_t n = s[0];
      int64_t m = c.rng.range(1, n);
      bool acc = c.bnote("index_put_ acc", c.rng.chance(0.5));
      std::vector<double> iv(static_cast<size_t>(m));
      std::vector<int64_t> perm(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) perm[static_cast<size_t>(i)] = i;
      for (int64_t i = n - 1; i > 0; --i)
        std::swap(perm[static_cast<size_t>(i)], perm[static_cast<size_t>(c.rng.range(0, i))]);
      for (int64_t i = 0; i < m; ++i)
        iv[static_cast<size_t>(i)] = static_cast<double>(acc ? c.rng.range(0, n - 1) : perm[static_cast<size_t>(i)]);
      Tensor idx = torch::tensor(iv, torch::dtype(torch::kFloat64)).to(torch::kInt64);
      Shape vs = s;
      vs[0] = m;
      if (c.rng.chance(0.3)) vs.erase(vs.begin());  // broadcast over the indexed rows
      Tensor val = c.make(vs, dt);
      torch::index_put_(t, {idx}, val, acc);
      return;
    }
    case 7: {
      c.note("masked_fill_");
      Shape ms = c.partner(s, false);
      Tensor m = mask_of(c, ms);
      if (m.scalar_type() != torch::kBool) m = m.to(torch::kBool);
      t.masked_fill_(m, c.rng.pick<double>({-3.0, 0.5}));
      return;
    }
    case 8:
      c.note("relu_");
      t.relu_();
      return;
    case 9:
      c.note("sigmoid_");
      t.sigmoid_();
      return;
    case 10: {
      double e = c.dnote("pow_", c.rng.pick<double>({2.0, 3.0, 0.5, -1.0}));
      t.pow_(e);
      return;
    }
    case 11: {
      c.note("div_");
      Tensor o = operand(Vals::Positive);
      t.div_(o);
      return;
    }
    default: {
      c.note("sub_");
      Tensor o = operand(Vals::Any);
      t.sub_(o);
      return;
    }
  }
}

// An op of x that saves something for backward (or nothing), by kind; described.
inline Tensor ag_saving_op(Ctx& c, const Tensor& x, int64_t k) {
  switch (k) {
    case 0:
      c.note("exp");
      return x.exp();  // saves its result
    case 1:
      c.note("sin");
      return x.sin();  // saves its input
    case 2:
      c.note("tanh");
      return x.tanh();
    case 3:
      c.note("sigmoid");
      return x.sigmoid();
    case 4:
      c.note("pow2");
      return x.pow(2);
    case 5:
      c.note("relu");
      return x.relu();
    case 6:
      c.note("mul2");
      return x * 2;  // saves nothing
    case 7:
      c.note("add1");
      return x + 1;
    case 8:
      c.note("square");
      return x * x;
    default:
      c.note("clone");
      return x.clone();
  }
}

// ---------------------------------------------------------------- views and in-place ops

inline void add_ag_views(std::vector<Variant>& v) {
  // 1-3 views of a non-leaf, then an in-place op on the last view; backward through base and view.
  v.push_back({"ag_view_inplace", [](Ctx& c) {
                 Shape s = c.shape(1, 3, 4, false);
                 Tensor x = ag_leaf(c, s, c.float_dtype(), Vals::Any, -1);
                 int64_t bm = c.inote("base", c.rng.range(0, 2));
                 Tensor base = bm == 0 ? x.clone() : bm == 1 ? x * 1.5 : x.exp();  // exp saves its result
                 int64_t nv = c.rng.range(1, 3);
                 Tensor view = base;
                 for (int64_t i = 0; i < nv; ++i) view = ag_view(c, view);
                 ag_inplace(c, view);
                 return TL{base, view};
               }});
  // The same on a view of a view of a leaf's clone, with a second in-place op on the base after it.
  v.push_back({"ag_view_inplace_twice", [](Ctx& c) {
                 Shape s = c.shape(2, 3, 3, false);
                 Tensor x = ag_leaf(c, s, c.float_dtype());
                 Tensor base = x.mul(1.0);
                 Tensor v1 = ag_view(c, base, false);
                 Tensor v2 = ag_view(c, v1, false);
                 ag_inplace(c, v2);
                 ag_inplace(c, v1);
                 Tensor after = v2 * 3;
                 ag_inplace(c, base);
                 return TL{base, v1, v2, after};
               }});
  // An in-place op on the base while a view is alive; the view is used after (its history is
  // regenerated from the base's), and sometimes before (through an op that saved it).
  v.push_back({"ag_view_inplace_base", [](Ctx& c) {
                 Shape s = c.shape(1, 3, 4, false);
                 Tensor x = ag_leaf(c, s, c.float_dtype());
                 Tensor base = c.rng.chance(0.5) ? x.clone() : x * 2;
                 int64_t nv = c.rng.range(1, 2);
                 Tensor view = base;
                 for (int64_t i = 0; i < nv; ++i) view = ag_view(c, view, false);
                 int64_t pre = c.inote("pre", c.rng.range(0, 3));
                 Tensor u;
                 if (pre == 1) u = view * 2;
                 if (pre == 2) u = view.sin();  // saves the view: the base's in-place op invalidates it
                 if (pre == 3) u = view.exp();  // saves its own result only
                 ag_inplace(c, base);
                 TL out{view, base};
                 if (u.defined()) out.push_back(u);
                 out.push_back(view.sum() * base.sum());
                 return out;
               }});
  // In-place on a leaf that requires grad or on a view of one: an error in grad mode, allowed under
  // no_grad (and through detach(), which shares the version counter).
  v.push_back({"ag_view_inplace_leaf", [](Ctx& c) {
                 Shape s = c.shape(1, 3, 3, false);
                 Tensor x = ag_leaf(c, s, c.float_dtype());
                 int64_t m = c.inote("mode", c.rng.range(0, 5));
                 Tensor y;
                 if (m == 5) y = x.sin();  // saved x before the in-place op
                 if (m == 0) {
                   Tensor view = ag_view(c, x);
                   ag_inplace(c, view);
                 } else if (m == 1) {
                   ag_inplace(c, x);
                 } else if (m == 2 || m == 3) {
                   torch::NoGradGuard ng;
                   Tensor view = m == 2 ? ag_view(c, x) : x;
                   ag_inplace(c, view);
                 } else {
                   Tensor view = ag_view(c, x.detach());
                   ag_inplace(c, view);
                 }
                 TL out{x * x, ag_int(x._version() > 0 ? 1 : 0), ag_flag(x.is_leaf())};
                 if (y.defined()) out.push_back(y);
                 return out;
               }});
  // A view made with the base not requiring grad, then an in-place op with an operand that does:
  // the base gets history through the view.
  v.push_back({"ag_view_inplace_grad_in", [](Ctx& c) {
                 Shape s = c.shape(1, 3, 4, false);
                 Dt dt = c.float_dtype();
                 Tensor base = ag_const(c, s, dt);
                 int64_t nv = c.rng.range(1, 2);
                 Tensor view = base;
                 for (int64_t i = 0; i < nv; ++i) view = ag_view(c, view, false);
                 bool before = view.requires_grad();
                 Tensor o = ag_leaf(c, view.sizes().vec(), dt);
                 int64_t k = c.inote("op", c.rng.range(0, 3));
                 if (k == 0) view.copy_(o);
                 if (k == 1) view.add_(o);
                 if (k == 2) view.mul_(o);
                 if (k == 3) view.addcmul_(o, o, 0.5);
                 return TL{base, view, ag_flag(before), ag_flag(base.requires_grad()), ag_flag(base.is_leaf())};
               }});
  // A saved tensor modified in place (directly, through a view, or through detach()) before
  // backward: the version-counter error, or none when nothing saved was touched.
  v.push_back({"ag_version_saved", [](Ctx& c) {
                 Shape s = c.shape(1, 3, 4, false);
                 Tensor x = ag_leaf(c, s, c.float_dtype());
                 Tensor h = x * 1;  // a non-leaf input
                 int64_t k = c.rng.range(0, 9);
                 Tensor y = ag_saving_op(c, h, k);
                 int64_t t = c.inote("touch", c.rng.range(0, 4));
                 if (t == 0) h.add_(1);
                 if (t == 1) y.mul_(2);
                 if (t == 2) ag_view(c, y, false).zero_();
                 if (t == 3) h.detach().mul_(0.5);
                 TL out{y};
                 out.push_back(ag_int(h._version()));
                 out.push_back(ag_int(y._version()));
                 return out;
               }});
  // A saved leaf changed through detach() or under no_grad: LibTorch's error names the leaf.
  v.push_back({"ag_version_leaf", [](Ctx& c) {
                 Shape s = c.shape(0, 2, 4, false);
                 Tensor x = ag_leaf(c, s, c.float_dtype());
                 Tensor w = ag_leaf(c, s, c.float_dtype());
                 int64_t k = c.inote("op", c.rng.range(0, 3));
                 Tensor y = k == 0   ? x * w
                            : k == 1 ? torch::dot(x.reshape({-1}), w.reshape({-1}))
                            : k == 2 ? torch::atan2(x, w)
                                     : x + w;
                 int64_t t = c.inote("touch", c.rng.range(0, 2));
                 if (t == 0) {
                   torch::NoGradGuard ng;
                   w.add_(1);
                 } else if (t == 1) {
                   x.detach().zero_();
                 }
                 return TL{y};
               }});
  // detach / detach_ on views and non-leaves.
  v.push_back({"ag_detach", [](Ctx& c) {
                 Shape s = c.shape(1, 3, 4, false);
                 Tensor x = ag_leaf(c, s, c.float_dtype());
                 Tensor base = x * 2;
                 int64_t m = c.inote("mode", c.rng.range(0, 5));
                 if (m == 0) {  // writing through a detached view changes the base's values
                   Tensor y = base.sin();
                   Tensor d = ag_view(c, base, false).detach();
                   d.mul_(3);
                   return TL{base, d, ag_flag(d.requires_grad()), y};
                 }
                 if (m == 1) {  // detach_ on a view: an error
                   Tensor view = ag_view(c, base, false);
                   view.detach_();
                   return TL{view, base};
                 }
                 if (m == 2) {  // detach_ on a non-leaf: it becomes a leaf without grad
                   Tensor y = base.exp();
                   y.detach_();
                   return TL{y, ag_flag(y.is_leaf()), ag_flag(y.requires_grad()), base};
                 }
                 if (m == 3) {  // detach() of a saved result, changed in place
                   Tensor y = base.exp();
                   y.detach().add_(1);
                   return TL{y};
                 }
                 if (m == 4) {  // a detached view's in-place op with a grad-requiring operand
                   Tensor d = base.detach();
                   Tensor view = ag_view(c, d, false);
                   Tensor o = ag_leaf(c, view.sizes().vec(), x.scalar_type());
                   view.add_(o);
                   return TL{d, view, base, ag_flag(d.requires_grad())};
                 }
                 Tensor d = x.detach();
                 d.requires_grad_(true);
                 Tensor y = (d * base).sum();
                 return TL{y, ag_flag(d.is_leaf())};
               }});
}

// ---------------------------------------------------------------- grad modes, flags, hooks

inline void add_ag_modes(std::vector<Variant>& v) {
  v.push_back({"ag_no_grad", [](Ctx& c) {
                 Shape s = c.shape(1, 3, 4, false);
                 Tensor x = ag_leaf(c, s, c.float_dtype());
                 Tensor base = x * 1.5;
                 int64_t m = c.inote("mode", c.rng.range(0, 6));
                 if (m == 0) {  // a view made under no_grad, changed in place with grad mode on: an error
                   Tensor view;
                   {
                     torch::NoGradGuard ng;
                     view = ag_view(c, base, false);
                   }
                   ag_inplace(c, view);
                   return TL{view, base};
                 }
                 if (m == 1) {  // in-place on a leaf under no_grad, then used
                   {
                     torch::NoGradGuard ng;
                     ag_inplace(c, x);
                   }
                   return TL{x * x, ag_flag(x.requires_grad())};
                 }
                 if (m == 2) {  // results under no_grad do not require grad
                   Tensor y;
                   {
                     torch::NoGradGuard ng;
                     y = base.exp() + x;
                   }
                   return TL{y, ag_flag(y.requires_grad()), ag_flag(y.is_leaf()), base * y};
                 }
                 if (m == 3) {  // a view made with grad, changed in place under no_grad
                   Tensor view = ag_view(c, base, false);
                   Tensor y = base.sin();
                   {
                     torch::NoGradGuard ng;
                     ag_inplace(c, view);
                   }
                   return TL{view, base, y};
                 }
                 if (m == 4) {  // AutoGradMode(true) inside no_grad
                   Tensor y, z;
                   {
                     torch::NoGradGuard ng;
                     y = x * 3;
                     {
                       torch::AutoGradMode on(true);
                       z = x * 3;
                     }
                   }
                   return TL{y, z, ag_flag(torch::GradMode::is_enabled())};
                 }
                 if (m == 5) {  // requires_grad_ under no_grad, then a view of it changed in place
                   Tensor a = ag_const(c, s, x.scalar_type());
                   {
                     torch::NoGradGuard ng;
                     a.requires_grad_(true);
                   }
                   Tensor b = a * x;
                   Tensor view = ag_view(c, b, false);
                   ag_inplace(c, view);
                   c.leaves.push_back(a);
                   return TL{b};
                 }
                 // a view of a no_grad result, changed in place with an operand that requires grad
                 Tensor y;
                 {
                   torch::NoGradGuard ng;
                   y = base * 2;
                 }
                 Tensor view = ag_view(c, y, false);
                 Tensor o = ag_leaf(c, view.sizes().vec(), x.scalar_type());
                 view.mul_(o);
                 return TL{y, view};
               }});
  v.push_back({"ag_inference_mode", [](Ctx& c) {
                 Shape s = c.shape(1, 3, 4, false);
                 Tensor x = ag_leaf(c, s, c.float_dtype());
                 int64_t m = c.inote("mode", c.rng.range(0, 6));
                 if (m == 0) {  // results in inference mode: no grad, inference tensors
                   Tensor y;
                   {
                     c10::InferenceMode im;
                     y = x * 2 + 1;
                   }
                   return TL{y, ag_flag(y.requires_grad()), ag_flag(y.is_inference()), ag_flag(x.is_inference())};
                 }
                 if (m == 1) {  // in-place on an inference tensor outside: an error
                   Tensor y;
                   {
                     c10::InferenceMode im;
                     y = x * 2;
                   }
                   y.add_(1);
                   return TL{y};
                 }
                 if (m == 2) {  // an inference tensor saved for backward: an error
                   Tensor t;
                   {
                     c10::InferenceMode im;
                     t = torch::ones(s, x.options().requires_grad(false)) * 3;
                   }
                   bool mul = c.bnote("mul", c.rng.chance(0.6));
                   return TL{mul ? x * t : x + t};
                 }
                 if (m == 3) {  // a view made in inference mode of a normal tensor, changed outside
                   Tensor base = x * 1.5;
                   Tensor view;
                   {
                     c10::InferenceMode im;
                     view = ag_view(c, base, false);
                   }
                   ag_inplace(c, view);
                   return TL{view, base};
                 }
                 if (m == 4) {  // InferenceMode(false) inside InferenceMode
                   Tensor y;
                   {
                     c10::InferenceMode im;
                     {
                       c10::InferenceMode off(false);
                       y = x * 2;
                     }
                   }
                   return TL{y, ag_flag(y.is_inference())};
                 }
                 if (m == 5) {  // in-place on a normal tensor inside inference mode
                   Tensor base = x * 1.5;
                   Tensor y = base.sin();
                   {
                     c10::InferenceMode im;
                     base.mul_(2);
                   }
                   return TL{base, y, ag_int(base._version())};
                 }
                 // a clone of an inference tensor is a normal tensor
                 Tensor t;
                 {
                   c10::InferenceMode im;
                   t = torch::ones(s, x.options().requires_grad(false));
                 }
                 Tensor u = t.clone();
                 u.mul_(x);
                 return TL{u, ag_flag(t.is_inference()), ag_flag(u.is_inference())};
               }});
  v.push_back({"ag_requires_grad_", [](Ctx& c) {
                 Shape s = c.shape(1, 3, 4, false);
                 Dt dt = c.float_dtype();
                 int64_t m = c.inote("mode", c.rng.range(0, 6));
                 if (m == 0) {  // requires_grad_ on a view of a base that does not require grad
                   Tensor base = ag_const(c, s, dt);
                   Tensor view = ag_view(c, base, false);
                   view.requires_grad_();
                   c.leaves.push_back(view);
                   return TL{view * view, ag_flag(view.is_leaf()), ag_flag(base.requires_grad())};
                 }
                 if (m == 1) {  // requires_grad_(false) on a non-leaf: an error
                   Tensor x = ag_leaf(c, s, dt);
                   Tensor y = x * 2;
                   y.requires_grad_(false);
                   return TL{y};
                 }
                 if (m == 2) {  // an integer tensor: an error
                   Tensor t = ag_const(c, s, torch::kInt64);
                   t.requires_grad_();
                   return TL{t};
                 }
                 if (m == 3) {  // requires_grad_(false) on a leaf, then its uses do not require grad
                   Tensor x = ag_leaf(c, s, dt);
                   Tensor y1 = x * 2;
                   x.requires_grad_(false);
                   Tensor y2 = x * 2;
                   return TL{y1, y2, ag_flag(y2.requires_grad())};
                 }
                 if (m == 4) {  // requires_grad_ on a view, then the base changed in place
                   Tensor base = ag_const(c, s, dt);
                   Tensor view = ag_view(c, base, false);
                   view.requires_grad_();
                   c.leaves.push_back(view);
                   Tensor y = view * 2;
                   base.add_(1);
                   return TL{y, view, ag_flag(view.requires_grad())};
                 }
                 if (m == 5) {  // set_requires_grad and requires_grad in options
                   Tensor t = torch::ones(s, torch::dtype(dt).requires_grad(true));
                   c.leaves.push_back(t);
                   Tensor u = ag_const(c, s, dt);
                   u.set_requires_grad(true);
                   c.leaves.push_back(u);
                   return TL{t * u};
                 }
                 Tensor x = ag_leaf(c, s, dt);
                 Tensor y = x.detach().requires_grad_();
                 c.leaves.push_back(y);
                 return TL{(x * y).exp()};
               }});
  v.push_back({"ag_retain_grad", [](Ctx& c) {
                 Shape s = c.shape(1, 3, 4, false);
                 Tensor x = ag_leaf(c, s, c.float_dtype());
                 int64_t m = c.inote("mode", c.rng.range(0, 6));
                 Tensor y = x.sin() * 2;
                 if (m == 0) {  // a non-leaf's grad
                   y.retain_grad();
                   Tensor z = (y * y).sum();
                   z.backward();
                   return TL{y.grad(), ag_flag(y.retains_grad()), x.grad().clone()};
                 }
                 if (m == 1) {  // a view's grad
                   Tensor view = ag_view(c, y, false);
                   view.retain_grad();
                   (view.exp().sum() + y.sum()).backward();
                   return TL{view.grad(), x.grad().clone()};
                 }
                 if (m == 2) {  // retain_grad, then an in-place op on the tensor
                   y.retain_grad();
                   y.mul_(3);
                   (y * y).sum().backward();
                   return TL{y.grad(), x.grad().clone()};
                 }
                 if (m == 3) {  // two backward passes accumulate into the retained grad
                   y.retain_grad();
                   Tensor z = (y * y).sum();
                   z.backward({}, true);
                   Tensor g1 = y.grad().clone();
                   z.backward();
                   return TL{g1, y.grad()};
                 }
                 if (m == 4) {  // on a tensor that does not require grad: an error
                   Tensor t = ag_const(c, s, x.scalar_type());
                   t.retain_grad();
                   return TL{t};
                 }
                 if (m == 5) {  // on a leaf: no effect
                   x.retain_grad();
                   y.sum().backward();
                   return TL{x.grad().clone(), ag_flag(x.retains_grad())};
                 }
                 // the non-leaf's grad before any backward: undefined
                 y.retain_grad();
                 return TL{y.grad(), y};
               }});
  v.push_back({"ag_hooks", [](Ctx& c) {
                 Shape s = c.shape(0, 3, 4, false);
                 Tensor x = ag_leaf(c, s, c.float_dtype());
                 int64_t m = c.inote("mode", c.rng.range(0, 8));
                 if (m == 0) {  // a leaf's hook changes the gradient accumulated into it
                   x.register_hook([](const Tensor& g) { return g * 2; });
                   return TL{x.sin()};
                 }
                 if (m == 1) {  // a non-leaf's hook changes the gradient flowing on
                   Tensor y = x * x;
                   y.register_hook([](const Tensor& g) { return g + 1; });
                   return TL{y.exp()};
                 }
                 if (m == 2) {  // a view's hook
                   Tensor y = x * 3;
                   Tensor view = ag_view(c, y, false);
                   view.register_hook([](const Tensor& g) { return g * g; });
                   return TL{view, y.cos()};
                 }
                 if (m == 3) {  // two hooks compose in order
                   Tensor y = x.tanh();
                   y.register_hook([](const Tensor& g) { return g * 2; });
                   y.register_hook([](const Tensor& g) { return g + 1; });
                   return TL{y};
                 }
                 if (m == 4) {  // an observing hook sees the incoming gradient
                   auto seen = std::make_shared<Tensor>();
                   Tensor y = x * 2;
                   y.register_hook([seen](const Tensor& g) { *seen = g.clone(); });
                   (y.pow(3) * 0.5).sum().backward();
                   return TL{*seen, x.grad().clone()};
                 }
                 if (m == 5) {  // a removed hook does not run
                   Tensor y = x * 2;
                   unsigned h = y.register_hook([](const Tensor& g) { return g * 100; });
                   y.register_hook([](const Tensor& g) { return g - 1; });
                   y.remove_hook(h);
                   return TL{y};
                 }
                 if (m == 6) {  // a hook returning a gradient of another shape: an error
                   Tensor y = x * 2;
                   y.register_hook([](const Tensor& g) { return g.sum(); });
                   return TL{y + 0};
                 }
                 if (m == 7) {  // a hook then an in-place op on the tensor
                   Tensor y = x * 2;
                   y.register_hook([](const Tensor& g) { return g * 10; });
                   y.add_(1);
                   return TL{y * x};
                 }
                 // a hook on the base and the view both changed in place
                 Tensor y = x * 2;
                 y.register_hook([](const Tensor& g) { return g * 3; });
                 Tensor view = ag_view(c, y, false);
                 view.mul_(2);
                 return TL{y};
               }});
}

// ---------------------------------------------------------------- torch::autograd::grad

// y's gradient (of sum(y * w)) with respect to the inputs that require grad, made with
// create_graph: the outputs are y (detached) and the gradients, whose own backward (the case's)
// gives second derivatives.
inline TL ag_grad2(Ctx& c, const TL& ins, const Tensor& y) {
  TL need;
  for (const auto& t : ins)
    if (t.defined() && t.requires_grad()) need.push_back(t);
  Tensor w = ag_weights(c, y);
  bool cg = c.bnote("create_graph", c.rng.chance(0.85));
  TL out{y.detach()};
  if (need.empty() || !y.requires_grad()) return out;
  TL g = torch::autograd::grad({(y * w).sum()}, need, {}, c10::nullopt, cg, true);
  for (auto& t : g) out.push_back(t);
  return out;
}

struct AgUnary {
  const char* name;
  Vals vk;
  Tensor (*f)(Ctx&, const Tensor&);
};

struct AgMulti {
  const char* name;
  TL (*f)(Ctx&);
};

inline void add_ag_grad2(std::vector<Variant>& v) {
  static const AgUnary unaries[] = {
      {"grad2_pow_scalar", Vals::Any,
       [](Ctx& c, const Tensor& x) {
         return x.pow(c.dnote("p", c.rng.pick<double>({2.0, 3.0, 0.5, -1.0, 0.0, 1.5, -2.5})));
       }},
      {"grad2_exp", Vals::Any, [](Ctx&, const Tensor& x) { return x.exp(); }},
      {"grad2_log", Vals::Positive, [](Ctx&, const Tensor& x) { return x.log(); }},
      {"grad2_sin", Vals::Any, [](Ctx&, const Tensor& x) { return x.sin(); }},
      {"grad2_cos", Vals::Any, [](Ctx&, const Tensor& x) { return x.cos(); }},
      {"grad2_tanh", Vals::Any, [](Ctx&, const Tensor& x) { return x.tanh(); }},
      {"grad2_sigmoid", Vals::Any, [](Ctx&, const Tensor& x) { return x.sigmoid(); }},
      {"grad2_softplus", Vals::Any,
       [](Ctx& c, const Tensor& x) {
         double b = c.dnote("beta", c.rng.pick<double>({1.0, 2.0, 0.5}));
         double th = c.dnote("threshold", c.rng.pick<double>({20.0, 1.0}));
         return torch::softplus(x, b, th);
       }},
      {"grad2_relu", Vals::Any, [](Ctx&, const Tensor& x) { return x.relu(); }},
      {"grad2_elu", Vals::Any,
       [](Ctx& c, const Tensor& x) {
         return torch::elu(x, c.dnote("alpha", c.rng.pick<double>({1.0, 0.5})));
       }},
      {"grad2_gelu", Vals::Any,
       [](Ctx& c, const Tensor& x) {
         // float32 second derivatives of the tanh form are cancellation noise
         Tensor xx = x.scalar_type() == torch::kFloat32 ? x.to(torch::kFloat64) : x;
         return torch::gelu(xx, c.bnote("tanh", c.rng.chance(0.5)) ? "tanh" : "none");
       }},
      {"grad2_abs", Vals::Any, [](Ctx&, const Tensor& x) { return x.abs(); }},
      {"grad2_sqrt", Vals::Positive, [](Ctx&, const Tensor& x) { return x.sqrt(); }},
      {"grad2_rsqrt", Vals::Positive, [](Ctx&, const Tensor& x) { return x.rsqrt(); }},
      {"grad2_reciprocal", Vals::Positive, [](Ctx&, const Tensor& x) { return x.reciprocal(); }},
      {"grad2_atan", Vals::Any, [](Ctx&, const Tensor& x) { return x.atan(); }},
      {"grad2_asin", Vals::Prob, [](Ctx&, const Tensor& x) { return x.asin(); }},
      {"grad2_erf", Vals::Any, [](Ctx&, const Tensor& x) { return x.erf(); }},
      {"grad2_log1p", Vals::Positive, [](Ctx&, const Tensor& x) { return x.log1p(); }},
      {"grad2_expm1", Vals::Any, [](Ctx&, const Tensor& x) { return x.expm1(); }},
      {"grad2_log_sigmoid", Vals::Any, [](Ctx&, const Tensor& x) { return torch::log_sigmoid(x); }},
      {"grad2_silu", Vals::Any, [](Ctx&, const Tensor& x) { return torch::silu(x); }},
      {"grad2_mish", Vals::Any, [](Ctx&, const Tensor& x) { return torch::mish(x); }},
      {"grad2_sinh", Vals::Any, [](Ctx&, const Tensor& x) { return x.sinh(); }},
      {"grad2_cosh", Vals::Any, [](Ctx&, const Tensor& x) { return x.cosh(); }},
      {"grad2_tan", Vals::Prob, [](Ctx&, const Tensor& x) { return x.tan(); }},
      {"grad2_square", Vals::Any, [](Ctx&, const Tensor& x) { return x.square(); }},
      {"grad2_selu", Vals::Any, [](Ctx&, const Tensor& x) { return torch::selu(x); }},
      {"grad2_celu", Vals::Any, [](Ctx&, const Tensor& x) { return torch::celu(x, 0.5); }},
      {"grad2_leaky_relu", Vals::Any, [](Ctx&, const Tensor& x) { return torch::leaky_relu(x, 0.2); }},
      {"grad2_hardtanh", Vals::Any, [](Ctx&, const Tensor& x) { return torch::hardtanh(x, -1.0, 1.5); }},
      {"grad2_clamp", Vals::Any, [](Ctx&, const Tensor& x) { return x.clamp(-1.0, 2.0); }},
      {"grad2_log_softmax", Vals::Any,
       [](Ctx& c, const Tensor& x) { return x.log_softmax(c.inote("dim", x.dim() ? ag_dim(c, x.dim()) : 0)); }},
      {"grad2_softmax", Vals::Any,
       [](Ctx& c, const Tensor& x) { return x.softmax(c.inote("dim", x.dim() ? ag_dim(c, x.dim()) : 0)); }},
      {"grad2_cumsum", Vals::Any,
       [](Ctx& c, const Tensor& x) { return x.cumsum(c.inote("dim", x.dim() ? ag_dim(c, x.dim()) : 0)); }},
      {"grad2_cumprod", Vals::Any,
       [](Ctx& c, const Tensor& x) { return x.cumprod(c.inote("dim", x.dim() ? ag_dim(c, x.dim()) : 0)); }},
      {"grad2_xlogy_self", Vals::Positive, [](Ctx&, const Tensor& x) { return torch::xlogy(x, x); }},
      {"grad2_sinc", Vals::Any, [](Ctx&, const Tensor& x) { return torch::sinc(x); }},
      {"grad2_logit", Vals::Prob, [](Ctx&, const Tensor& x) { return torch::logit(x); }},
      {"grad2_atanh", Vals::Prob, [](Ctx&, const Tensor& x) { return x.atanh(); }},
      {"grad2_digamma", Vals::Positive, [](Ctx&, const Tensor& x) { return x.digamma(); }},
      {"grad2_lgamma", Vals::Positive, [](Ctx&, const Tensor& x) { return x.lgamma(); }},
  };
  for (const AgUnary& u : unaries) {
    const AgUnary* up = &u;
    v.push_back({u.name, [up](Ctx& c) {
                   Shape s = c.shape(0, 3, 4);
                   // not expanded: float32 sums of many second-derivative terms cancel to noise
                   int layout = static_cast<int>(c.rng.range(0, 2));
                   Tensor x = ag_leaf(c, s, c.float_dtype(), up->vk, layout);
                   Tensor y = up->f(c, x);
                   return ag_grad2(c, {x}, y);
                 }});
  }
  static const AgMulti multis[] = {
      {"grad2_mul",
       [](Ctx& c) {
         auto ab = binary_inputs(c, true);
         Tensor a = ab.first.is_floating_point() ? ab.first : ab.first.to(torch::kFloat64);
         Tensor b = ab.second.is_floating_point() ? ab.second : ab.second.to(torch::kFloat64);
         if (!a.requires_grad() && a.is_leaf()) a.requires_grad_(), c.leaves.push_back(a);
         return ag_grad2(c, {a, b}, a * b);
       }},
      {"grad2_div",
       [](Ctx& c) {
         Shape s = c.shape(0, 3);
         Dt dt = c.float_dtype();
         Tensor a = ag_leaf(c, s, dt);
         Tensor b = ag_leaf(c, c.partner(s, false), dt, Vals::Positive, -1);
         return ag_grad2(c, {a, b}, a / b);
       }},
      {"grad2_atan2",
       [](Ctx& c) {
         Shape s = c.shape(0, 3);
         Dt dt = c.float_dtype();
         Tensor a = ag_leaf(c, s, dt);
         Tensor b = ag_leaf(c, c.partner(s, false), dt);
         return ag_grad2(c, {a, b}, torch::atan2(a, b));
       }},
      {"grad2_pow_tensor",
       [](Ctx& c) {
         Shape s = c.shape(0, 3);
         Dt dt = c.float_dtype();
         Tensor a = ag_leaf(c, s, dt, Vals::Positive);
         Tensor b = ag_leaf(c, c.partner(s, false), dt);
         return ag_grad2(c, {a, b}, a.pow(b));
       }},
      {"grad2_maximum",
       [](Ctx& c) {
         Shape s = c.shape(0, 3);
         Dt dt = c.float_dtype();
         Tensor a = ag_leaf(c, s, dt);
         Tensor b = ag_leaf(c, c.partner(s, false), dt);
         Tensor y = c.bnote("min", c.rng.chance(0.5)) ? torch::minimum(a, b) : torch::maximum(a, b);
         return ag_grad2(c, {a, b}, y * y);
       }},
      {"grad2_where",
       [](Ctx& c) {
         Shape s = c.shape(0, 3);
         Dt dt = c.float_dtype();
         Tensor a = ag_leaf(c, s, dt);
         Tensor b = ag_leaf(c, c.partner(s, false), dt);
         Tensor m = mask_of(c, c.partner(s, false)).to(torch::kBool);
         return ag_grad2(c, {a, b}, torch::where(m, a.exp(), b * b));
       }},
      {"grad2_matmul",
       [](Ctx& c) {
         int64_t ra = c.rng.range(1, 3), rb = c.rng.range(1, 3);
         int64_t n = c.rng.range(1, 3), k = c.rng.range(1, 3), m = c.rng.range(1, 3), bt = c.rng.range(1, 2);
         Shape as = ra == 1 ? Shape{k} : ra == 2 ? Shape{n, k} : Shape{bt, n, k};
         Shape bs = rb == 1 ? Shape{k} : rb == 2 ? Shape{k, m} : Shape{bt, k, m};
         if (c.bad && c.rng.chance(0.3)) bs[rb == 1 ? 0 : static_cast<size_t>(rb - 2)] += 1;
         Dt dt = c.float_dtype();
         Tensor a = ag_leaf(c, as, dt, Vals::Any, -1);
         Tensor b = ag_leaf(c, bs, dt, Vals::Any, -1);
         Tensor y = a.matmul(b);
         return ag_grad2(c, {a, b}, y * y);
       }},
      {"grad2_lerp_addcmul",
       [](Ctx& c) {
         Shape s = c.shape(0, 3);
         Dt dt = c.float_dtype();
         Tensor a = ag_leaf(c, s, dt);
         Tensor b = ag_leaf(c, c.partner(s, false), dt);
         Tensor w = ag_leaf(c, c.partner(s, false), dt, Vals::Prob);
         int64_t k = c.inote("op", c.rng.range(0, 2));
         Tensor y = k == 0   ? torch::lerp(a, b, w)
                    : k == 1 ? torch::addcmul(a, b, w, 0.5)
                             : torch::addcdiv(a, b, w + 1, 2);
         return ag_grad2(c, {a, b, w}, y * a);
       }},
      {"grad2_sum_mean",
       [](Ctx& c) {
         Shape s = c.shape(1, 3);
         Tensor x = ag_leaf(c, s, c.float_dtype(), Vals::Any, -1);
         int64_t d = c.inote("dim", ag_dim(c, x.dim()));
         bool kd = c.bnote("keepdim", c.rng.chance(0.5));
         Tensor y = c.bnote("mean", c.rng.chance(0.5)) ? x.mean(Shape{d}, kd) : x.sum(Shape{d}, kd);
         return ag_grad2(c, {x}, y * y * y);
       }},
      {"grad2_prod",
       [](Ctx& c) {
         Shape s = c.shape(0, 3, 3);
         Tensor x = ag_leaf(c, s, c.float_dtype(), Vals::Any, -1);
         if (x.dim() == 0 || c.rng.chance(0.4)) {
           c.note("all");
           return ag_grad2(c, {x}, x.prod());
         }
         int64_t d = c.inote("dim", ag_dim(c, x.dim()));
         return ag_grad2(c, {x}, x.prod(d, c.bnote("keepdim", c.rng.chance(0.5))));
       }},
      {"grad2_norm",
       [](Ctx& c) {
         Shape s = c.shape(0, 3, 3);
         Tensor x = ag_leaf(c, s, c.float_dtype(), Vals::Any, -1);
         double p = c.dnote("p", c.rng.pick<double>({2.0, 1.0, 3.0, kInf, -kInf, 0.5, 0.0}));
         if (x.dim() == 0 || c.rng.chance(0.4)) return ag_grad2(c, {x}, x.norm(p));
         int64_t d = c.inote("dim", ag_dim(c, x.dim()));
         return ag_grad2(c, {x}, x.norm(p, Shape{d}, c.bnote("keepdim", c.rng.chance(0.5))));
       }},
      {"grad2_max_min",
       [](Ctx& c) {
         Shape s = c.shape(0, 3, 3);
         Tensor x = ag_leaf(c, s, c.float_dtype(), Vals::Distinct, -1);
         int64_t k = c.inote("kind", c.rng.range(0, 4));
         if (k == 0) return ag_grad2(c, {x}, x.max() * x.sum());
         if (k == 1) return ag_grad2(c, {x}, x.min().exp());
         if (x.dim() == 0) return ag_grad2(c, {x}, x.amax() * x.amax());
         int64_t d = c.inote("dim", ag_dim(c, x.dim()));
         if (k == 2) return ag_grad2(c, {x}, std::get<0>(x.max(d)).pow(2));
         if (k == 3) return ag_grad2(c, {x}, std::get<0>(x.min(d, true)) * x);
         return ag_grad2(c, {x}, x.amax(Shape{d}).sin());
       }},
      {"grad2_logsumexp_var",
       [](Ctx& c) {
         Shape s = c.shape(1, 3, 3);
         Tensor x = ag_leaf(c, s, c.float_dtype(), Vals::Any, -1);
         int64_t d = c.inote("dim", ag_dim(c, x.dim()));
         int64_t k = c.inote("kind", c.rng.range(0, 2));
         if (k == 0) return ag_grad2(c, {x}, x.logsumexp(Shape{d}));
         if (k == 1) return ag_grad2(c, {x}, x.var(Shape{d}, true));
         return ag_grad2(c, {x}, x.std(Shape{d}, false));
       }},
      {"grad2_gather",
       [](Ctx& c) {
         Shape s = c.shape(1, 3, 3, false);
         Tensor x = ag_leaf(c, s, c.float_dtype(), Vals::Any, -1);
         int64_t d = c.inote("dim", ag_dim(c, x.dim()));
         Shape is = s;
         is[static_cast<size_t>(d)] = c.rng.range(1, 3);
         Tensor idx = index_tensor(c, is, s[static_cast<size_t>(d)], false);
         return ag_grad2(c, {x}, x.gather(d, idx).pow(2));
       }},
      {"grad2_index_select",
       [](Ctx& c) {
         Shape s = c.shape(1, 3, 3, false);
         Tensor x = ag_leaf(c, s, c.float_dtype(), Vals::Any, -1);
         int64_t d = c.inote("dim", ag_dim(c, x.dim()));
         Tensor idx = index_tensor(c, {c.rng.range(0, 4)}, s[static_cast<size_t>(d)], false);
         return ag_grad2(c, {x}, x.index_select(d, idx).exp());
       }},
      {"grad2_index_adv",
       [](Ctx& c) {
         Shape s = c.shape(1, 3, 3, false);
         Tensor x = ag_leaf(c, s, c.float_dtype(), Vals::Any, -1);
         Tensor idx = index_tensor(c, {c.rng.range(0, 4)}, s[0], true);
         return ag_grad2(c, {x}, x.index({idx}).tanh());
       }},
      {"grad2_cat_stack",
       [](Ctx& c) {
         Shape s = c.shape(1, 3, 3);
         Dt dt = c.float_dtype();
         Tensor a = ag_leaf(c, s, dt, Vals::Any, -1);
         Tensor b = ag_leaf(c, s, dt, Vals::Any, -1);
         int64_t d = c.inote("dim", ag_dim(c, a.dim()));
         Tensor y = c.bnote("stack", c.rng.chance(0.5)) ? torch::stack({a, b * a}, d) : torch::cat({a, b.sin()}, d);
         return ag_grad2(c, {a, b}, y * y);
       }},
      {"grad2_conv2d",
       [](Ctx& c) {
         int64_t g = c.rng.chance(0.3) ? 2 : 1;
         int64_t cin = g * c.rng.range(1, 2), cout = g * c.rng.range(1, 2);
         Shape xs{c.rng.range(1, 2), cin, c.rng.range(2, 4), c.rng.range(2, 4)};
         Shape ws{cout, cin / g, c.rng.range(1, 2), c.rng.range(1, 2)};
         Dt dt = torch::kFloat64;  // float32 gradients here are cancellation noise
         Tensor x = ag_leaf(c, xs, dt, Vals::Any, -1);
         Tensor w = ag_leaf(c, ws, dt, Vals::Any, -1);
         Tensor b;
         if (c.rng.chance(0.5)) b = ag_leaf(c, {cout}, dt);
         int64_t st = c.inote("stride", c.rng.range(1, 2)), pd = c.inote("pad", c.rng.range(0, 1));
         Tensor y = torch::conv2d(x, w, b, st, pd, 1, c.inote("groups", g));
         return ag_grad2(c, {x, w, b}, y * y);
       }},
      {"grad2_mse_loss",
       [](Ctx& c) {
         Shape s = c.shape(0, 3);
         Dt dt = c.float_dtype();
         Tensor a = ag_leaf(c, s, dt);
         Tensor b = ag_leaf(c, s, dt);
         return ag_grad2(c, {a, b}, torch::mse_loss(a, b, reduction(c)));
       }},
      {"grad2_cross_entropy",
       [](Ctx& c) {
         int64_t C = c.rng.range(1, 4);
         Shape s{c.rng.range(1, 3), C};
         Dt dt = c.float_dtype();
         Tensor x = ag_leaf(c, s, dt, Vals::Any, -1);
         Tensor t = index_tensor(c, {s[0]}, C, false);
         double ls = c.dnote("smoothing", c.rng.pick<double>({0.0, 0.2}));
         Tensor w;
         if (c.rng.chance(0.4)) w = ag_const(c, {C}, dt, Vals::Positive);
         int64_t r = c.inote("red", c.rng.range(0, 2));
         return ag_grad2(c, {x}, torch::cross_entropy_loss(x, t, w, r, -100, ls));
       }},
      {"grad2_nll_log_softmax",
       [](Ctx& c) {
         int64_t C = c.rng.range(1, 4);
         Shape s{c.rng.range(1, 3), C};
         Tensor x = ag_leaf(c, s, c.float_dtype(), Vals::Any, -1);
         Tensor t = index_tensor(c, {s[0]}, C, false);
         int64_t r = c.inote("red", c.rng.range(0, 2));
         return ag_grad2(c, {x}, torch::nll_loss(x.log_softmax(1), t, {}, r));
       }},
      {"grad2_layer_norm",
       [](Ctx& c) {
         Shape s = c.shape(1, 3, 4, false);
         Dt dt = torch::kFloat64;  // float32 second derivatives here are cancellation noise
         Tensor x = ag_leaf(c, s, dt, Vals::Distinct, -1);
         int64_t k = c.rng.range(1, static_cast<int64_t>(s.size()));
         Shape ns = c.snote("normalized", Shape(s.end() - k, s.end()));
         Tensor w, b;
         if (c.rng.chance(0.6)) w = ag_leaf(c, ns, dt);
         if (c.rng.chance(0.6)) b = ag_leaf(c, ns, dt);
         Tensor y = torch::layer_norm(x, ns, w, b, 1e-5, true);
         return ag_grad2(c, {x, w, b}, y * y);
       }},
      {"grad2_batch_norm",
       [](Ctx& c) {
         int64_t C = c.rng.range(1, 3);
         Shape s{c.rng.range(2, 3), C};
         if (c.rng.chance(0.5)) s.push_back(c.rng.range(1, 3));
         Dt dt = torch::kFloat64;  // float32 second derivatives here are cancellation noise
         Tensor x = ag_leaf(c, s, dt, Vals::Distinct);
         Tensor w, b;
         if (c.rng.chance(0.6)) w = ag_leaf(c, {C}, dt);
         if (c.rng.chance(0.6)) b = ag_leaf(c, {C}, dt);
         bool training = c.bnote("training", c.rng.chance(0.7));
         Tensor rm = ag_const(c, {C}, dt), rv = ag_const(c, {C}, dt, Vals::Positive);
         Tensor y = torch::batch_norm(x, w, b, rm, rv, training, 0.1, 1e-5, false);
         TL out = ag_grad2(c, {x, w, b}, y * y);
         out.push_back(rm);
         out.push_back(rv);
         return out;
       }},
      {"grad2_group_norm",
       [](Ctx& c) {
         int64_t g = c.rng.range(1, 2);
         int64_t C = g * c.rng.range(1, 2);
         Shape s{c.rng.range(1, 2), C, c.rng.range(2, 3)};
         Dt dt = torch::kFloat64;  // float32 second derivatives here are cancellation noise
         Tensor x = ag_leaf(c, s, dt, Vals::Distinct);
         Tensor w = ag_leaf(c, {C}, dt), b = ag_leaf(c, {C}, dt);
         Tensor y = torch::group_norm(x, g, w, b, 1e-5, true);
         return ag_grad2(c, {x, w, b}, y * y);
       }},
      {"grad2_smooth_l1_bce",
       [](Ctx& c) {
         Shape s = c.shape(0, 2);
         Dt dt = c.float_dtype();
         Tensor a = ag_leaf(c, s, dt, Vals::Prob);
         Tensor b = ag_leaf(c, s, dt, Vals::Prob);
         int64_t k = c.inote("kind", c.rng.range(0, 3));
         int64_t r = c.inote("red", c.rng.range(0, 2));
         if (k == 0) return ag_grad2(c, {a, b}, torch::smooth_l1_loss(a * 4, b, r, 0.5));
         if (k == 1) return ag_grad2(c, {a, b}, torch::binary_cross_entropy(a, b, {}, r));
         if (k == 2) return ag_grad2(c, {a, b}, torch::binary_cross_entropy_with_logits(a * 3, b, {}, {}, r));
         return ag_grad2(c, {a, b}, torch::huber_loss(a * 4, b, r, 0.5));
       }},
      {"grad2_linear",
       [](Ctx& c) {
         int64_t in = c.rng.range(1, 3), o = c.rng.range(1, 3);
         Shape xs{c.rng.range(1, 3), in};
         Dt dt = torch::kFloat64;  // float32 second derivatives here are cancellation noise
         Tensor x = ag_leaf(c, xs, dt);
         Tensor w = ag_leaf(c, {o, in}, dt, Vals::Any, -1);
         Tensor b = ag_leaf(c, {o}, dt);
         Tensor y = torch::linear(x, w, b).tanh();
         return ag_grad2(c, {x, w, b}, y);
       }},
      {"grad2_max_pool_avg_pool",
       [](Ctx& c) {
         Shape xs{1, c.rng.range(1, 2), c.rng.range(2, 4), c.rng.range(2, 4)};
         Tensor x = ag_leaf(c, xs, c.float_dtype(), Vals::Distinct);
         bool mx = c.bnote("max", c.rng.chance(0.5));
         Tensor y = mx ? torch::max_pool2d(x, {2, 2}, {1, 1}) : torch::avg_pool2d(x, {2, 2}, {1, 1});
         return ag_grad2(c, {x}, y * y);
       }},
  };
  for (const AgMulti& m : multis) {
    const AgMulti* mp = &m;
    v.push_back({m.name, [mp](Ctx& c) { return mp->f(c); }});
  }
}

// ---------------------------------------------------------------- grad options and errors

inline void add_ag_grad_api(std::vector<Variant>& v) {
  v.push_back({"ag_grad_unused", [](Ctx& c) {
                 Shape s = c.shape(0, 2, 3);
                 Dt dt = c.float_dtype();
                 Tensor x = ag_leaf(c, s, dt);
                 Tensor z = ag_leaf(c, s, dt);
                 bool au = c.bnote("allow_unused", c.rng.chance(0.5));
                 Tensor y = (x * x).sum();
                 int64_t k = c.inote("kind", c.rng.range(0, 2));
                 if (k == 1) y = y + (z.detach() * 0).sum();  // z only through detach(): unused
                 if (k == 2) y = y + (z * 0).sum();           // z used with a zero gradient
                 TL g = torch::autograd::grad({y}, {x, z}, {}, c10::nullopt, false, au);
                 return TL{g[0], g[1], ag_flag(g[1].defined())};
               }});
  v.push_back({"ag_grad_errors", [](Ctx& c) {
                 Shape s = c.shape(1, 3, 3, false);
                 Dt dt = c.float_dtype();
                 Tensor x = ag_leaf(c, s, dt);
                 Tensor y = x.exp() * 2;
                 int64_t m = c.inote("mode", c.rng.range(0, 9));
                 switch (m) {
                   case 0: {  // backward of a non-scalar without a gradient
                     y.backward();
                     return TL{x.grad()};
                   }
                   case 1: {  // grad of a non-scalar without grad_outputs
                     return torch::autograd::grad({y}, {x});
                   }
                   case 2: {  // grad_outputs of another shape
                     Shape gs = s;
                     gs.back() += 1;
                     Tensor go = ag_const(c, gs, dt);
                     return torch::autograd::grad({y}, {x}, {go});
                   }
                   case 3: {  // grad_outputs that broadcast but have another shape
                     Tensor go = ag_const(c, {s.back()}, dt);
                     return torch::autograd::grad({y}, {x}, {go});
                   }
                   case 4: {  // an output that does not require grad
                     Tensor t = ag_const(c, s, dt);
                     return torch::autograd::grad({t.sum()}, {x});
                   }
                   case 5: {  // an input that does not require grad
                     Tensor t = ag_const(c, s, dt);
                     return torch::autograd::grad({(y * t).sum()}, {t});
                   }
                   case 6: {  // a grad_output of another dtype
                     Tensor go = ag_const(c, s, dt == torch::kFloat32 ? torch::kFloat64 : torch::kFloat32);
                     TL g = torch::autograd::grad({y}, {x}, {go});
                     return TL{g[0]};
                   }
                   case 7: {  // a non-scalar backward with a gradient of another shape
                     Tensor go = ag_const(c, {s.back() + 1}, dt);
                     y.backward(go);
                     return TL{x.grad()};
                   }
                   case 8: {  // grad with respect to a non-leaf
                     Tensor h = x * 3;
                     Tensor out = (h.sin() * h).sum();
                     return torch::autograd::grad({out}, {h, x});
                   }
                   default: {  // more grad_outputs than outputs
                     Tensor go = ag_const(c, s, dt);
                     return torch::autograd::grad({y}, {x}, {go, go});
                   }
                 }
               }});
  v.push_back({"ag_backward_twice", [](Ctx& c) {
                 Shape s = c.shape(0, 2, 3);
                 Dt dt = c.float_dtype();
                 Tensor x = ag_leaf(c, s, dt);
                 int64_t k = c.rng.range(0, 9);
                 Tensor y = ag_saving_op(c, x * 1, k).sum();
                 int64_t m = c.inote("mode", c.rng.range(0, 4));
                 if (m == 0) {  // a second backward without retain_graph: an error when buffers were freed
                   y.backward();
                   y.backward();
                 } else if (m == 1) {  // with retain_graph: the gradient doubles
                   y.backward({}, true);
                   y.backward();
                 } else if (m == 2) {  // grad then backward
                   torch::autograd::grad({y}, {x});
                   y.backward();
                 } else if (m == 3) {  // grad with retain_graph then backward
                   torch::autograd::grad({y}, {x}, {}, true);
                   y.backward();
                 } else {  // backward on a graph whose part was already freed by another output
                   Tensor h = x.exp();
                   Tensor a = h.sin().sum(), b = (h * 2).sum();
                   a.backward();
                   b.backward();
                 }
                 return TL{x.grad().clone()};
               }});
  v.push_back(
      {"ag_grad_accumulate", [](Ctx& c) {
         Shape s = c.shape(0, 3, 3);
         Dt dt = c.float_dtype();
         Tensor x = ag_leaf(c, s, dt, Vals::Any, -1);
         int64_t m = c.inote("mode", c.rng.range(0, 6));
         Tensor y = (x.sin() * x).sum();
         if (m == 0) {  // the first grad tensor is accumulated into in place
           y.backward({}, true);
           Tensor g1 = x.grad();
           Tensor g1c = g1.clone();
           y.backward();
           return TL{g1c, g1, x.grad(), ag_flag(g1.is_same(x.grad()))};
         }
         if (m == 1) {  // zero_ between
           y.backward({}, true);
           x.grad().zero_();
           (y * 3).backward();
           return TL{x.grad().clone()};
         }
         if (m == 2) {  // set to undefined between
           y.backward({}, true);
           x.mutable_grad() = Tensor();
           bool d = x.grad().defined();
           (y * 2).backward();
           return TL{x.grad().clone(), ag_flag(d)};
         }
         if (m == 3) {  // create_graph: the grad requires grad and is replaced, not updated in place
           y.backward({}, true, true);
           Tensor g1 = x.grad();
           bool rg = g1.requires_grad();
           y.backward({}, true, true);
           return TL{g1.detach().clone(), x.grad().detach().clone(), ag_flag(rg), ag_flag(g1.is_same(x.grad()))};
         }
         if (m == 4) {  // a grad set by hand is accumulated into
           x.mutable_grad() = torch::ones_like(x) * 0.5;
           y.backward();
           return TL{x.grad().clone()};
         }
         if (m == 5) {  // a grad of another shape set by hand: an error at accumulation
           x.mutable_grad() = torch::ones({3, 5}, x.options().requires_grad(false));
           y.backward();
           return TL{x.grad().clone()};
         }
         // backward(inputs=): only the named leaves accumulate
         Tensor z = ag_leaf(c, s, dt);
         Tensor out = (x * z).sum();
         out.backward({}, c10::nullopt, false, TL{z});
         return TL{z.grad().clone(), ag_flag(x.grad().defined())};
       }});
  v.push_back({"ag_autograd_backward", [](Ctx& c) {
                 Shape s = c.shape(0, 2, 3);
                 Dt dt = c.float_dtype();
                 Tensor x = ag_leaf(c, s, dt);
                 Tensor y1 = x.exp(), y2 = x * x;
                 Tensor g1 = ag_const(c, s, dt);
                 Tensor g2 = ag_const(c, s, dt);
                 int64_t m = c.inote("mode", c.rng.range(0, 3));
                 if (m == 0) torch::autograd::backward({y1, y2}, {g1, g2});
                 if (m == 1) torch::autograd::backward({y1.sum(), y2.sum()});
                 if (m == 2) torch::autograd::backward({y1, y2}, {g1});  // too few gradients: an error
                 if (m == 3) {
                   TL g = torch::autograd::grad({y1, y2}, {x}, {g1, g2}, c10::nullopt, true);
                   return TL{g[0]};
                 }
                 return TL{x.grad().clone()};
               }});
}

// ---------------------------------------------------------------- optimizers

// 1-2 parameters (leaves requiring grad, not among the case's leaves) and a quadratic loss with a
// cross term: sum(a_i * (p_i - t_i)^2) + sum(p_0 * p_0.flip) / 4.
struct OptProblem {
  std::vector<Tensor> params, a, t;
  Tensor loss() const {
    Tensor l = ((params[0] - t[0]).pow(2) * a[0]).sum();
    for (size_t i = 1; i < params.size(); ++i) l = l + ((params[i] - t[i]).pow(2) * a[i]).sum();
    Tensor p0 = params[0].reshape({-1});
    return l + (p0 * p0.flip({0})).sum() * 0.25 + p0.pow(4).sum() * 0.05;
  }
};

inline OptProblem opt_problem(Ctx& c, int64_t n, bool f64 = false) {
  c.special = false;
  OptProblem pr;
  Dt dt = f64 ? torch::kFloat64 : c.float_dtype();
  for (int64_t i = 0; i < n; ++i) {
    Shape s = c.shape(0, 2, 3, false);
    Tensor p = ag_const(c, s, dt);
    p.requires_grad_(true);
    pr.params.push_back(p);
    pr.a.push_back(ag_const(c, s, dt, Vals::Positive));
    pr.t.push_back(ag_const(c, s, dt));
  }
  return pr;
}

// Gives the parameters gradients for one step, as mode says: 0 from the loss after zero_grad,
// 1 from the loss without zero_grad (accumulating), 2 fixed gradients set by hand (once), 3 the
// second parameter's gradient left undefined, 4 the first set to undefined after the first step.
inline void opt_grads(Ctx& c, torch::optim::Optimizer& opt, OptProblem& pr, int64_t mode, int64_t step) {
  if (mode == 2) {
    if (step == 0)
      for (auto& p : pr.params) p.mutable_grad() = ag_const(c, p.sizes().vec(), p.scalar_type());
    return;
  }
  if (mode != 1) opt.zero_grad();
  if (mode == 3 && pr.params.size() > 1) {
    Tensor l = ((pr.params[0] - pr.t[0]).pow(2) * pr.a[0]).sum();
    l.backward();
    return;
  }
  pr.loss().backward();
  if (mode == 4 && step > 0) pr.params[0].mutable_grad() = Tensor();
}

template <typename State>
inline const State& opt_state(torch::optim::Optimizer& opt) {
  return static_cast<const State&>(*opt.state().begin()->second);
}

// Parameters after each step, then the state of a lone parameter (by getter).
inline TL opt_run(Ctx& c, torch::optim::Optimizer& opt, OptProblem& pr, const std::function<void(TL&)>& state) {
  int64_t steps = c.inote("steps", c.rng.range(1, 3));
  int64_t mode = c.inote("grads", c.rng.range(0, 4));
  TL out;
  for (int64_t i = 0; i < steps; ++i) {
    opt_grads(c, opt, pr, mode, i);
    opt.step();
    for (auto& p : pr.params) out.push_back(p.detach().clone());
  }
  out.push_back(ag_int(static_cast<int64_t>(opt.state().size())));
  if (pr.params.size() == 1 && opt.state().size() == 1) state(out);
  for (auto& p : pr.params) out.push_back(p);
  return out;
}

inline void add_optim(std::vector<Variant>& v) {
  v.push_back({"optim_sgd", [](Ctx& c) {
                 OptProblem pr = opt_problem(c, c.rng.range(1, 2));
                 double lr = c.dnote("lr", c.rng.pick<double>({0.1, 0.5, 0.01}));
                 double mom = c.dnote("momentum", c.rng.pick<double>({0.0, 0.9, 0.5}));
                 double damp = c.dnote("dampening", c.rng.pick<double>({0.0, 0.0, 0.3}));
                 double wd = c.dnote("wd", c.rng.pick<double>({0.0, 0.1}));
                 bool nest = c.bnote("nesterov", c.rng.chance(c.bad ? 0.8 : 0.3) && (c.bad || (mom > 0 && damp == 0)));
                 if (c.bad && c.rng.chance(0.3)) lr = -lr, c.note("negative-lr");
                 torch::optim::SGD opt(
                     pr.params,
                     torch::optim::SGDOptions(lr).momentum(mom).dampening(damp).weight_decay(wd).nesterov(nest));
                 return opt_run(c, opt, pr, [&](TL& out) {
                   const auto& st = opt_state<torch::optim::SGDParamState>(opt);
                   out.push_back(st.momentum_buffer());
                 });
               }});
  for (int w = 0; w < 2; ++w) {
    v.push_back({w ? "optim_adamw" : "optim_adam", [w](Ctx& c) {
                   OptProblem pr = opt_problem(c, c.rng.range(1, 2));
                   double lr = c.dnote("lr", c.rng.pick<double>({0.1, 0.01, 1.0}));
                   int64_t bk = c.inote("betas", c.rng.range(0, 2));
                   std::tuple<double, double> betas = bk == 0   ? std::make_tuple(0.9, 0.999)
                                                      : bk == 1 ? std::make_tuple(0.5, 0.9)
                                                                : std::make_tuple(0.0, 0.99);
                   if (c.bad && c.rng.chance(0.4)) betas = std::make_tuple(1.0, 0.9), c.note("bad-beta");
                   double eps = c.dnote("eps", c.rng.pick<double>({1e-8, 1e-3}));
                   double wd = c.dnote("wd", c.rng.pick<double>({0.0, 0.1, 0.01}));
                   bool ams = c.bnote("amsgrad", c.rng.chance(0.4));
                   if (c.bad && c.rng.chance(0.3)) eps = -1, c.note("negative-eps");
                   auto push_state = [](TL& out, int64_t step, const Tensor& m, const Tensor& s2, const Tensor& mx) {
                     out.push_back(ag_int(step));
                     out.push_back(m);
                     out.push_back(s2);
                     out.push_back(mx);
                   };
                   if (w) {
                     torch::optim::AdamW opt(
                         pr.params, torch::optim::AdamWOptions(lr).betas(betas).eps(eps).weight_decay(wd).amsgrad(ams));
                     return opt_run(c, opt, pr, [&](TL& out) {
                       const auto& st = opt_state<torch::optim::AdamWParamState>(opt);
                       push_state(out, st.step(), st.exp_avg(), st.exp_avg_sq(), st.max_exp_avg_sq());
                     });
                   }
                   torch::optim::Adam opt(
                       pr.params, torch::optim::AdamOptions(lr).betas(betas).eps(eps).weight_decay(wd).amsgrad(ams));
                   return opt_run(c, opt, pr, [&](TL& out) {
                     const auto& st = opt_state<torch::optim::AdamParamState>(opt);
                     push_state(out, st.step(), st.exp_avg(), st.exp_avg_sq(), st.max_exp_avg_sq());
                   });
                 }});
  }
  v.push_back(
      {"optim_rmsprop", [](Ctx& c) {
         OptProblem pr = opt_problem(c, c.rng.range(1, 2));
         double lr = c.dnote("lr", c.rng.pick<double>({0.01, 0.1}));
         double alpha = c.dnote("alpha", c.rng.pick<double>({0.99, 0.5}));
         double eps = c.dnote("eps", c.rng.pick<double>({1e-8, 1e-2}));
         double wd = c.dnote("wd", c.rng.pick<double>({0.0, 0.1}));
         double mom = c.dnote("momentum", c.rng.pick<double>({0.0, 0.9}));
         bool centered = c.bnote("centered", c.rng.chance(0.5));
         if (c.bad && c.rng.chance(0.3)) alpha = -0.5, c.note("bad-alpha");
         torch::optim::RMSprop opt(
             pr.params,
             torch::optim::RMSpropOptions(lr).alpha(alpha).eps(eps).weight_decay(wd).momentum(mom).centered(centered));
         return opt_run(c, opt, pr, [&](TL& out) {
           const auto& st = opt_state<torch::optim::RMSpropParamState>(opt);
           out.push_back(ag_int(st.step()));
           out.push_back(st.square_avg());
           out.push_back(st.momentum_buffer());
           out.push_back(st.grad_avg());
         });
       }});
  v.push_back(
      {"optim_adagrad", [](Ctx& c) {
         OptProblem pr = opt_problem(c, c.rng.range(1, 2));
         double lr = c.dnote("lr", c.rng.pick<double>({0.01, 0.5}));
         double lrd = c.dnote("lr_decay", c.rng.pick<double>({0.0, 0.1}));
         double wd = c.dnote("wd", c.rng.pick<double>({0.0, 0.1}));
         double iav = c.dnote("init_acc", c.rng.pick<double>({0.0, 0.5}));
         double eps = c.dnote("eps", c.rng.pick<double>({1e-10, 1e-2}));
         if (c.bad && c.rng.chance(0.3)) lrd = -0.1, c.note("bad-lr_decay");
         torch::optim::Adagrad opt(
             pr.params,
             torch::optim::AdagradOptions(lr).lr_decay(lrd).weight_decay(wd).initial_accumulator_value(iav).eps(eps));
         return opt_run(c, opt, pr, [&](TL& out) {
           const auto& st = opt_state<torch::optim::AdagradParamState>(opt);
           out.push_back(ag_int(st.step()));
           out.push_back(st.sum());
         });
       }});
  v.push_back({"optim_lbfgs", [](Ctx& c) {
                 // float64: in float32 the line search's decisions turn on rounding
                 OptProblem pr = opt_problem(c, c.rng.range(1, 2), true);
                 double lr = c.dnote("lr", c.rng.pick<double>({1.0, 0.5, 0.1}));
                 int64_t it = c.inote("max_iter", c.rng.range(1, 6));
                 int64_t hs = c.inote("history", c.rng.pick<int64_t>({2, 10}));
                 bool wolfe = c.bnote("strong_wolfe", c.rng.chance(0.5));
                 torch::optim::LBFGSOptions o(lr);
                 o.max_iter(it).history_size(hs);
                 if (wolfe) o.line_search_fn("strong_wolfe");
                 torch::optim::LBFGS opt(pr.params, o);
                 int64_t steps = c.inote("steps", c.rng.range(1, 2));
                 TL out;
                 for (int64_t i = 0; i < steps; ++i) {
                   Tensor l = opt.step([&] {
                     opt.zero_grad();
                     Tensor loss = pr.loss();
                     loss.backward();
                     return loss;
                   });
                   out.push_back(l.detach());
                   for (auto& p : pr.params) out.push_back(p.detach().clone());
                 }
                 out.push_back(pr.loss().detach());
                 out.push_back(ag_int(static_cast<int64_t>(opt.state().size())));
                 if (opt.state().empty()) return out;
                 const auto& st = opt_state<torch::optim::LBFGSParamState>(opt);
                 out.push_back(ag_int(st.func_evals()));
                 out.push_back(ag_int(st.n_iter()));
                 out.push_back(st.d());
                 out.push_back(ag_int(static_cast<int64_t>(st.old_dirs().size())));
                 return out;
               }});
  v.push_back({"optim_steplr", [](Ctx& c) {
                 OptProblem pr = opt_problem(c, 1);
                 unsigned ss = static_cast<unsigned>(c.inote("step_size", c.rng.range(1, 2)));
                 double gamma = c.dnote("gamma", c.rng.pick<double>({0.5, 0.1}));
                 torch::optim::SGD opt(pr.params, torch::optim::SGDOptions(0.1));
                 torch::optim::StepLR sched(opt, ss, gamma);
                 int64_t steps = c.inote("steps", c.rng.range(1, 4));
                 TL out;
                 for (int64_t i = 0; i < steps; ++i) {
                   opt.zero_grad();
                   pr.loss().backward();
                   opt.step();
                   sched.step();
                   out.push_back(ag_num(opt.param_groups()[0].options().get_lr()));
                   out.push_back(pr.params[0].detach().clone());
                 }
                 return out;
               }});
  // Two parameter groups with their own options, and zero_grad between uses.
  v.push_back(
      {"optim_groups", [](Ctx& c) {
         OptProblem pr = opt_problem(c, 2);
         double lr1 = c.dnote("lr1", c.rng.pick<double>({0.1, 0.01}));
         double lr2 = c.dnote("lr2", c.rng.pick<double>({0.5, 0.05}));
         int64_t k = c.inote("opt", c.rng.range(0, 2));
         std::vector<torch::optim::OptimizerParamGroup> groups;
         std::unique_ptr<torch::optim::Optimizer> opt;
         if (k == 0) {
           groups.emplace_back(std::vector<Tensor>{pr.params[0]});
           groups.emplace_back(std::vector<Tensor>{pr.params[1]},
                               std::make_unique<torch::optim::SGDOptions>(torch::optim::SGDOptions(lr2).momentum(0.9)));
           opt = std::make_unique<torch::optim::SGD>(groups, torch::optim::SGDOptions(lr1));
         } else if (k == 1) {
           groups.emplace_back(std::vector<Tensor>{pr.params[0]}, std::make_unique<torch::optim::AdamOptions>(
                                                                      torch::optim::AdamOptions(lr2).amsgrad(true)));
           groups.emplace_back(std::vector<Tensor>{pr.params[1]});
           opt = std::make_unique<torch::optim::Adam>(groups, torch::optim::AdamOptions(lr1));
         } else {
           groups.emplace_back(std::vector<Tensor>{pr.params[0], pr.params[1]});
           opt = std::make_unique<torch::optim::RMSprop>(groups, torch::optim::RMSpropOptions(lr1).centered(true));
           opt->add_param_group(torch::optim::OptimizerParamGroup(
               std::vector<Tensor>{ag_const(c, {2}, torch::kFloat64).requires_grad_()}));
         }
         TL out;
         for (int i = 0; i < 2; ++i) {
           opt->zero_grad();
           pr.loss().backward();
           opt->step();
           for (auto& p : pr.params) out.push_back(p.detach().clone());
         }
         opt->zero_grad();
         for (auto& p : pr.params) out.push_back(p.grad());
         out.push_back(ag_int(static_cast<int64_t>(opt->param_groups().size())));
         out.push_back(ag_int(static_cast<int64_t>(opt->state().size())));
         return out;
       }});
}

// ---------------------------------------------------------------- nn modules

// Copies deterministic values into every parameter of m, in order; the
// parameters join the case's leaves so their gradients are compared.
inline void nn_fill(Ctx& c, torch::nn::Module& m) {
  torch::NoGradGuard ng;
  for (auto& p : m.parameters()) {
    Tensor v = ag_const(c, p.sizes().vec(), p.scalar_type());
    p.copy_(v);
    c.leaves.push_back(p);
  }
}

inline void add_nn_modules(std::vector<Variant>& v) {
  v.push_back({"nn_linear", [](Ctx& c) {
                 c.special = false;
                 int64_t in = c.rng.range(1, 4), o = c.rng.range(1, 3);
                 bool bias = c.bnote("bias", c.rng.chance(0.7));
                 torch::nn::Linear lin(torch::nn::LinearOptions(in, o).bias(bias));
                 Dt dt = c.float_dtype();
                 lin->to(dt);
                 nn_fill(c, *lin);
                 Shape xs = c.rng.chance(0.3)   ? Shape{in}
                            : c.rng.chance(0.5) ? Shape{c.rng.range(0, 3), in}
                                                : Shape{2, c.rng.range(1, 2), in};
                 if (c.bad && c.rng.chance(0.4)) xs.back() += 1;
                 Tensor x = c.make(xs, dt);
                 Tensor y = lin(x);
                 return TL{y, ag_flag(lin->bias.defined())};
               }});
  v.push_back({"nn_conv2d", [](Ctx& c) {
                 c.special = false;
                 int64_t g = c.rng.chance(0.3) ? 2 : 1;
                 int64_t cin = g * c.rng.range(1, 2), cout = g * c.rng.range(1, 2);
                 int64_t kh = c.rng.range(1, 3), kw = c.rng.range(1, 2);
                 int64_t st = c.rng.range(1, 2), pd = c.rng.range(0, 1), dl = c.rng.range(1, 2);
                 int64_t pm = c.rng.range(0, 3);
                 bool bias = c.rng.chance(0.6);
                 c.note("conv cin=" + std::to_string(cin) + " cout=" + std::to_string(cout) +
                        " k=" + std::to_string(kh) + "x" + std::to_string(kw) + " st=" + std::to_string(st) +
                        " pad=" + std::to_string(pd) + " dil=" + std::to_string(dl) + " g=" + std::to_string(g) +
                        " pm=" + std::to_string(pm) + " bias=" + std::to_string(bias));
                 torch::nn::Conv2dOptions o(cin, cout, {kh, kw});
                 o.stride(st).padding(pd).dilation(dl).groups(g).bias(bias);
                 if (pm == 1) o.padding_mode(torch::kReflect);
                 if (pm == 2) o.padding_mode(torch::kReplicate);
                 if (pm == 3) o.padding_mode(torch::kCircular);
                 torch::nn::Conv2d conv(o);
                 Dt dt = c.float_dtype();
                 conv->to(dt);
                 nn_fill(c, *conv);
                 Shape xs{c.rng.range(1, 2), cin, c.rng.range(2, 5), c.rng.range(2, 5)};
                 if (c.rng.chance(0.2)) xs.erase(xs.begin());
                 Tensor x = c.make(xs, dt);
                 return TL{conv(x)};
               }});
  for (int two_d = 0; two_d < 2; ++two_d) {
    v.push_back({two_d ? "nn_batchnorm2d" : "nn_batchnorm1d", [two_d](Ctx& c) {
                   c.special = false;
                   int64_t C = c.rng.range(1, 3);
                   bool affine = c.bnote("affine", c.rng.chance(0.7));
                   bool track = c.bnote("track", c.rng.chance(0.8));
                   int64_t mk = c.inote("momentum", c.rng.range(0, 2));
                   c10::optional<double> mom = mk == 0   ? c10::optional<double>(0.1)
                                               : mk == 1 ? c10::optional<double>(0.5)
                                                         : c10::optional<double>();
                   bool train = c.bnote("train", c.rng.chance(0.6));
                   int64_t passes = c.inote("passes", c.rng.range(1, 2));
                   Dt dt = c.float_dtype();
                   Shape xs{c.rng.range(1, 3), C};
                   if (two_d) {
                     xs.push_back(c.rng.range(1, 3));
                     xs.push_back(c.rng.range(1, 2));
                   } else if (c.rng.chance(0.5)) {
                     xs.push_back(c.rng.range(1, 3));
                   }
                   if (c.bad && c.rng.chance(0.3)) xs[1] += 1, c.note("bad-channels");
                   TL out;
                   auto run = [&](auto& bn) {
                     bn->to(dt);
                     nn_fill(c, *bn);
                     if (track) {
                       torch::NoGradGuard ng;
                       bn->running_mean.copy_(ag_const(c, {C}, dt));
                       bn->running_var.copy_(ag_const(c, {C}, dt, Vals::Positive));
                     }
                     bn->train(train);
                     for (int64_t i = 0; i < passes; ++i) {
                       Tensor x = c.make(xs, dt, Vals::Distinct);
                       out.push_back(bn(x));
                     }
                     if (track) {
                       out.push_back(bn->running_mean.clone());
                       out.push_back(bn->running_var.clone());
                       out.push_back(bn->num_batches_tracked.clone());
                     }
                   };
                   auto o = torch::nn::BatchNormOptions(C).affine(affine).track_running_stats(track).momentum(mom);
                   if (two_d) {
                     torch::nn::BatchNorm2d bn(o);
                     run(bn);
                   } else {
                     torch::nn::BatchNorm1d bn(o);
                     run(bn);
                   }
                   return out;
                 }});
  }
  v.push_back({"nn_layernorm_groupnorm", [](Ctx& c) {
                 c.special = false;
                 Dt dt = torch::kFloat64;  // float32 gradients here are cancellation noise
                 bool affine = c.bnote("affine", c.rng.chance(0.7));
                 if (c.bnote("group", c.rng.chance(0.5))) {
                   int64_t g = c.rng.range(1, 2);
                   int64_t C = g * c.rng.range(1, 2);
                   torch::nn::GroupNorm gn(torch::nn::GroupNormOptions(g, C).affine(affine).eps(1e-3));
                   gn->to(dt);
                   nn_fill(c, *gn);
                   Shape xs{c.rng.range(1, 2), C, c.rng.range(1, 3)};
                   if (c.bad && c.rng.chance(0.3)) xs[1] += 1, c.note("bad-channels");
                   return TL{gn(c.make(xs, dt, Vals::Distinct))};
                 }
                 Shape xs = c.shape(1, 3, 3, false);
                 int64_t k = c.rng.range(1, static_cast<int64_t>(xs.size()));
                 Shape ns = c.snote("normalized", Shape(xs.end() - k, xs.end()));
                 torch::nn::LayerNorm ln(torch::nn::LayerNormOptions(ns).elementwise_affine(affine));
                 ln->to(dt);
                 nn_fill(c, *ln);
                 return TL{ln(c.make(xs, dt, Vals::Distinct))};
               }});
  v.push_back({"nn_embedding", [](Ctx& c) {
                 c.special = false;
                 int64_t n = c.rng.range(2, 5), d = c.rng.range(1, 3);
                 torch::nn::EmbeddingOptions o(n, d);
                 if (c.rng.chance(0.5)) o.padding_idx(c.inote("padding_idx", c.rng.range(-n, n - 1)));
                 if (c.rng.chance(0.5)) {
                   o.max_norm(c.dnote("max_norm", c.rng.pick<double>({1.0, 0.5, 2.0})));
                   o.norm_type(c.dnote("norm_type", c.rng.pick<double>({2.0, 1.0})));
                 }
                 if (c.rng.chance(0.3)) o.scale_grad_by_freq(c.bnote("scale_freq", true));
                 torch::nn::Embedding emb(o);
                 Dt dt = c.float_dtype();
                 emb->to(dt);
                 nn_fill(c, *emb);
                 Shape is = c.shape(1, 2, 4, false);
                 Tensor idx = index_tensor(c, is, n, false);
                 Tensor y = emb(idx);
                 return TL{y, emb->weight.detach().clone()};
               }});
  v.push_back({"nn_dropout_eval", [](Ctx& c) {
                 double p = c.dnote("p", c.rng.pick<double>({0.0, 0.5, 1.0}));
                 torch::nn::Dropout dr{torch::nn::DropoutOptions(p)};
                 bool train = c.bnote("train", c.rng.chance(0.3) && (p == 0.0 || p == 1.0));
                 dr->train(train);
                 Shape s = c.shape(0, 3);
                 Tensor x = ag_leaf(c, s, c.float_dtype());
                 return TL{dr(x), ag_flag(dr->is_training())};
               }});
  v.push_back({"nn_sequential", [](Ctx& c) {
                 c.special = false;
                 int64_t in = c.rng.range(1, 3), h = c.rng.range(2, 3), o = c.rng.range(1, 2);
                 torch::nn::Sequential seq(torch::nn::Linear(in, h), torch::nn::Tanh(),
                                           torch::nn::LayerNorm(torch::nn::LayerNormOptions({h})),
                                           torch::nn::Linear(h, o), torch::nn::Sigmoid());
                 Dt dt = torch::kFloat64;  // LayerNorm of a few features: float32 gradients are cancellation noise
                 seq->to(dt);
                 nn_fill(c, *seq);
                 Tensor x = c.make({c.rng.range(1, 3), in}, dt);
                 Tensor y = seq->forward(x);
                 return TL{y, ag_int(static_cast<int64_t>(seq->size())),
                           ag_int(static_cast<int64_t>(seq->parameters().size()))};
               }});
  // One training step: forward, loss, backward, SGD or Adam step; the parameters after it.
  v.push_back(
      {"nn_train_step", [](Ctx& c) {
         c.special = false;
         int64_t in = c.rng.range(1, 3), C = c.rng.range(2, 3);
         bool adam = c.bnote("adam", c.rng.chance(0.5));
         // BatchNorm only with SGD: behind it some gradients are zero up to rounding, and
         // Adam turns that rounding into full steps.
         torch::nn::Sequential seq(torch::nn::Linear(in, 3));
         if (!adam) seq->push_back(torch::nn::BatchNorm1d(3));
         seq->push_back(torch::nn::ReLU());
         seq->push_back(torch::nn::Linear(3, C));
         Dt dt = torch::kFloat64;  // float32: normalised gradients through BatchNorm are noise
         seq->to(dt);
         nn_fill(c, *seq);
         c.leaves.clear();
         int64_t N = c.rng.range(2, 4);
         Tensor x = c.make({N, in}, dt, Vals::Any, 0, false);
         Tensor t = index_tensor(c, {N}, C, false);
         std::unique_ptr<torch::optim::Optimizer> opt;
         // Adam with a large eps: with the default it turns rounding-sized gradients into steps
         if (adam)
           opt = std::make_unique<torch::optim::Adam>(seq->parameters(), torch::optim::AdamOptions(0.05).eps(1e-3));
         else
           opt = std::make_unique<torch::optim::SGD>(seq->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
         TL out;
         int64_t steps = c.inote("steps", c.rng.range(1, 2));
         for (int64_t i = 0; i < steps; ++i) {
           opt->zero_grad();
           Tensor loss = torch::cross_entropy_loss(seq->forward(x), t);
           loss.backward();
           opt->step();
           out.push_back(loss.detach());
         }
         for (auto& p : seq->parameters()) out.push_back(p.detach().clone());
         // num_batches_tracked as int64: LibTorch's Module::to(dtype) also converts it (the
         // batchnorm variants compare its dtype)
         for (auto& b : seq->buffers()) out.push_back(b.dim() > 0 ? b.clone() : b.to(torch::kInt64));
         seq->eval();
         out.push_back(seq->forward(x).detach());
         return out;
       }});
}

// Module::zero_grad(set_to_none) between backward passes, then an optimizer step that skips
// parameters whose grad is undefined.
inline void add_nn_zero_grad(std::vector<Variant>& v) {
  v.push_back({"nn_zero_grad", [](Ctx& c) {
                 c.special = false;
                 int64_t in = c.rng.range(1, 3), o = c.rng.range(1, 2);
                 torch::nn::Linear lin(torch::nn::LinearOptions(in, o));
                 Dt dt = c.float_dtype();
                 lin->to(dt);
                 nn_fill(c, *lin);
                 c.leaves.clear();
                 Tensor x = c.make({c.rng.range(1, 3), in}, dt, Vals::Any, 0, false);
                 bool none = c.bnote("set_to_none", c.rng.chance(0.5));
                 int64_t m = c.inote("mode", c.rng.range(0, 2));
                 TL out;
                 lin(x).pow(2).sum().backward();
                 Tensor g1 = lin->weight.grad();
                 lin->zero_grad(none);
                 out.push_back(ag_flag(lin->weight.grad().defined()));
                 out.push_back(ag_flag(g1.defined() && lin->weight.grad().defined() && g1.is_same(lin->weight.grad())));
                 out.push_back(g1);  // the old grad: zeroed in place, or left as it was
                 if (m == 1) lin(x).sum().backward();
                 if (m == 2) lin(x).sum().backward({}, c10::nullopt, false, TL{lin->bias});
                 torch::optim::SGD opt(lin->parameters(),
                                       torch::optim::SGDOptions(0.5).momentum(0.9).weight_decay(0.1));
                 opt.step();
                 out.push_back(lin->weight.grad());
                 out.push_back(lin->bias.grad());
                 out.push_back(lin->weight.detach().clone());
                 out.push_back(lin->bias.detach().clone());
                 out.push_back(ag_int(static_cast<int64_t>(opt.state().size())));
                 return out;
               }});
}

inline void add_autograd_optim(std::vector<Variant>& v) {
  add_ag_views(v);
  add_ag_modes(v);
  add_ag_grad2(v);
  add_ag_grad_api(v);
  add_optim(v);
  add_nn_modules(v);
  add_nn_zero_grad(v);
}

}  // namespace diffcase
