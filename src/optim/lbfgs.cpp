// L-BFGS: two-loop recursion over a limited history, fixed steps or a strong-Wolfe line search,
// following PyTorch 1.13's torch.optim.LBFGS step for step (scalars are kept in double).
#include "ember/optim/lbfgs.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <tuple>

#include "ember/autograd/grad_mode.h"
#include "ember/ops/factory.h"
#include "ember/ops/shape.h"

namespace ember {
namespace optim {

namespace {

std::vector<Tensor> copy_list(const std::vector<Tensor>& ts) {
  std::vector<Tensor> out;
  for (const auto& t : ts) out.push_back(t.defined() ? t.detach().clone() : Tensor());
  return out;
}
std::vector<Tensor> copy_list(const std::deque<Tensor>& ts) {
  return copy_list(std::vector<Tensor>(ts.begin(), ts.end()));
}

// Minimum of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to the bounds (by default
// the interval between x1 and x2); the bounds' midpoint when the cubic has no minimum.
double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2,
                         std::optional<std::pair<double, double>> bounds = std::nullopt) {
  double xmin_bound, xmax_bound;
  if (bounds) std::tie(xmin_bound, xmax_bound) = *bounds;
  else std::tie(xmin_bound, xmax_bound) = x1 <= x2 ? std::make_pair(x1, x2) : std::make_pair(x2, x1);
  const double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  const double d2_square = d1 * d1 - g1 * g2;
  if (d2_square >= 0) {
    const double d2 = std::sqrt(d2_square);
    double min_pos;
    if (x1 <= x2) min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2));
    else min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return std::min(std::max(min_pos, xmin_bound), xmax_bound);
  }
  return (xmin_bound + xmax_bound) / 2.;
}

struct LineSearchResult {
  double f;
  Tensor g;
  double t;
  int64_t func_evals;
};

// Strong-Wolfe line search (PyTorch's _strong_wolfe with its default c1, c2, tolerance, max_ls).
using ObjFunc = std::function<std::pair<double, Tensor>(double, const Tensor&)>;

LineSearchResult strong_wolfe(const ObjFunc& obj_func, double t, const Tensor& d, double f, Tensor g, double gtd) {
  constexpr double c1 = 1e-4, c2 = 0.9, tolerance_change = 1e-9;
  constexpr int64_t max_ls = 25;
  const double d_norm = d.abs().max().item<double>();
  g = g.clone();
  double f_new;
  Tensor g_new;
  std::tie(f_new, g_new) = obj_func(t, d);
  int64_t ls_func_evals = 1;
  double gtd_new = g_new.dot(d).item<double>();

  double t_prev = 0, f_prev = f, gtd_prev = gtd;
  Tensor g_prev = g;
  bool done = false;
  int64_t ls_iter = 0;
  std::vector<double> bracket, bracket_f, bracket_gtd;
  std::vector<Tensor> bracket_g;
  // Bracketing phase: grow t until an interval holds a point satisfying the conditions.
  while (ls_iter < max_ls) {
    if (f_new > (f + c1 * t * gtd) || (ls_iter > 1 && f_new >= f_prev)) {
      bracket = {t_prev, t};
      bracket_f = {f_prev, f_new};
      bracket_g = {g_prev, g_new.clone()};
      bracket_gtd = {gtd_prev, gtd_new};
      break;
    }
    if (std::abs(gtd_new) <= -c2 * gtd) {
      bracket = {t};
      bracket_f = {f_new};
      bracket_g = {g_new};
      done = true;
      break;
    }
    if (gtd_new >= 0) {
      bracket = {t_prev, t};
      bracket_f = {f_prev, f_new};
      bracket_g = {g_prev, g_new.clone()};
      bracket_gtd = {gtd_prev, gtd_new};
      break;
    }
    const double min_step = t + 0.01 * (t - t_prev);
    const double max_step = t * 10;
    const double tmp = t;
    t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, std::make_pair(min_step, max_step));
    t_prev = tmp;
    f_prev = f_new;
    g_prev = g_new.clone();
    gtd_prev = gtd_new;
    std::tie(f_new, g_new) = obj_func(t, d);
    ls_func_evals += 1;
    gtd_new = g_new.dot(d).item<double>();
    ls_iter += 1;
  }
  if (ls_iter == max_ls) {
    bracket = {0, t};
    bracket_f = {f, f_new};
    bracket_g = {g, g_new};
  }

  // Zoom phase: shrink the bracket until a point satisfies the strong Wolfe conditions.
  bool insuf_progress = false;
  size_t low_pos = 0, high_pos = 0;
  if (bracket_f.front() <= bracket_f.back()) low_pos = 0, high_pos = 1;
  else low_pos = 1, high_pos = 0;
  while (!done && ls_iter < max_ls) {
    if (std::abs(bracket[1] - bracket[0]) * d_norm < tolerance_change) break;
    t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]);
    const double hi = std::max(bracket[0], bracket[1]), lo = std::min(bracket[0], bracket[1]);
    const double eps = 0.1 * (hi - lo);
    if (std::min(hi - t, t - lo) < eps) {
      // Too close to an end: move away from it unless the last try already made progress.
      if (insuf_progress || t >= hi || t <= lo) {
        t = std::abs(t - hi) < std::abs(t - lo) ? hi - eps : lo + eps;
        insuf_progress = false;
      } else {
        insuf_progress = true;
      }
    } else {
      insuf_progress = false;
    }
    std::tie(f_new, g_new) = obj_func(t, d);
    ls_func_evals += 1;
    gtd_new = g_new.dot(d).item<double>();
    ls_iter += 1;
    if (f_new > (f + c1 * t * gtd) || f_new >= bracket_f[low_pos]) {
      bracket[high_pos] = t;
      bracket_f[high_pos] = f_new;
      bracket_g[high_pos] = g_new.clone();
      bracket_gtd[high_pos] = gtd_new;
      if (bracket_f[0] <= bracket_f[1]) low_pos = 0, high_pos = 1;
      else low_pos = 1, high_pos = 0;
    } else {
      if (std::abs(gtd_new) <= -c2 * gtd) {
        done = true;
      } else if (gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0) {
        bracket[high_pos] = bracket[low_pos];
        bracket_f[high_pos] = bracket_f[low_pos];
        bracket_g[high_pos] = bracket_g[low_pos];
        bracket_gtd[high_pos] = bracket_gtd[low_pos];
      }
      bracket[low_pos] = t;
      bracket_f[low_pos] = f_new;
      bracket_g[low_pos] = g_new.clone();
      bracket_gtd[low_pos] = gtd_new;
    }
  }
  return {bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals};
}

}  // namespace

