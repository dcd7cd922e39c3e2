// The losses of loss_extra.h, each composed of public differentiable ops (so their gradients,
// and gradients of gradients, come from those ops), with ATen's argument checks.
#include "ember/ops/loss_extra.h"

#include <cmath>
#include <limits>
#include <vector>

#include "ember/ops/activation_extra.h"
#include "ember/ops/indexing.h"
#include "ember/ops/pointwise.h"
#include "ember/ops/reduction.h"
#include "ember/ops/shape.h"

#include "ops/util.h"

namespace ember {

namespace {

Tensor reduce(const Tensor& loss, int64_t reduction) {
  if (reduction == Reduction::Mean) return loss.mean();
  if (reduction == Reduction::Sum) return loss.sum();
  EMBER_CHECK(reduction == Reduction::None, reduction, " is not a valid value for reduction");
  return loss;
}

void check_floating(const char* op, const Tensor& x) {
  EMBER_CHECK(is_floating_type(x.dtype()), op, ": expected a floating point input, but got ", to_string(x.dtype()));
}

// ATen's shape rule for the multi-class and multi-label margin losses: a non-empty vector, or a
// matrix with a non-zero second dim; returns (frames, classes).
std::pair<int64_t, int64_t> margin_loss_frames(const Tensor& input) {
  const int64_t nd = input.dim();
  EMBER_CHECK((nd == 2 && input.size(1) != 0) || (nd == 1 && input.size(0) != 0) || nd == 0,
              "Expected non-empty vector or matrix with optional 0-dim batch size, but got: ", input.sizes());
  if (nd <= 1) return {1, nd == 0 ? 1 : input.size(0)};
  return {input.size(0), input.size(1)};
}

}  // namespace

Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p, double eps, bool keepdim) {
  const int64_t out_dim = std::max(x1.dim(), x2.dim());
  return x1.sub(x2).add(eps).norm(Scalar(p), {out_dim - 1}, keepdim);
}

Tensor soft_margin_loss(const Tensor& input, const Tensor& target, int64_t reduction) {
  return reduce(input.neg().mul(target).exp().log1p(), reduction);
}

Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target, double margin, int64_t reduction) {
  Tensor zeros = zeros_like(input);
  Tensor margin_part = where(target.ne(1), rsub(input, margin).clamp_min(0), zeros);
  Tensor self_part = where(target.ne(-1), input, zeros);
  return reduce(margin_part.add(self_part), reduction);
}

namespace {
// ATen's margin-loss kernels add a term only where it is > 0 (`if (z > 0)`): its gradient is 0 at
// the hinge, and a NaN term (from a NaN input) is skipped, where relu would pass the NaN on.
Tensor positive_part(const Tensor& z) { return where(z.gt(0), z, 0.0); }
}  // namespace

Tensor multi_margin_loss(const Tensor& input, const Tensor& target, const Scalar& p, const Scalar& margin,
                         const Tensor& weight, int64_t reduction) {
  const int64_t p_int = p.toLong();
  EMBER_CHECK(p_int == 1 || p_int == 2, "only p == 1 and p == 2 supported");
  auto [frames, classes] = margin_loss_frames(input);
  EMBER_CHECK(target.dim() <= 1 && target.numel() == frames, "inconsistent target size, got: ", target.sizes());
  if (weight.defined())
    EMBER_CHECK(weight.dim() <= 1 && weight.numel() == classes, "inconsistent weight size, expected ", classes,
                " but got ", weight.sizes());
  EMBER_CHECK(!is_floating_type(target.dtype()) && target.dtype() != kBool,
              "multi_margin_loss: expected target of integer type, but got ", to_string(target.dtype()));
  check_floating("multi_margin_loss", input);
  Tensor x = input.reshape({frames, classes});
  Tensor y = target.reshape({frames, 1}).to(kLong);
  if (frames > 0)
    EMBER_CHECK(y.ge(0).logical_and(y.lt(classes)).all().item<bool>(), "target out of range");
  Tensor x_y = x.gather(1, y);
  // The target's own term is masked out before squaring, so a non-finite x_y (inf - inf there)
  // gives no NaN gradient.
  Tensor others = arange(classes, TensorOptions(kLong)).unsqueeze(0).ne(y);
  Tensor z = where(others, positive_part(x.sub(x_y).add(margin)), 0.0);
  if (p_int == 2) z = z.mul(z);
  if (weight.defined()) z = z.mul(weight.reshape({classes}).index_select(0, y.reshape({frames})).unsqueeze(1));
  Tensor loss = z.sum({1}).div(static_cast<double>(classes));
  if (input.dim() <= 1) loss = loss.reshape({});
  return reduce(loss, reduction);
}

