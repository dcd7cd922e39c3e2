#!/usr/bin/env bash
# Builds scalar_autograd.cpp against ember (build/libember.a) and against Debian's LibTorch 1.13
# (libtorch-dev), runs both one after the other with one thread, and prints the ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
g++ -std=c++20 -O2 -Icompat -Iinclude bench/vs_libtorch/scalar_autograd.cpp build/libember.a \
  /usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so -fopenmp -o "$out/ember"
g++ -std=c++17 -O2 -I/usr/include/torch/csrc/api/include bench/vs_libtorch/scalar_autograd.cpp \
  -o "$out/libtorch" -ltorch -ltorch_cpu -lc10
"$out/ember" > "$out/ember.txt"
"$out/libtorch" > "$out/libtorch.txt"
paste "$out/ember.txt" "$out/libtorch.txt" | awk -F'\t' '{
  n = split($1, a, " "); split($2, b, " ");
  label = a[1]; for (i = 2; i < n - 1; i++) label = label " " a[i];
  printf "%-30s ember %7.3f us   libtorch %7.3f us   libtorch/ember %5.1fx\n", label, a[n-1], b[n-1], b[n-1] / a[n-1] }'
