// c10d::ProcessGroupMPI under mpirun (2 and 4 ranks): every collective against values computed
// here by hand, each dtype and reduce op, non-contiguous tensors, and errors that reach every rank.
#include <c10d/ProcessGroupMPI.hpp>  // the pre-1.13 path
#include <gtest/gtest.h>
#include <torch/csrc/distributed/c10d/ProcessGroupMPI.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "expect_error.h"

namespace {

using torch::Tensor;

c10::intrusive_ptr<c10d::ProcessGroupMPI>& group() {
  // Tests use seconds, not LibTorch's 30 minutes, so a broken test ends instead of hanging.
  static auto pg = c10d::ProcessGroupMPI::createProcessGroupMPI({}, std::chrono::seconds(20));
  return pg;
}
int rank() { return group()->getRank(); }
int size() { return group()->getSize(); }

// Rank r's input: (r + 1) * (i + 1) for element i.
Tensor rank_values(int r, int64_t n, torch::Dtype dtype) {
  return (torch::arange(1, n + 1, torch::kDouble) * (r + 1)).to(dtype);
}

// a OP b elementwise, through int64.
template <typename Op>
Tensor bitwise(const Tensor& a, const Tensor& b, Op op) {
  Tensor x = a.to(torch::kLong), y = b.to(torch::kLong), out = torch::empty_like(x);
  for (int64_t i = 0; i < x.numel(); ++i) out[i] = op(x[i].item<int64_t>(), y[i].item<int64_t>());
  return out.to(a.scalar_type());
}

void wait_all(const c10::intrusive_ptr<c10d::Work>& work) { ASSERT_TRUE(work->wait()); }

TEST(ProcessGroupMPI, RanksAreDistinctAndCoverTheWorld) {
  ASSERT_GE(size(), 2);
  EXPECT_EQ(group()->getBackendName(), "mpi");
  std::vector<Tensor> t{torch::full({1}, static_cast<int64_t>(rank()), torch::kLong)};
  std::vector<std::vector<Tensor>> out{std::vector<Tensor>(size())};
  for (auto& o : out[0]) o = torch::empty({1}, torch::kLong);
  wait_all(group()->allgather(out, t));
  for (int r = 0; r < size(); ++r) EXPECT_EQ(out[0][r].item<int64_t>(), r);
}

// Every reduce op on every dtype, against a reduction computed here in the tensor's own arithmetic.
TEST(ProcessGroupMPI, AllreduceEveryOpAndDtype) {
  const int n = size();
  struct Case {
    c10d::ReduceOp::RedOpType op;
    torch::Dtype dtype;
  };
  std::vector<Case> cases;
  for (auto dtype : {torch::kFloat, torch::kDouble, torch::kLong, torch::kInt, torch::kByte}) {
    for (auto op : {c10d::ReduceOp::SUM, c10d::ReduceOp::PRODUCT, c10d::ReduceOp::MIN, c10d::ReduceOp::MAX}) {
      cases.push_back({op, dtype});
    }
  }
  cases.push_back({c10d::ReduceOp::AVG, torch::kFloat});
  cases.push_back({c10d::ReduceOp::AVG, torch::kDouble});
  for (auto op : {c10d::ReduceOp::BAND, c10d::ReduceOp::BOR, c10d::ReduceOp::BXOR}) {
    cases.push_back({op, torch::kLong});
    cases.push_back({op, torch::kByte});
  }
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string("op ") + std::to_string(static_cast<int>(c.op)) + " dtype " + torch::str(c.dtype));
    std::vector<Tensor> t{rank_values(rank(), 3, c.dtype)};
    Tensor want = rank_values(0, 3, c.dtype);
    for (int r = 1; r < n; ++r) {
      Tensor v = rank_values(r, 3, c.dtype);
      switch (c.op) {
        case c10d::ReduceOp::SUM: case c10d::ReduceOp::AVG: want = want + v; break;
        case c10d::ReduceOp::PRODUCT: want = want * v; break;
        case c10d::ReduceOp::MIN: want = torch::minimum(want, v); break;
        case c10d::ReduceOp::MAX: want = torch::maximum(want, v); break;
        case c10d::ReduceOp::BAND: want = bitwise(want, v, [](int64_t a, int64_t b) { return a & b; }); break;
        case c10d::ReduceOp::BOR: want = bitwise(want, v, [](int64_t a, int64_t b) { return a | b; }); break;
        case c10d::ReduceOp::BXOR: want = bitwise(want, v, [](int64_t a, int64_t b) { return a ^ b; }); break;
        default: FAIL();
      }
      want = want.to(c.dtype);
    }
    if (c.op == c10d::ReduceOp::AVG) want = want / n;
    c10d::AllreduceOptions opts;
    opts.reduceOp = c.op;
    wait_all(group()->allreduce(t, opts));
    EXPECT_EQ(t[0].scalar_type(), c.dtype);
    EXPECT_TRUE(torch::equal(t[0], want)) << t[0] << " vs " << want;
  }
}