Tensor multilabel_margin_loss(const Tensor& input, const Tensor& target, int64_t reduction) {
  auto [frames, classes] = margin_loss_frames(input);
  if (input.dim() <= 1)
    EMBER_CHECK(target.dim() <= 1 && target.numel() == classes, "inconsistent size ", target.sizes(),
                " for argument #2 'target'");
  else
    EMBER_CHECK(target.dim() == 2 && target.size(0) == frames && target.size(1) == classes, "inconsistent size ",
                target.sizes(), " for argument #2 'target'");
  EMBER_CHECK(target.dtype() == kLong, "multilabel_margin_loss: expected target of dtype Long, but got ",
              to_string(target.dtype()));
  check_floating("multilabel_margin_loss", input);
  Tensor x = input.reshape({frames, classes});
  Tensor y = target.reshape({frames, classes});
  // Slots before each row's first -1 name the target classes.
  Tensor valid = y.eq(-1).cumsum(1).eq(0);
  Tensor idx = where(valid, y, zeros_like(y));
  if (frames > 0)
    EMBER_CHECK(where(valid, y.ge(0).logical_and(y.lt(classes)), ones_like(valid)).all().item<bool>(),
                "argument #2 'target' is out of range");
  Tensor is_target = zeros({frames, classes}, TensorOptions(kLong)).scatter_add(1, idx, valid.to(kLong)).gt(0);
  Tensor x_t = x.gather(1, idx);                                         // (N, slots)
  Tensor hinge = positive_part(rsub(x_t.unsqueeze(2).sub(x.unsqueeze(1)), 1));  // (N, slots, C)
  Tensor pair = valid.unsqueeze(2).logical_and(is_target.logical_not().unsqueeze(1));
  Tensor loss = where(pair, hinge, zeros_like(hinge)).sum({1, 2}).div(static_cast<double>(classes));
  if (input.dim() <= 1) loss = loss.reshape({});
  return reduce(loss, reduction);
}

Tensor poisson_nll_loss(const Tensor& input, const Tensor& target, bool log_input, bool full, double eps,
                        int64_t reduction) {
  Tensor loss = log_input ? input.exp().sub(target.mul(input)) : input.sub(target.mul(input.add(eps).log()));
  if (full) {
    Tensor t = target;
    Tensor stirling = t.mul(t.log()).sub(t).add(t.mul(2 * M_PI).log().mul(0.5));
    loss = loss.add(where(t.gt(1), stirling, zeros_like(stirling)));
  }
  return reduce(loss, reduction);
}

Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative, double margin,
                           double p, double eps, bool swap, int64_t reduction) {
  const int64_t a = anchor.dim(), pd = positive.dim(), n = negative.dim();
  EMBER_CHECK(a == pd && pd == n, "All inputs should have same dimension but got ", a, "D, ", pd, "D and ", n,
              "D inputs.");
  Tensor d_pos = pairwise_distance(anchor, positive, p, eps);
  Tensor d_neg = pairwise_distance(anchor, negative, p, eps);
  if (swap) d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps));
  return reduce(d_pos.sub(d_neg).add(margin).clamp_min(0), reduction);
}

