#!/usr/bin/env bash
# Times the Fashion-MNIST trainer (build/examples/fashion_mnist, built by scripts/build.sh) with the
# MLP and the CNN on 2 threads and prints, for each, the wall seconds, the final test accuracy and the
# peak RSS, as the trainer reports them in its summary.
# Usage: scripts/bench_trainer.sh [MLP_EPOCHS [CNN_EPOCHS]]   (defaults 3 and 3; 0 skips that model)
# DATA=dir picks the data folder (default: the trainer's, Debian's dataset-fashion-mnist).
set -euo pipefail
cd "$(dirname "$0")/.."
mlp_epochs=${1:-3}
cnn_epochs=${2:-3}
for e in "$mlp_epochs" "$cnn_epochs"; do
  [[ "$e" =~ ^[0-9]+$ ]] || { echo "bench_trainer: epochs must be whole numbers, got '$e'" >&2; exit 2; }
done
bin=build/examples/fashion_mnist
[ -x "$bin" ] || { echo "bench_trainer: $bin not found; build first (scripts/build.sh)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf "%-5s %6s %9s %13s %15s\n" model epochs "wall (s)" "test acc (%)" "peak RSS (MiB)"
for run in "mlp $mlp_epochs" "cnn $cnn_epochs"; do
  read -r model epochs <<<"$run"
  [ "$epochs" -eq 0 ] && continue
  log="$work/$model.log"
  if ! "$bin" --model "$model" --epochs "$epochs" --threads 2 --out "$work/$model" ${DATA:+--data "$DATA"} \
       >"$log" 2>&1; then
    tail -20 "$log" >&2
    echo "bench_trainer: the $model run failed" >&2
    exit 1
  fi
  accuracy=$(sed -n 's/^test accuracy \([0-9.]*\)%$/\1/p' "$log" | tail -1)
  summary=$(sed -n 's/^wall time \([0-9.]*\) s, peak RSS \([0-9.]*\) MiB$/\1 \2/p' "$log" | tail -1)
  if [ -z "$accuracy" ] || [ -z "$summary" ]; then
    tail -20 "$log" >&2
    echo "bench_trainer: no summary in the $model run's output" >&2
    exit 1
  fi
  read -r wall peak <<<"$summary"
  printf "%-5s %6d %9s %13s %15s\n" "$model" "$epochs" "$wall" "$accuracy" "$peak"
done
