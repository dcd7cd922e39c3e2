#!/usr/bin/env bash
# Rebuilds expected.txt by compiling libtorch_program.cpp against Debian's LibTorch 1.13
# (apt-get install libtorch-dev; takes about half a minute and 1 GB). CI never runs this.
set -euo pipefail
cd "$(dirname "$0")"
out=$(mktemp -d)
g++ -std=c++17 -O1 -I/usr/include/torch/csrc/api/include libtorch_program.cpp -o "$out/program" \
  -ltorch -ltorch_cpu -lc10
"$out/program" > expected.txt
rm -rf "$out"