namespace {
// Unreachable states hold a very negative finite number rather than -inf, so that logsumexp's
// gradient stays finite (its weight for such a state is exactly 0); a loss beyond kImpossible
// means no alignment exists and becomes inf.
double ctc_floor(ScalarType t) { return t == kDouble ? -1e300 : -1e30; }
double ctc_impossible(ScalarType t) { return t == kDouble ? 1e299 : 1e29; }

// -log p(target | log_probs) of one sample: lp (T, C), labels its L targets.
Tensor ctc_one(const Tensor& lp, const std::vector<int64_t>& labels, int64_t blank) {
  const int64_t t_len = lp.size(0), l = static_cast<int64_t>(labels.size()), s_len = 2 * l + 1;
  const ScalarType dt = lp.dtype();
  const double floor_value = ctc_floor(dt);
  std::vector<int64_t> ext(static_cast<size_t>(s_len), blank);
  for (int64_t i = 0; i < l; ++i) ext[static_cast<size_t>(2 * i + 1)] = labels[static_cast<size_t>(i)];
  // skip[s]: state s may be entered from s - 2 (a label different from the one two back).
  std::vector<bool> skip(static_cast<size_t>(s_len), false);
  for (int64_t s = 2; s < s_len; ++s)
    skip[static_cast<size_t>(s)] = ext[static_cast<size_t>(s)] != blank && ext[static_cast<size_t>(s)] != ext[static_cast<size_t>(s) - 2];
  const TensorOptions lo(kLong);
  Tensor emit = lp.index_select(1, tensor(ext, lo));  // (T, S')
  Tensor floor_row = full({s_len}, floor_value, TensorOptions(dt));
  std::vector<double> start_mask(static_cast<size_t>(s_len), floor_value);
  start_mask[0] = 0;
  if (s_len > 1) start_mask[1] = 0;
  Tensor skip_mask = tensor(std::vector<int64_t>(skip.begin(), skip.end()), lo).to(kBool);
  Tensor alpha = emit[0].add(tensor(start_mask, TensorOptions(kDouble)).to(dt)).clamp_min(floor_value);
  Tensor pad1 = full({1}, floor_value, TensorOptions(dt)), pad2 = full({2}, floor_value, TensorOptions(dt));
  for (int64_t t = 1; t < t_len; ++t) {
    Tensor from_prev = cat({pad1, alpha.narrow(0, 0, s_len - 1)}, 0);
    Tensor from_skip = s_len > 2 ? where(skip_mask, cat({pad2, alpha.narrow(0, 0, s_len - 2)}, 0), floor_row) : floor_row;
    alpha = stack({alpha, from_prev, from_skip}, 0).logsumexp({0}).add(emit[t]).clamp_min(floor_value);
  }
  Tensor last = s_len > 1 ? alpha.narrow(0, s_len - 2, 2) : alpha.narrow(0, s_len - 1, 1);
  return last.logsumexp({0}).neg();
}
}  // namespace

