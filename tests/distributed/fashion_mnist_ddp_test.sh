#!/usr/bin/env bash
# fashion_mnist_ddp under mpirun on a few hundred images (run by ctest as fashion_mnist_ddp):
#  1. two ranks train two epochs; rank 0 prints progress and the result and writes its files;
#  2. rank 1 exits in the middle of epoch 2: the job ends non-zero, well before any timeout, and
#     epoch 1's checkpoint resumes (in one process);
#  3. rank 1 hangs in the middle of epoch 2: rank 0's collective times out after --timeout seconds,
#     it says which collective and rank, and every rank ends non-zero; the checkpoint resumes.
# Usage: fashion_mnist_ddp_test.sh MPIEXEC EXAMPLE
set -u
mpiexec=$1
example=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
common=(--limit 256 --batch-size 64 --threads 1 --seed 3)
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# $1: log; the rest: the command. Sets rc and seconds.
run() {
  local log=$1
  shift
  local start=$SECONDS
  "$@" >"$log" 2>&1
  rc=$?
  seconds=$((SECONDS - start))
  echo "--- $* (exit $rc, ${seconds}s)"
  cat "$log"
}

resumes() {  # $1: out folder
  run "$work/resume.log" "$mpiexec" -np 1 "$example" "${common[@]}" --out "$1" --epochs 1 --resume
  [[ $rc == 0 ]] || fail "resuming from $1 exited with $rc"
  grep -q "resuming from $1/checkpoint.pt after epoch 1" "$work/resume.log" || fail "no resume line"
  grep -q "test accuracy" "$work/resume.log" || fail "the resumed run did not evaluate"
}

# 1. A normal run.
run "$work/ok.log" "$mpiexec" -np 2 "$example" "${common[@]}" --out "$work/ok" --epochs 2 --timeout 60
[[ $rc == 0 ]] || fail "the normal run exited with $rc"
grep -q "cnn model, adam lr 0.004, batch 64 (32 per rank), 2 ranks, 256 training and 256 test images" "$work/ok.log" ||
  fail "no header line"
# A line per tenth of the epoch, or one redrawn line when mpirun gives the ranks a terminal.
grep -Eq "epoch 2/2 (batch |\\[=+\\] )4/4 loss" "$work/ok.log" || fail "no progress line"
grep -Eq "^epoch 2/2  train loss [0-9.]+  test loss [0-9.]+  test accuracy [0-9.]+%" "$work/ok.log" ||
  fail "no epoch summary"
grep -q "^test accuracy" "$work/ok.log" || fail "no final accuracy"
[[ $(grep -c "^epoch 2/2  train loss" "$work/ok.log") == 1 ]] || fail "a rank other than 0 printed"
[[ $(wc -l <"$work/ok/metrics.csv") == 3 ]] || fail "metrics.csv does not have two epochs"
[[ -s "$work/ok/checkpoint.pt" && -s "$work/ok/curves.svg" ]] || fail "no checkpoint or curves"

# 2. Rank 1 exits mid-epoch: mpirun ends the job at once.
run "$work/exit.log" "$mpiexec" -np 2 "$example" "${common[@]}" --out "$work/exit" --epochs 2 --timeout 20 \
  --fault-rank 1 --fault-epoch 2 --fault-batch 2 --fault-mode exit
[[ $rc != 0 ]] || fail "the job survived a rank's exit"
grep -q "rank 1: simulated fault (exit) at epoch 2 batch 2" "$work/exit.log" || fail "the fault did not happen"
((seconds < 20)) || fail "the job took ${seconds}s to end after a rank exited (timeout 20s)"
resumes "$work/exit"

# 3. Rank 1 hangs mid-epoch: rank 0 times out after 3 s, names the collective, and ends the job.
run "$work/hang.log" "$mpiexec" -np 2 "$example" "${common[@]}" --out "$work/hang" --epochs 2 --timeout 3 \
  --fault-rank 1 --fault-epoch 2 --fault-batch 2 --fault-mode hang
[[ $rc != 0 ]] || fail "the job survived a hung rank"
grep -q "fashion_mnist_ddp: rank 0: .*ProcessGroupMPI [a-z_]* timed out after 3000 ms on rank 0 of 2" "$work/hang.log" ||
  fail "rank 0 did not report the timeout"
((seconds < 30)) || fail "the job took ${seconds}s to end (timeout 3s)"
resumes "$work/hang"

if ((failures)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