OptimizerValueMap LBFGSOptions::to_values() const {
  OptimizerValueMap v{{"lr", lr_},
                      {"max_iter", max_iter_},
                      {"tolerance_grad", tolerance_grad_},
                      {"tolerance_change", tolerance_change_},
                      {"history_size", history_size_}};
  if (max_eval_) v["max_eval"] = *max_eval_;
  if (line_search_fn_) v["line_search_fn"] = *line_search_fn_;
  return v;
}
void LBFGSOptions::from_values(const OptimizerValueMap& v) {
  LBFGSOptions o(detail::get_double(v, "lr"));
  o.max_iter(detail::get_int(v, "max_iter"))
      .tolerance_grad(detail::get_double(v, "tolerance_grad"))
      .tolerance_change(detail::get_double(v, "tolerance_change"))
      .history_size(detail::get_int(v, "history_size"));
  if (v.count("max_eval")) o.max_eval(detail::get_int(v, "max_eval"));
  if (v.count("line_search_fn")) {
    const auto* s = std::get_if<std::string>(&v.at("line_search_fn"));
    EMBER_CHECK(s, "loaded state dict entry 'line_search_fn' is not a string");
    o.line_search_fn(*s);
  }
  *this = o;
}

OptimizerValueMap LBFGSParamState::to_values() const {
  OptimizerValueMap v{{"func_evals", func_evals_}, {"n_iter", n_iter_}};
  if (d_.defined()) {
    v["t"] = t_;
    v["prev_loss"] = prev_loss_;
    v["old_dirs"] = copy_list(old_dirs_);
    v["old_stps"] = copy_list(old_stps_);
    v["ro"] = copy_list(ro_);
  }
  detail::put_tensor(v, "d", d_);
  detail::put_tensor(v, "H_diag", H_diag_);
  detail::put_tensor(v, "prev_flat_grad", prev_flat_grad_);
  if (al_) v["al"] = copy_list(*al_);
  return v;
}

LBFGS::LBFGS(std::vector<OptimizerParamGroup> param_groups, LBFGSOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<LBFGSOptions>(defaults)) {
  EMBER_CHECK(param_groups_.size() == 1, "LBFGS doesn't support per-parameter options (parameter groups)");
  if (!defaults.max_eval()) {
    const int64_t max_eval = defaults.max_iter() * 5 / 4;
    static_cast<LBFGSOptions&>(param_groups_[0].options()).max_eval(max_eval);
    static_cast<LBFGSOptions&>(*defaults_).max_eval(max_eval);
  }
}