// From 64 KB up, allreduce runs a ring of point-to-point messages (reduce-scatter, then
// allgather): element counts that do not split evenly over the ranks, every dtype, and results
// that are bit-identical on every rank even where float rounding depends on the order of the sum.
TEST(ProcessGroupMPI, LargeAllreduceRingEveryDtypeAndUnevenBlocks) {
  const int n = size();
  const int64_t count = 70001;  // 68 KB of uint8, not a multiple of 2, 3 or 4
  // Rank r's element i: (r + 1) * (1 + i % 20), so that sums over 4 ranks stay within uint8.
  auto rank_values = [](int r, int64_t n, torch::Dtype dtype) {
    return ((torch::arange(n, torch::kDouble).remainder(20) + 1) * (r + 1)).to(dtype);
  };
  for (auto dtype : {torch::kFloat, torch::kDouble, torch::kLong, torch::kInt, torch::kByte}) {
    for (auto op : {c10d::ReduceOp::SUM, c10d::ReduceOp::MIN, c10d::ReduceOp::MAX}) {
      SCOPED_TRACE(std::string("op ") + std::to_string(static_cast<int>(op)) + " dtype " + torch::str(dtype));
      std::vector<Tensor> t{rank_values(rank(), count, dtype)};
      Tensor want = rank_values(0, count, dtype);
      for (int r = 1; r < n; ++r) {
        Tensor v = rank_values(r, count, dtype);
        want = (op == c10d::ReduceOp::SUM ? want + v
                : op == c10d::ReduceOp::MIN ? torch::minimum(want, v) : torch::maximum(want, v)).to(dtype);
      }
      c10d::AllreduceOptions opts;
      opts.reduceOp = op;
      wait_all(group()->allreduce(t, opts));
      EXPECT_TRUE(torch::equal(t[0], want));
    }
  }
  // AVG, and a coalesced list whose flat buffer takes the ring.
  std::vector<Tensor> avg{rank_values(rank(), count, torch::kDouble)};
  c10d::AllreduceOptions avg_opts;
  avg_opts.reduceOp = c10d::ReduceOp::AVG;
  wait_all(group()->allreduce(avg, avg_opts));
  EXPECT_TRUE(torch::allclose(avg[0], rank_values(0, count, torch::kDouble) * (n + 1) / 2.0));
  std::vector<Tensor> parts{rank_values(rank(), 30000, torch::kFloat), rank_values(rank(), 12345, torch::kFloat)};
  wait_all(group()->allreduce_coalesced(parts));
  EXPECT_TRUE(torch::equal(parts[0], rank_values(0, 30000, torch::kFloat) * (n * (n + 1) / 2)));
  EXPECT_TRUE(torch::equal(parts[1], rank_values(0, 12345, torch::kFloat) * (n * (n + 1) / 2)));
  // Random floats of mixed magnitudes: the sum's rounding depends on the order, and every rank must
  // still end with the same bits (DDP's replicas would drift apart otherwise).
  torch::manual_seed(100 + rank());
  std::vector<Tensor> noisy{torch::randn({count}) * torch::exp(torch::randn({count}) * 5)};
  wait_all(group()->allreduce(noisy));
  std::vector<Tensor> from0{noisy[0].clone()};
  wait_all(group()->broadcast(from0));
  EXPECT_TRUE(torch::equal(noisy[0], from0[0]));
}

