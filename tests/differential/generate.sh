#!/usr/bin/env bash
# Rebuilds expected.json by compiling generate.cpp against Debian's LibTorch 1.13 (apt-get install
# libtorch-dev; about a minute and 1.5 GB to compile). CI never runs this. Usage: generate.sh [ROUNDS] (calls per variant, 120 by default)
set -euo pipefail
cd "$(dirname "$0")"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
g++ -std=c++17 -O1 -I/usr/include/torch/csrc/api/include generate.cpp -o "$out/generate" \
  -ltorch -ltorch_cpu -lc10
"$out/generate" "${1:-120}" > "$out/expected.json"
mv "$out/expected.json" expected.json
