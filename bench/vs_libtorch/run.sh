#!/usr/bin/env bash
# Builds each bench/vs_libtorch/*.cpp against ember (build/libember.a) and against Debian's
# LibTorch 1.13 (libtorch-dev), runs both one after the other with one thread, and prints the ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for src in bench/vs_libtorch/*.cpp; do
  name=$(basename "$src" .cpp)
  g++ -std=c++20 -O2 -Icompat -Iinclude "$src" build/libember.a \
    /usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so -lhwy -lzip -lz -fopenmp -o "$out/$name.ember"
  g++ -std=c++17 -O2 -I/usr/include/torch/csrc/api/include "$src" -o "$out/$name.libtorch" \
    -ltorch -ltorch_cpu -lc10
  "$out/$name.ember" > "$out/ember.txt"
  "$out/$name.libtorch" > "$out/libtorch.txt"
  paste "$out/ember.txt" "$out/libtorch.txt" | awk -F'\t' '{
    n = split($1, a, " "); split($2, b, " ");
    label = a[1]; for (i = 2; i < n - 1; i++) label = label " " a[i];
    printf "%-34s ember %9.3f us   libtorch %9.3f us   libtorch/ember %5.2fx\n", label, a[n-1], b[n-1], b[n-1] / a[n-1] }'
done