// uint8 sums wrap as PyTorch's do (200 + 201 = 145), on the small path and the ring alike:
// OpenMPI 4.1's own vectorised MPI_SUM saturates 8-bit integers at 255.
TEST(ProcessGroupMPI, Uint8SumWrapsAsPyTorchDoes) {
  int64_t total = 0;
  for (int r = 0; r < size(); ++r) total += 200 + r;
  const int want = static_cast<int>(total % 256);
  for (int64_t count : {int64_t{3}, int64_t{4096}, int64_t{70001}}) {
    SCOPED_TRACE("count " + std::to_string(count));
    std::vector<Tensor> t{torch::full({count}, 200 + rank(), torch::kByte)};
    wait_all(group()->allreduce(t));
    EXPECT_TRUE(torch::equal(t[0], torch::full({count}, want, torch::kByte))) << t[0].slice(0, 0, 3);
    std::vector<Tensor> r{torch::full({count}, 200 + rank(), torch::kByte)};
    c10d::ReduceOptions to_root;
    wait_all(group()->reduce(r, to_root));
    if (rank() == 0) {
      EXPECT_TRUE(torch::equal(r[0], torch::full({count}, want, torch::kByte))) << r[0].slice(0, 0, 3);
    }
  }
}

TEST(ProcessGroupMPI, AllreduceBoolIsLogical) {
  // Rank 0 holds [T, T, F], every other rank [T, F, F]: any = [T, T, F], all = [T, F, F].
  auto mine = [&] { return rank() == 0 ? torch::tensor({true, true, false}) : torch::tensor({true, false, false}); };
  std::vector<Tensor> any{mine()}, all{mine()};
  wait_all(group()->allreduce(any));
  c10d::AllreduceOptions min;
  min.reduceOp = c10d::ReduceOp::MIN;
  wait_all(group()->allreduce(all, min));
  EXPECT_TRUE(torch::equal(any[0], torch::tensor({true, true, false})));
  EXPECT_TRUE(torch::equal(all[0], torch::tensor({true, false, false})));
}

TEST(ProcessGroupMPI, NonContiguousTensorsArePackedAndWrittenBack) {
  // A transposed view of a 3x4 tensor: the sum lands in the view, in its own layout.
  Tensor base = torch::arange(12, torch::kFloat).reshape({3, 4}) * (rank() + 1);
  Tensor view = base.t();
  ASSERT_FALSE(view.is_contiguous());
  std::vector<Tensor> t{view};
  wait_all(group()->allreduce(t));
  const float total = static_cast<float>(size() * (size() + 1) / 2);
  EXPECT_TRUE(torch::equal(base, torch::arange(12, torch::kFloat).reshape({3, 4}) * total));
  // Every other column of a wider tensor: the columns between stay as they were.
  Tensor wide = torch::full({2, 6}, static_cast<double>(rank() + 1), torch::kDouble);
  std::vector<Tensor> cols{wide.slice(1, 0, 6, 2)};
  wait_all(group()->allreduce(cols));
  for (int64_t j = 0; j < 6; ++j) {
    const double want = j % 2 == 0 ? total : rank() + 1;
    EXPECT_EQ(wide[0][j].item<double>(), want) << j;
    EXPECT_EQ(wide[1][j].item<double>(), want) << j;
  }
}

TEST(ProcessGroupMPI, BroadcastFromEveryRoot) {
  for (int root = 0; root < size(); ++root) {
    std::vector<Tensor> t{rank_values(rank(), 5, torch::kDouble)};
    c10d::BroadcastOptions opts;
    opts.rootRank = root;
    wait_all(group()->broadcast(t, opts));
    EXPECT_TRUE(torch::equal(t[0], rank_values(root, 5, torch::kDouble))) << root;
  }
}

TEST(ProcessGroupMPI, ReduceOnlyChangesTheRoot) {
  const int root = size() - 1;
  std::vector<Tensor> t{rank_values(rank(), 4, torch::kInt)};
  c10d::ReduceOptions opts;
  opts.rootRank = root;
  opts.reduceOp = c10d::ReduceOp::MAX;
  wait_all(group()->reduce(t, opts));
  EXPECT_TRUE(torch::equal(t[0], rank_values(rank() == root ? size() - 1 : rank(), 4, torch::kInt)));
}