Tensor ctc_loss(const Tensor& log_probs_in, const Tensor& targets, IntArrayRef input_lengths,
                IntArrayRef target_lengths, int64_t blank, int64_t reduction, bool zero_infinity) {
  EMBER_CHECK(log_probs_in.dim() == 3 || log_probs_in.dim() == 2,
              "ctc_loss: expected log_probs of shape (T, N, C) or (T, C), got ", log_probs_in.sizes());
  EMBER_CHECK(is_floating_type(log_probs_in.dtype()), "\"ctc_loss_cpu\" not implemented for '",
              to_string(log_probs_in.dtype()), "'");
  EMBER_CHECK(targets.dtype() == kLong || targets.dtype() == kInt,
              "Expected tensor for argument #2 'targets' to have one of the following scalar types: Long, Int; but got ",
              to_string(targets.dtype()), " instead (while checking arguments for ctc_loss_cpu)");
  const bool batched = log_probs_in.dim() == 3;
  Tensor log_probs = batched ? log_probs_in : log_probs_in.unsqueeze(1);
  const int64_t max_t = log_probs.size(0), batch = log_probs.size(1), classes = log_probs.size(2);
  EMBER_CHECK(blank < classes && blank >= 0, "blank must be in label range");
  EMBER_CHECK(static_cast<int64_t>(input_lengths.size()) == batch, "input_lengths must be of size batch_size");
  EMBER_CHECK(static_cast<int64_t>(target_lengths.size()) == batch, "target_lengths must be of size batch_size");
  std::vector<int64_t> flat = targets.to(kLong).contiguous().to_vector<int64_t>();
  const bool concatenated = targets.dim() == 1 && batched;
  int64_t offset = 0;
  std::vector<Tensor> losses;
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t t_len = input_lengths[static_cast<size_t>(b)], l = target_lengths[static_cast<size_t>(b)];
    EMBER_CHECK(t_len >= 0 && t_len <= max_t, "Expected input_lengths to have value at most ", max_t, ", but got value ",
                t_len, " (while checking arguments for ctc_loss_cpu)");
    EMBER_CHECK(l >= 0, "target_lengths must be non-negative");
    std::vector<int64_t> labels;
    if (concatenated || !batched) {
      EMBER_CHECK(offset + l <= static_cast<int64_t>(flat.size()), "Expected tensor to have size at least ", offset + l,
                  " at dimension 0, but got size ", flat.size(), " for argument #2 'targets' (while checking arguments "
                  "for ctc_loss_cpu)");
      labels.assign(flat.begin() + offset, flat.begin() + offset + l);
      offset += l;
    } else {
      EMBER_CHECK(targets.dim() == 2 && targets.size(0) == batch && targets.size(1) >= l,
                  "Expected tensor to have size at least ", l, " at dimension 1, but got size ",
                  targets.dim() == 2 ? targets.size(1) : 0, " for argument #2 'targets' (while checking arguments for "
                  "ctc_loss_cpu)");
      const int64_t row = targets.size(1);
      labels.assign(flat.begin() + b * row, flat.begin() + b * row + l);
    }
    for (int64_t c : labels)
      EMBER_CHECK(c >= 0 && c < classes && c != blank, "ctc_loss: target class ", c, " is out of range or the blank");
    if (t_len == 0) {
      losses.push_back(full({}, l == 0 ? 0.0 : std::numeric_limits<double>::infinity(),
                            TensorOptions(log_probs.dtype())));
      continue;
    }
    Tensor lp = log_probs.select(1, b).narrow(0, 0, t_len);
    // PyTorch's gradient with respect to log_probs carries an extra exp(log_probs) (it is the
    // gradient with respect to the logits when log_probs = log_softmax(logits), which is the
    // same through log_softmax either way). A term of value 0 and gradient exp(log_probs) adds it.
    Tensor e = lp.exp().sum();
    losses.push_back(ctc_one(lp, labels, blank).add(e.sub(e.detach())));
  }
  Tensor loss = stack(losses, 0);
  const ScalarType dt = loss.dtype();
  Tensor impossible = loss.gt(ctc_impossible(dt));
  loss = where(impossible, full_like(loss, zero_infinity ? 0.0 : std::numeric_limits<double>::infinity()), loss);
  if (reduction == Reduction::Mean) {
    std::vector<double> lens;
    for (int64_t v : target_lengths) lens.push_back(static_cast<double>(std::max<int64_t>(v, 1)));
    return loss.div(tensor(lens, TensorOptions(kDouble)).to(dt)).mean();
  }
  if (!batched && reduction == Reduction::None) return loss.squeeze(0);
  return reduce(loss, reduction);
}

Tensor ctc_loss(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths,
                const Tensor& target_lengths, int64_t blank, int64_t reduction, bool zero_infinity) {
  EMBER_CHECK(!is_floating_type(input_lengths.dtype()) && !is_floating_type(target_lengths.dtype()),
              "ctc_loss: input_lengths and target_lengths must be integral");
  std::vector<int64_t> il = input_lengths.to(kLong).contiguous().to_vector<int64_t>();
  std::vector<int64_t> tl = target_lengths.to(kLong).contiguous().to_vector<int64_t>();
  return ctc_loss(log_probs, targets, il, tl, blank, reduction, zero_infinity);
}

}  // namespace ember
