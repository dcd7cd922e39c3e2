#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang (ASan + UBSan) in build-fuzz/ and runs each for
# ${FUZZ_SECONDS:-60} seconds from a copy of its committed seed corpus. Usage: fuzz/run.sh [name...]
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DEMBER_BUILD_FUZZERS=ON -DEMBER_BUILD_TESTS=OFF -DEMBER_BUILD_EXAMPLES=OFF -DEMBER_WERROR=ON >/dev/null
names=("$@")
[ ${#names[@]} -eq 0 ] && names=(serialize_pt serialize_pickle serialize_safetensors data_idx)
declare -A corpus=([serialize_pt]=pt [serialize_pickle]=pickle [serialize_safetensors]=safetensors [data_idx]=idx)
for n in "${names[@]}"; do cmake --build build-fuzz --target "fuzz_$n" -j "$(nproc)"; done
for n in "${names[@]}"; do
  work=$(mktemp -d)
  cp fuzz/corpus/"${corpus[$n]}"/* "$work"/
  echo "== fuzz_$n for ${FUZZ_SECONDS:-60} s"
  # A crash, leak, hang (10 s per input) or 2 GB of memory fails the run; the input that did it
  # is kept as build-fuzz/artifacts/fuzz_<name>-{crash,leak,timeout,oom}-*.
  mkdir -p build-fuzz/artifacts
  if ! build-fuzz/fuzz/"fuzz_$n" -max_total_time="${FUZZ_SECONDS:-60}" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="build-fuzz/artifacts/fuzz_$n-" \
       -print_final_stats=1 "$work" >"$work.log" 2>&1; then
    tail -60 "$work.log"
    exit 1
  fi
  grep -E "stat::(number_of_executed_units|new_units_added|peak_rss_mb)" "$work.log"
  rm -rf "$work" "$work.log"
done