TEST(ProcessGroupMPI, GatherAndScatter) {
  const int root = 1;
  std::vector<Tensor> in{rank_values(rank(), 3, torch::kFloat).reshape({3, 1})};
  std::vector<std::vector<Tensor>> out;
  if (rank() == root) {
    out.emplace_back();
    for (int r = 0; r < size(); ++r) out[0].push_back(torch::zeros({3, 1}, torch::kFloat));
  }
  c10d::GatherOptions g;
  g.rootRank = root;
  wait_all(group()->gather(out, in, g));
  if (rank() == root) {
    for (int r = 0; r < size(); ++r) EXPECT_TRUE(torch::equal(out[0][r], rank_values(r, 3, torch::kFloat).reshape({3, 1})));
  }
  // Scatter sends piece r of the root's list to rank r.
  std::vector<Tensor> piece{torch::zeros({2}, torch::kLong)};
  std::vector<std::vector<Tensor>> pieces;
  if (rank() == root) {
    pieces.emplace_back();
    for (int r = 0; r < size(); ++r) pieces[0].push_back(torch::full({2}, static_cast<int64_t>(10 * r + 7), torch::kLong));
  }
  c10d::ScatterOptions s;
  s.rootRank = root;
  wait_all(group()->scatter(piece, pieces, s));
  EXPECT_TRUE(torch::equal(piece[0], torch::full({2}, static_cast<int64_t>(10 * rank() + 7), torch::kLong)));
}

TEST(ProcessGroupMPI, AllgatherIntoNonContiguousOutputsAndBase) {
  std::vector<Tensor> in{rank_values(rank(), 4, torch::kDouble)};
  Tensor backing = torch::zeros({4, 2 * size()}, torch::kDouble);
  std::vector<std::vector<Tensor>> out{{}};
  for (int r = 0; r < size(); ++r) out[0].push_back(backing.select(1, 2 * r));  // strided columns
  wait_all(group()->allgather(out, in));
  for (int r = 0; r < size(); ++r) {
    EXPECT_TRUE(torch::equal(backing.select(1, 2 * r), rank_values(r, 4, torch::kDouble)));
    EXPECT_TRUE(torch::equal(backing.select(1, 2 * r + 1), torch::zeros({4}, torch::kDouble)));
  }
  Tensor flat_in = rank_values(rank(), 2, torch::kFloat);
  Tensor flat_out = torch::empty({2 * size()}, torch::kFloat);
  wait_all(group()->_allgather_base(flat_out, flat_in));
  for (int r = 0; r < size(); ++r) EXPECT_TRUE(torch::equal(flat_out.narrow(0, 2 * r, 2), rank_values(r, 2, torch::kFloat)));
}

TEST(ProcessGroupMPI, ReduceScatterSumsPieceRForRankR) {
  // Rank q's piece r is (q + 1) * (r + 1) * [1, 2]; rank r receives sum_q of that.
  std::vector<Tensor> out{torch::zeros({2}, torch::kDouble)};
  std::vector<std::vector<Tensor>> in{{}};
  for (int r = 0; r < size(); ++r) in[0].push_back(rank_values(rank(), 2, torch::kDouble) * (r + 1));
  c10d::ReduceScatterOptions opts;
  opts.reduceOp = c10d::ReduceOp::AVG;
  wait_all(group()->reduce_scatter(out, in, opts));
  const double ranks_sum = size() * (size() + 1) / 2.0;
  EXPECT_TRUE(torch::allclose(out[0], torch::tensor({1.0, 2.0}, torch::kDouble) * (rank() + 1) * ranks_sum / size()));
}