int64_t LBFGS::numel() const {
  int64_t n = 0;
  for (const auto& p : param_groups_.at(0).params()) n += p.numel();
  return n;
}

Tensor LBFGS::gather_flat_grad() const {
  std::vector<Tensor> views;
  for (const auto& p : param_groups_[0].params())
    views.push_back(p.grad().defined() ? p.grad().reshape({-1}) : zeros({p.numel()}, p.options()));
  return cat(views, 0);
}

void LBFGS::add_grad(double step_size, const Tensor& update) {
  int64_t offset = 0;
  for (auto& p : param_groups_[0].params()) {
    const int64_t n = p.numel();
    p.add_(update.narrow(0, offset, n).view_as(p), step_size);
    offset += n;
  }
}

std::vector<Tensor> LBFGS::clone_params() const {
  std::vector<Tensor> out;
  for (const auto& p : param_groups_[0].params()) out.push_back(p.clone());
  return out;
}

void LBFGS::set_params(const std::vector<Tensor>& values) {
  auto& params = param_groups_[0].params();
  for (size_t i = 0; i < params.size(); ++i) params[i].copy_(values[i]);
}

std::pair<double, Tensor> LBFGS::directional_evaluate(const LossClosure& closure, const std::vector<Tensor>& x,
                                                      double t, const Tensor& d) {
  add_grad(t, d);
  const double loss = evaluate(closure).item<double>();
  Tensor flat_grad = gather_flat_grad();
  set_params(x);
  return {loss, flat_grad};
}

std::unique_ptr<OptimizerParamState> LBFGS::load_param_state(const OptimizerValueMap& values, const Tensor&) const {
  // The state covers all parameters: its vectors are as long as all of them together.
  const Tensor flat = zeros({numel()}, param_groups_[0].params()[0].options());
  const Tensor scalar = zeros({}, flat.options());
  auto list = [&](const std::string& name, const Tensor& like, bool allow_undefined) {
    const auto* ts = std::get_if<std::vector<Tensor>>(&detail::find_value(values, name));
    EMBER_CHECK(ts, "loaded state dict entry '", name, "' is not a list of tensors");
    std::vector<Tensor> out;
    for (const auto& t : *ts) {
      if (!t.defined() && allow_undefined) {
        out.emplace_back();
        continue;
      }
      OptimizerValueMap one{{name, t}};
      out.push_back(detail::get_tensor_like(one, name, like));
    }
    return out;
  };
  auto st = std::make_unique<LBFGSParamState>();
  st->func_evals_ = detail::get_int(values, "func_evals");
  st->n_iter_ = detail::get_int(values, "n_iter");
  st->d_ = detail::get_optional_tensor_like(values, "d", flat);
  if (st->d_.defined()) {
    st->t_ = detail::get_double(values, "t");
    st->prev_loss_ = detail::get_double(values, "prev_loss");
    auto dirs = list("old_dirs", flat, false), stps = list("old_stps", flat, false), ro = list("ro", scalar, false);
    EMBER_CHECK(dirs.size() == stps.size() && dirs.size() == ro.size(),
                "loaded state dict has histories of different lengths (old_dirs, old_stps, ro)");
    st->old_dirs_.assign(dirs.begin(), dirs.end());
    st->old_stps_.assign(stps.begin(), stps.end());
    st->ro_.assign(ro.begin(), ro.end());
  }
  st->H_diag_ = detail::get_optional_tensor_like(values, "H_diag", scalar);
  st->prev_flat_grad_ = detail::get_optional_tensor_like(values, "prev_flat_grad", flat);
  if (values.count("al")) st->al_ = list("al", scalar, true);
  return st;
}