TEST(ProcessGroupMPI, AlltoallBaseEqualAndUnevenSplits) {
  const int n = size();
  // Equal split: row r of rank q's input goes to rank r as row q of its output.
  Tensor in = torch::arange(n, torch::kLong).reshape({n, 1}) + 100 * rank();
  Tensor out = torch::empty({n, 1}, torch::kLong);
  std::vector<int64_t> none;
  wait_all(group()->alltoall_base(out, in, none, none));
  for (int q = 0; q < n; ++q) EXPECT_EQ(out[q][0].item<int64_t>(), 100 * q + rank());
  // Uneven: rank q sends j + 1 rows to rank j, each row [q, j].
  std::vector<int64_t> send, recv;
  std::vector<Tensor> rows;
  for (int j = 0; j < n; ++j) {
    send.push_back(j + 1);
    recv.push_back(rank() + 1);
    rows.push_back(torch::tensor({static_cast<float>(rank()), static_cast<float>(j)}).expand({j + 1, 2}));
  }
  Tensor uneven_in = torch::cat(rows, 0);
  Tensor uneven_out = torch::empty({n * (rank() + 1), 2}, torch::kFloat);
  wait_all(group()->alltoall_base(uneven_out, uneven_in, recv, send));
  for (int q = 0; q < n; ++q) {
    for (int k = 0; k <= rank(); ++k) {
      EXPECT_EQ(uneven_out[q * (rank() + 1) + k][0].item<float>(), q);
      EXPECT_EQ(uneven_out[q * (rank() + 1) + k][1].item<float>(), rank());
    }
  }
  // The list form: tensor j goes to rank j.
  std::vector<Tensor> ins, outs;
  for (int j = 0; j < n; ++j) {
    ins.push_back(torch::full({j + 1}, static_cast<double>(10 * rank() + j), torch::kDouble));
    outs.push_back(torch::empty({rank() + 1}, torch::kDouble));
  }
  wait_all(group()->alltoall(outs, ins));
  for (int q = 0; q < n; ++q) {
    EXPECT_TRUE(torch::equal(outs[q], torch::full({rank() + 1}, static_cast<double>(10 * q + rank()), torch::kDouble)));
  }
}

TEST(ProcessGroupMPI, SendRecvRingAndAnySource) {
  const int n = size(), next = (rank() + 1) % n, prev = (rank() + n - 1) % n;
  std::vector<Tensor> out{rank_values(rank(), 3, torch::kFloat)}, in{torch::zeros({3}, torch::kFloat)};
  auto s = group()->send(out, next, 7);
  auto r = group()->recv(in, prev, 7);
  wait_all(r);
  wait_all(s);
  EXPECT_TRUE(torch::equal(in[0], rank_values(prev, 3, torch::kFloat)));
  // Every rank but 0 sends its rank to rank 0, which learns the sender from sourceRank().
  if (rank() == 0) {
    std::vector<bool> seen(n, false);
    for (int k = 1; k < n; ++k) {
      std::vector<Tensor> msg{torch::zeros({1}, torch::kInt)};
      auto w = group()->recvAnysource(msg, 3);
      wait_all(w);
      EXPECT_EQ(w->sourceRank(), msg[0].item<int>());
      seen[w->sourceRank()] = true;
    }
    for (int k = 1; k < n; ++k) EXPECT_TRUE(seen[k]) << k;
  } else {
    std::vector<Tensor> msg{torch::full({1}, rank(), torch::kInt)};
    wait_all(group()->send(msg, 0, 3));
  }
  wait_all(group()->barrier());
}

TEST(ProcessGroupMPI, RecvOfTheWrongSizeIsAnError) {
  if (rank() == 0) {
    std::vector<Tensor> msg{torch::ones({5}, torch::kFloat)};
    wait_all(group()->send(msg, 1, 11));
    std::vector<Tensor> small{torch::ones({2}, torch::kFloat)};
    wait_all(group()->send(small, 1, 12));
  } else if (rank() == 1) {
    std::vector<Tensor> buf{torch::zeros({3}, torch::kFloat)};
    expect_error([&] { group()->recv(buf, 0, 11)->wait(); }, "is longer than the 3 elements");
    expect_error([&] { group()->recv(buf, 0, 12)->wait(); }, "expected 3 elements from rank 0 (tag 12), got 2");
  }
  wait_all(group()->barrier());
}

// A mismatch across ranks is an error on every rank, and the group still works afterwards.
TEST(ProcessGroupMPI, MismatchedSizesFailOnEveryRank) {
  std::vector<Tensor> t{torch::ones({rank() == 0 ? 4 : 6}, torch::kFloat)};
  expect_error([&] { group()->allreduce(t)->wait(); }, "allreduce: ranks disagree on the number of elements (rank 0: 4, rank 1: 6");
  EXPECT_TRUE(torch::equal(t[0], torch::ones({rank() == 0 ? 4 : 6}, torch::kFloat)));
  std::vector<Tensor> d{torch::ones({2}, rank() == 0 ? torch::kFloat : torch::kDouble)};
  expect_error([&] { group()->broadcast(d)->wait(); }, "broadcast: ranks disagree on the dtype (rank 0: float, rank 1: double");
  std::vector<Tensor> ok{torch::ones({3}, torch::kFloat)};
  wait_all(group()->allreduce(ok));
  EXPECT_TRUE(torch::equal(ok[0], torch::full({3}, static_cast<float>(size()))));
}

TEST(ProcessGroupMPI, DifferentCollectivesFailOnEveryRank) {
  std::vector<Tensor> t{torch::ones({2}, torch::kFloat)};
  auto work = rank() == 0 ? group()->allreduce(t) : group()->broadcast(t);
  expect_error([&] { work->wait(); }, "ranks disagree on the collective (rank 0: ALLREDUCE, rank 1: BROADCAST");
  c10d::BroadcastOptions b;
  b.rootRank = rank() == 0 ? 0 : 1;
  expect_error([&] { group()->broadcast(t, b)->wait(); }, "ranks disagree on the root rank");
  wait_all(group()->barrier());
}

TEST(ProcessGroupMPI, BadCallsThrowAtOnce) {
  std::vector<Tensor> two{torch::ones({1}), torch::ones({1})};
  expect_error([&] { group()->allreduce(two); }, "MPI process group does not support multi-GPU collectives");
  std::vector<Tensor> ints{torch::ones({2}, torch::kLong)}, floats{torch::ones({2})};
  c10d::AllreduceOptions avg;
  avg.reduceOp = c10d::ReduceOp::AVG;
  expect_error([&] { group()->allreduce(ints, avg); }, "ReduceOp AVG is not supported for long int tensors");
  c10d::AllreduceOptions band;
  band.reduceOp = c10d::ReduceOp::BAND;
  expect_error([&] { group()->allreduce(floats, band); }, "ReduceOp BAND is not supported for float tensors");
  c10d::BroadcastOptions far;
  far.rootRank = size();
  expect_error([&] { group()->broadcast(floats, far); }, "rootRank " + std::to_string(size()) + " is out of range");
  std::vector<Tensor> undefined{Tensor()};
  expect_error([&] { group()->allreduce(undefined); }, "the tensor is undefined");
  std::vector<std::vector<Tensor>> short_list{{torch::ones({2})}};
  expect_error([&] { group()->allgather(short_list, floats); }, "should equal the group size");
  expect_error([&] { group()->send(floats, -1, 0); }, "dstRank -1 is out of range");
  EXPECT_TRUE(torch::equal(floats[0], torch::ones({2})));
}

TEST(ProcessGroupMPI, WorkReportsCompletion) {
  std::vector<Tensor> t{torch::ones({8})};
  auto work = group()->allreduce(t);
  EXPECT_TRUE(work->wait());
  EXPECT_TRUE(work->isCompleted());
  EXPECT_TRUE(work->isSuccess());
  EXPECT_FALSE(work->exception());
  EXPECT_EQ(work->retrieveOpType(), c10d::OpType::ALLREDUCE);
  ASSERT_EQ(work->result().size(), 1u);
  EXPECT_TRUE(work->result()[0].is_same(t[0]));
  // The older spelling of the handle's type.
  c10::intrusive_ptr<c10d::ProcessGroup::Work> base = work;
  EXPECT_TRUE(base->isCompleted());
}

// A group of the ranks {0, 1} only: the others get a null pointer, as in LibTorch.
TEST(ProcessGroupMPI, SubgroupOfTwoRanks) {
  auto sub = c10d::ProcessGroupMPI::createProcessGroupMPI({1, 0});
  if (rank() > 1) {
    EXPECT_FALSE(sub);
    return;
  }
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->getSize(), 2);
  EXPECT_EQ(sub->getRank(), 1 - rank());  // MPI_Group_incl's order: world rank 1 is rank 0 here
  std::vector<Tensor> t{torch::full({1}, static_cast<double>(rank() + 1), torch::kDouble)};
  wait_all(sub->allreduce(t));
  EXPECT_EQ(t[0].item<double>(), 3.0);
  expect_error([&] { c10d::ProcessGroupMPI::createProcessGroupMPI({0, 0}); }, "rank 0 is listed twice");
}