Tensor LBFGS::step(LossClosure closure) {
  EMBER_CHECK(closure != nullptr, "LBFGS requires a closure function");
  EMBER_CHECK(param_groups_.size() == 1, "LBFGS doesn't support per-parameter options (parameter groups)");
  const auto& o = static_cast<const LBFGSOptions&>(param_groups_[0].options());
  EMBER_CHECK(!o.line_search_fn() || *o.line_search_fn() == "strong_wolfe", "only 'strong_wolfe' is supported");
  const double lr = o.lr(), tolerance_grad = o.tolerance_grad(), tolerance_change = o.tolerance_change();
  const int64_t max_iter = o.max_iter(), history_size = o.history_size();
  const int64_t max_eval = o.max_eval().value_or(max_iter * 5 / 4);
  NoGradGuard no_grad;

  auto& slot = state_[state_key(param_groups_[0].params().at(0))];
  if (!slot) slot = std::make_unique<LBFGSParamState>();
  auto& state = static_cast<LBFGSParamState&>(*slot);

  Tensor orig_loss = evaluate(closure);
  double loss = orig_loss.item<double>();
  int64_t current_evals = 1;
  state.func_evals_ += 1;

  Tensor flat_grad = gather_flat_grad();
  bool opt_cond = flat_grad.abs().max().item<double>() <= tolerance_grad;
  if (opt_cond) return orig_loss;  // already optimal

  Tensor& d = state.d_;
  double& t = state.t_;
  auto& old_dirs = state.old_dirs_;
  auto& old_stps = state.old_stps_;
  auto& ro = state.ro_;
  Tensor& H_diag = state.H_diag_;
  Tensor& prev_flat_grad = state.prev_flat_grad_;
  double& prev_loss = state.prev_loss_;

  int64_t n_iter = 0;
  while (n_iter < max_iter) {
    n_iter += 1;
    state.n_iter_ += 1;

    // Descent direction: steepest descent first, then the two-loop L-BFGS recursion.
    if (state.n_iter_ == 1) {
      d = flat_grad.neg();
      old_dirs.clear();
      old_stps.clear();
      ro.clear();
      H_diag = ones({}, flat_grad.options());
    } else {
      Tensor y = flat_grad.sub(prev_flat_grad);
      Tensor s = d.mul(t);
      Tensor ys = y.dot(s);
      if (ys.item<double>() > 1e-10) {
        if (static_cast<int64_t>(old_dirs.size()) == history_size) {
          old_dirs.pop_front();
          old_stps.pop_front();
          ro.pop_front();
        }
        old_dirs.push_back(y);
        old_stps.push_back(s);
        ro.push_back(ys.reciprocal());
        H_diag = ys.div(y.dot(y));
      }
      const int64_t num_old = static_cast<int64_t>(old_dirs.size());
      if (!state.al_) state.al_ = std::vector<Tensor>(static_cast<size_t>(history_size));
      auto& al = *state.al_;
      Tensor q = flat_grad.neg();
      for (int64_t i = num_old - 1; i >= 0; --i) {
        al[i] = old_stps[i].dot(q).mul(ro[i]);
        q.add_(old_dirs[i], -al[i].item<double>());
      }
      d = q.mul(H_diag);
      for (int64_t i = 0; i < num_old; ++i) {
        Tensor be_i = old_dirs[i].dot(d).mul(ro[i]);
        d.add_(old_stps[i], al[i].sub(be_i).item<double>());
      }
    }

    if (!prev_flat_grad.defined()) prev_flat_grad = flat_grad.clone();
    else prev_flat_grad.copy_(flat_grad);
    prev_loss = loss;

    // Step length: scaled down on the very first iteration, lr afterwards.
    if (state.n_iter_ == 1) t = std::min(1., 1. / flat_grad.abs().sum().item<double>()) * lr;
    else t = lr;

    const double gtd = flat_grad.dot(d).item<double>();
    if (gtd > -tolerance_change) break;  // directional derivative below tolerance

    int64_t ls_func_evals = 0;
    if (o.line_search_fn()) {
      const std::vector<Tensor> x_init = clone_params();
      auto obj_func = [&](double step, const Tensor& dir) { return directional_evaluate(closure, x_init, step, dir); };
      auto r = strong_wolfe(obj_func, t, d, loss, flat_grad, gtd);
      loss = r.f;
      flat_grad = r.g;
      t = r.t;
      ls_func_evals = r.func_evals;
      add_grad(t, d);
      opt_cond = flat_grad.abs().max().item<double>() <= tolerance_grad;
    } else {
      add_grad(t, d);
      // The last iteration does not re-evaluate: in a stochastic setting that would be wasted.
      if (n_iter != max_iter) {
        loss = evaluate(closure).item<double>();
        flat_grad = gather_flat_grad();
        opt_cond = flat_grad.abs().max().item<double>() <= tolerance_grad;
        ls_func_evals = 1;
      }
    }
    current_evals += ls_func_evals;
    state.func_evals_ += ls_func_evals;

    if (n_iter == max_iter) break;
    if (current_evals >= max_eval) break;
    if (opt_cond) break;
    if (d.mul(t).abs().max().item<double>() <= tolerance_change) break;  // lack of progress
    if (std::abs(loss - prev_loss) < tolerance_change) break;
  }
  return orig_loss;
}

}  // namespace optim
}  // namespace ember