// A call that fails its checks on one rank only: that rank gets its error at once, and the others,
// already in the collective, fail with that rank's reason within moments, not after the timeout
// (20 s here); the group stays usable.
TEST(ProcessGroupMPI, AnErrorOnOneRankFailsEveryRankAtOnce) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<Tensor> good{torch::ones({2})};
  if (rank() == 1) {
    std::vector<Tensor> two{torch::ones({1}), torch::ones({1})};
    expect_error([&] { group()->allreduce(two); }, "MPI process group does not support multi-GPU collectives");
  } else {
    expect_error([&] { group()->allreduce(good)->wait(); },
                 "ProcessGroupMPI allreduce on rank " + std::to_string(rank()) +
                     ": the call failed on another rank (rank 1: MPI process group does not support multi-GPU "
                     "collectives (allreduce got 2 tensors, expected 1))");
    EXPECT_TRUE(torch::equal(good[0], torch::ones({2})));
  }
  // Rank 0 alone names a root out of range in a broadcast; the other ranks' broadcast fails too.
  c10d::BroadcastOptions opts;
  opts.rootRank = rank() == 0 ? 99 : 0;
  if (rank() == 0) {
    expect_error([&] { group()->broadcast(good, opts); }, "rootRank 99 is out of range");
  } else {
    expect_error([&] { group()->broadcast(good, opts)->wait(); },
                 "the call failed on another rank (rank 0: ProcessGroupMPI broadcast: rootRank 99 is out of range");
  }
  // A bad argument on every rank: each gets its own error, and nothing is left pending.
  std::vector<Tensor> none{Tensor()};
  expect_error([&] { group()->allreduce(none); }, "the tensor is undefined");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  std::vector<Tensor> ok{torch::ones({3})};
  wait_all(group()->allreduce(ok));
  EXPECT_TRUE(torch::equal(ok[0], torch::full({3}, static_cast<float>(size()))));
}

// Run last (the group it times out on is unusable afterwards): rank 0 waits for a barrier that no
// other rank joins; its wait() ends with an error naming the collective and the rank.
TEST(ProcessGroupMPI, ZZTimeoutNamesTheCollectiveAndRank) {
  auto pg = c10d::ProcessGroupMPI::createProcessGroupMPI({}, std::chrono::milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  if (rank() == 0) {
    expect_error([&] { pg->barrier()->wait(); }, "barrier timed out after 300 ms on rank 0 of");
    const auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_LT(waited, std::chrono::seconds(5));
    std::vector<Tensor> t{torch::ones({1})};
    expect_error([&] { pg->allreduce(t)->wait(); }, "the process group is unusable: barrier timed out");
  }
  // Everyone meets on the healthy group once rank 0 has seen its error.
  wait_all(group()->barrier());
}

// Run last, like the test above. Rank 0's allreduce times out because the other ranks join only
// after it gave up. Its signature exchange stays posted on rank 0's buffers and the late ranks'
// messages still arrive there, so the group must keep what the collective touches (its tensor, its
// signature buffers) past the timeout; the late ranks then time out in turn.
TEST(ProcessGroupMPI, ZZTimedOutCollectiveKeepsWhatMpiMayStillWrite) {
  auto pg = c10d::ProcessGroupMPI::createProcessGroupMPI({}, std::chrono::milliseconds(300));
  const int64_t n = int64_t{1} << 16;  // 256 KB: the ring allreduce
  if (rank() == 0) {
    Tensor t = torch::ones({n});
    std::vector<Tensor> ts{t};
    expect_error([&] { pg->allreduce(ts)->wait(); }, "allreduce timed out after 300 ms on rank 0 of");
    ts.clear();
    EXPECT_GT(t.use_count(), 1u) << "the timed-out allreduce no longer holds its tensor";
  }
  wait_all(group()->barrier());
  if (rank() != 0) {
    std::vector<Tensor> late{torch::ones({n})};
    expect_error([&] { pg->allreduce(late)->wait(); }, "allreduce timed out after 300 ms on rank ");
  }
  // Rank 0 drives MPI's progress here, which completes its posted signature exchange.
  wait_all(group()->barrier());
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  group();
  return RUN_ALL_TESTS();
}
