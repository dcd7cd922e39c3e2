#!/usr/bin/env bash
# ember against LibTorch 1.13, side by side. Builds each bench/vs_libtorch/*.cpp twice, against ember
# (build/libember.a, its torch/torch.h from compat/) and against Debian's LibTorch (libtorch-dev), runs
# the two one after the other at each thread count (the same count for both: torch::set_num_threads,
# which in ember also sets BLAS's), and prints both figures and the ratio, one table per thread count.
# Then the build cost of a 4-line program against torch/torch.h: compile time, compile memory, and
# the size of what it links; SGEMM's share of one core's FMA peak, measured by fma_peak.c; the MLP
# at batch 1 against the memory passes of its step alone, measured by mlp_floor.c; and the
# memory-bound single ops against plain C loops over the same arrays, measured by memory_floor.c.
#
# Usage: bench/vs_libtorch/run.sh [--short] [--markdown] [--threads "1 2"] [--install-libtorch] [--ember-only]
#   --short             1 round, 1 repetition and a tenth of the calls (BENCH_REPS=1 BENCH_SHORT=1), the
#                       epoch cut to 50 batches: shows that everything builds and runs, figures are rough
#   --markdown          rows for docs/PERFORMANCE.md instead of the text tables
#   --threads LIST      thread counts to run (default "1 2")
#   --install-libtorch  install libtorch-dev first (scripts/setup.sh --libtorch; needs root or sudo)
#   --ember-only        leave LibTorch out even where it is installed
# Without LibTorch installed, ember's figures are printed alone.
# Environment: BUILD_DIR (default build), DATA (the Fashion-MNIST folder, default
# /usr/share/datasets/fashion-mnist), BENCH_JOBS (parallel compiles, default 2), BENCH_ROUNDS (runs
# of every program, the best figure kept; default 3), BENCH_REPS, BENCH_CPU_TIME (see best_us.h).
#
# Each output line of a bench program is `label  <number> <unit>`; the two programs print the same
# labels in the same order. The ratio column is always LibTorch's cost over ember's, so above 1 means
# ember is better: time and memory are divided LibTorch / ember, throughput (GFLOP/s) ember / LibTorch.
set -euo pipefail
cd "$(dirname "$0")/../.."

short=0 markdown=0 install=0 ember_only=0 threads="1 2"
while [ $# -gt 0 ]; do
  case "$1" in
    --short) short=1 ;;
    --markdown) markdown=1 ;;
    --install-libtorch) install=1 ;;
    --ember-only) ember_only=1 ;;
    --threads) threads=${2:?--threads needs a list}; shift ;;
    *) echo "run.sh: unknown argument '$1'" >&2; sed -n '11,18p' "$0" >&2; exit 2 ;;
  esac
  shift
done
rounds=${BENCH_ROUNDS:-3}
if [ "$short" -eq 1 ]; then
  export BENCH_SHORT=1 BENCH_REPS=1
  rounds=1
fi

build=${BUILD_DIR:-build}
data=${DATA:-/usr/share/datasets/fashion-mnist}
[ -f "$build/libember.a" ] || { echo "run.sh: $build/libember.a not found; build ember first (scripts/build.sh)" >&2; exit 1; }
if [ "$install" -eq 1 ]; then scripts/setup.sh --libtorch; fi

torch_inc=/usr/include/torch/csrc/api/include
have_torch=0
if [ "$ember_only" -eq 1 ]; then
  :
elif [ -f "$torch_inc/torch/torch.h" ] && g++ -print-file-name=libtorch_cpu.so | grep -q /; then
  have_torch=1
else
  echo "run.sh: LibTorch 1.13 (libtorch-dev) is not installed: ember's figures only" \
       "(--install-libtorch installs it)" >&2
fi

ember_flags=(-std=c++20 -O2 -Icompat -Iinclude)
ember_libs=("$build/libember.a" -lhwy -lzip -lz)
torch_flags=(-std=c++17 -O2 -I"$torch_inc")
torch_libs=(-ltorch -ltorch_cpu -lc10)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin="$build/vs_libtorch"
mkdir -p "$bin"

# Builds $bin/NAME.{ember,libtorch} unless they are newer than their inputs.
compile() {
  local src=$1 name
  name=$(basename "$src" .cpp)
  if [ ! "$bin/$name.ember" -nt "$src" ] || [ "bench/vs_libtorch/best_us.h" -nt "$bin/$name.ember" ] ||
     [ "bench/vs_libtorch/net.h" -nt "$bin/$name.ember" ] ||
     [ "$build/libember.a" -nt "$bin/$name.ember" ]; then
    rm -f "$bin/$name.ember"
    g++ "${ember_flags[@]}" "$src" "${ember_libs[@]}" -o "$bin/$name.ember" || return 1
  fi
  if [ "$have_torch" -eq 1 ] && { [ ! "$bin/$name.libtorch" -nt "$src" ] ||
                                  [ "bench/vs_libtorch/best_us.h" -nt "$bin/$name.libtorch" ] ||
                                  [ "bench/vs_libtorch/net.h" -nt "$bin/$name.libtorch" ]; }; then
    rm -f "$bin/$name.libtorch"
    g++ "${torch_flags[@]}" "$src" -o "$bin/$name.libtorch" "${torch_libs[@]}" || return 1
  fi
}

# LibTorch's MNIST reads only uncompressed IDX files; ember reads both.
torch_data=$data
if [ "$have_torch" -eq 1 ] && ls "$data"/*.gz >/dev/null 2>&1; then
  torch_data="$work/fashion-mnist"
  mkdir -p "$torch_data"
  for f in "$data"/*.gz; do gzip -dc "$f" >"$torch_data/$(basename "$f" .gz)"; done
fi

# One row per pair of lines: label, threads, ember number, LibTorch number (or -), unit.
rows="$work/rows.tsv"
: >"$rows"
status=0
# In the issue's order (tiny ops, MLP, CNN, SGEMM, single ops, epoch), then any other source.
sources=()
for name in scalar_autograd training_step cnn sgemm elementwise mnist_epoch; do
  sources+=("bench/vs_libtorch/$name.cpp")
done
for src in bench/vs_libtorch/*.cpp; do
  case " ${sources[*]} " in *" $src "*) ;; *) sources+=("$src") ;; esac
done
# Two compiles at a time (BENCH_JOBS): a LibTorch one takes about 1.1 GB.
jobs=${BENCH_JOBS:-2}
pids=()
for src in "${sources[@]}"; do
  { compile "$src" || { echo "run.sh: building $src failed" >&2; exit 1; }; } &
  pids+=($!)
  if [ "${#pids[@]}" -ge "$jobs" ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
# Rounds (BENCH_ROUNDS, default 3; 1 with --short): every program pair runs once a round, ember then
# LibTorch, and each figure is the best of its rounds (the least time or memory, the most GFLOP/s),
# as best_us.h takes the best of its repetitions within a run: on a shared machine a neighbour's
# burst then spoils a round, not the figure, for either library.
measured="$work/measured"
: >"$measured"
for round in $(seq "$rounds"); do
for t in $threads; do
  for src in "${sources[@]}"; do
    name=$(basename "$src" .cpp)
    [ -x "$bin/$name.ember" ] || continue
    args=("$t")
    [ "$name" = mnist_epoch ] && args+=("$data")
    if ! "$bin/$name.ember" "${args[@]}" >"$work/ember.txt" 2>"$work/ember.err"; then
      cat "$work/ember.err" >&2
      echo "run.sh: $name (ember, $t threads) failed" >&2
      status=1
      continue
    fi
    : >"$work/libtorch.txt"
    if [ "$have_torch" -eq 1 ] && [ -x "$bin/$name.libtorch" ]; then
      [ "$name" = mnist_epoch ] && args=("$t" "$torch_data")
      if ! "$bin/$name.libtorch" "${args[@]}" >"$work/libtorch.txt" 2>"$work/libtorch.err"; then
        cat "$work/libtorch.err" >&2
        echo "run.sh: $name (LibTorch, $t threads) failed" >&2
        status=1
        : >"$work/libtorch.txt"
      fi
    fi
    awk -v t="$t" 'FILENAME == ARGV[1] { n = split($0, a, " "); lib[FNR] = n >= 2 ? a[n - 1] : "-"; next }
      { n = split($0, a, " "); label = a[1]; for (i = 2; i < n - 1; i++) label = label " " a[i];
        printf "%s\t%s\t%s\t%s\t%s\n", label, t, a[n - 1], (FNR in lib) ? lib[FNR] : "-", a[n] }' \
      "$work/libtorch.txt" "$work/ember.txt" >>"$measured"
  done
done
done
awk -F'\t' -v OFS='\t' '
  function better(a, b, unit) {  # the better of two figures of one row, "-" when neither exists
    if (a == "-") return b
    if (b == "-") return a
    return (unit == "GFLOP/s") == (b + 0 > a + 0) ? b : a
  }
  { key = $1 SUBSEP $2
    if (!(key in e)) { order[++n] = key; label[key] = $1; t[key] = $2; unit[key] = $5; e[key] = $3; l[key] = $4; next }
    e[key] = better(e[key], $3, $5); l[key] = better(l[key], $4, $5) }
  END { for (i = 1; i <= n; ++i) { k = order[i]; print label[k], t[k], e[k], l[k], unit[k] } }' "$measured" >>"$rows"

# Build cost: compile and link a 4-line program with each library's headers, the same flags for both.
# Peak memory is the largest process's (cc1plus). Linked size: the executable plus every shared
# library it loads, except those any C++ program loads (libc, libm, libstdc++, libgcc_s, the loader).
cat >"$work/small.cpp" <<'EOF'
#include <torch/torch.h>
int main() {
  auto t = torch::ones({2, 2}) * 2;
  std::cout << t.sum().item<float>() << "\n";
}
EOF
measure() {  # prints "seconds KiB" for the command
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/cc.err" || { cat "$work/cc.err" >&2; return 1; }
    tail -1 "$work/time.txt"
  else
    python3 - "$@" <<'EOF'
import resource, subprocess, sys, time
t0 = time.monotonic()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(f"{time.monotonic() - t0:.2f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
EOF
  fi
}
linked_mib() {  # the executable plus its non-base shared libraries, MiB; lists them on fd 3
  local exe=$1 total lib
  total=$(stat -L -c %s "$exe")
  echo "executable $((total / 1024))" >&3
  while read -r lib; do
    case "$(basename "$lib")" in
      libc.so*|libm.so*|libstdc++.so*|libgcc_s.so*|ld-linux*|libpthread.so*|libdl.so*|librt.so*) continue ;;
    esac
    total=$((total + $(stat -L -c %s "$lib")))
    echo "$(basename "$lib") $(($(stat -L -c %s "$lib") / 1024))" >&3
  done < <(ldd "$exe" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }')
  awk -v b="$total" 'BEGIN { printf "%.1f\n", b / 1048576 }'
}
build_cost() {  # name compile-args... -- link-args...
  local name=$1 secs kib
  shift
  local cflags=() lflags=()
  while [ "$1" != "--" ]; do cflags+=("$1"); shift; done
  shift
  lflags=("$@")
  read -r secs kib < <(measure g++ -std=c++17 -O2 "${cflags[@]}" "$work/small.cpp" -o "$work/small.$name" "${lflags[@]}")
  echo "$secs $((kib / 1024)) $(linked_mib "$work/small.$name" 3>"$work/libs.$name")"
}
if read -r e_s e_m e_l < <(build_cost ember -Icompat -Iinclude -- "${ember_libs[@]}"); then
  t_s=- t_m=- t_l=-
  if [ "$have_torch" -eq 1 ]; then
    read -r t_s t_m t_l < <(build_cost libtorch -I"$torch_inc" -- "${torch_libs[@]}") || status=1
  fi
  {
    printf "4-line program compile+link time\t-\t%s\t%s\ts\n" "$e_s" "$t_s"
    printf "4-line program compile peak memory\t-\t%s\t%s\tMiB\n" "$e_m" "$t_m"
    printf "executable + linked libraries\t-\t%s\t%s\tMiB\n" "$e_l" "$t_l"
  } >>"$rows"
else
  echo "run.sh: the build-cost program did not build against ember" >&2
  status=1
fi

# Tables. Numbers are shown as measured for the text tables, scaled to readable units for markdown.
awk -F'\t' -v md="$markdown" -v have_torch="$have_torch" '
  function ratio(e, l, unit) {
    if (l == "-" || e + 0 == 0 || l + 0 == 0) return "-"
    return sprintf("%.2fx", unit == "GFLOP/s" ? e / l : l / e)
  }
  function nice(v, unit,   s) {
    if (v == "-") return "-"
    if (unit == "us" && v >= 1000) { v /= 1000; unit = "ms" }
    if (unit == "ms" && v >= 1000) { v /= 1000; unit = "s" }
    if (unit == "us") unit = "µs"
    s = v >= 100 ? sprintf("%.0f", v) : v >= 10 ? sprintf("%.1f", v) : v >= 1 ? sprintf("%.2f", v) : sprintf("%.3f", v)
    return s " " unit
  }
  {
    key = $2
    if (md) {  # one row per workload, the thread counts side by side; build cost in a table of its own
      if (!($1 in seen)) { seen[$1] = 1; order[++nlabels] = $1; unit[$1] = $5; is_build[$1] = key == "-" }
      if (key != "-" && !(key in tseen)) { tseen[key] = 1; tcount[++nthreads] = key }
      cell[$1, key] = nice($3, $5) " | " nice($4, $5) " | " ratio($3, $4, $5)
      next
    }
    if (key != last) {
      printf "\n== %s ==\n", key == "-" ? "build cost (one thread, g++ -std=c++17 -O2)" : key " thread" (key == 1 ? "" : "s")
      printf "%-44s %14s %14s %16s\n", "workload", "ember", (have_torch ? "LibTorch" : "LibTorch (n/a)"), "LibTorch/ember"
      last = key
    }
    printf "%-44s %14s %14s %16s\n", $1, $3 " " $5, ($4 == "-" ? "-" : $4 " " $5), ratio($3, $4, $5)
  }
  END {
    if (!md) exit
    line = "| workload |"; rule = "| --- |"
    for (j = 1; j <= nthreads; ++j) {
      t = tcount[j] == 1 ? "1 thread" : tcount[j] " threads"
      line = line " ember, " t " | LibTorch, " t " | LibTorch / ember, " t " |"
      rule = rule " --- | --- | --- |"
    }
    print line; print rule
    for (i = 1; i <= nlabels; ++i) {
      if (is_build[order[i]]) continue
      line = "| " order[i] " |"
      for (j = 1; j <= nthreads; ++j)
        line = line " " ((order[i], tcount[j]) in cell ? cell[order[i], tcount[j]] : "- | - | -") " |"
      print line
    }
    print ""
    print "| build cost (g++ -std=c++17 -O2) | ember | LibTorch 1.13 | LibTorch / ember |"
    print "| --- | --- | --- | --- |"
    for (i = 1; i <= nlabels; ++i)
      if (is_build[order[i]]) print "| " order[i] " | " cell[order[i], "-"] " |"
  }' "$rows"
# What the 4-line programs link, one line each.
echo
# SGEMM against one core's measured FMA peak (fma_peak.c).
if gcc -O2 -march=native -ffp-contract=fast bench/vs_libtorch/fma_peak.c -o "$work/fma_peak" 2>"$work/fma.err" &&
   peak=$("$work/fma_peak" 2>"$work/fma.txt"); then
  awk -F'\t' -v peak="$peak" -v width="$(sed -n 's/.*, \([0-9]*\)-bit vectors.*/\1/p' "$work/fma.txt")" '
    $1 ~ /^SGEMM [0-9]+ throughput$/ && $2 == 1 {
      n = split($1, w, " "); size = w[2]
      line = line sprintf("%s SGEMM %s at 1 thread: ember %.0f%%", (line == "" ? "" : ";"), size, 100 * $3 / peak)
      if ($4 != "-") line = line sprintf(", LibTorch %.0f%%", 100 * $4 / peak)
    }
    END { printf "One core'"'"'s FMA peak (fma_peak.c, %s-bit vectors): %.0f GFLOP/s.%s%s\n", width, peak, line,
          (line == "" ? "" : ".") }' "$rows"
else
  echo "run.sh: fma_peak.c did not build or run" >&2
fi
# The floors below run once a round too, and the best round counts, as for the libraries.
# The MLP at batch 1 against the memory passes of its step alone (mlp_floor.c): the round with the
# least sum, and its parts.
best_floor() {
  local best="" now
  for _ in $(seq "$rounds"); do
    now=$("$work/mlp_floor" 2>"$work/floor.now") || return 1
    if [ -z "$best" ] || awk -v a="$now" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best=$now
      cp "$work/floor.now" "$work/floor.txt"
    fi
  done
  echo "$best"
}
if gcc -O3 -march=native bench/vs_libtorch/mlp_floor.c -o "$work/mlp_floor" 2>"$work/floor.err" &&
   floor=$(best_floor); then
  awk -F'\t' -v floor="$floor" -v parts="$(cat "$work/floor.txt")" '
    $1 == "MLP 784-256-128-10 batch 1 SGD step" && $2 == 1 && $5 == "us" {
      printf "MLP batch 1 at 1 thread: the memory passes of its step alone take %.1f µs (mlp_floor.c: %s); ember takes %.2fx that", floor, parts, $3 / floor
      if ($4 != "-") printf ", LibTorch %.2fx: no library making these passes can be more than %.2fx faster than LibTorch here", $4 / floor, $4 / floor
      printf ".\n"
    }' "$rows"
else
  echo "run.sh: mlp_floor.c did not build or run" >&2
fi
# The memory-bound single ops against plain C loops (memory_floor.c).
memory_floor_rounds() {  # every round's lines; each op's least time counts
  : >"$work/memfloor.txt"
  for _ in $(seq "$rounds"); do "$work/memory_floor" >>"$work/memfloor.txt" || return 1; done
}
if gcc -O3 -march=native -mprefer-vector-width=512 bench/vs_libtorch/memory_floor.c -o "$work/memory_floor" \
     2>"$work/memfloor.err" && memory_floor_rounds; then
  awk -F'\t' 'FILENAME == ARGV[1] { if (!($1 in loop) || $2 + 0 < loop[$1] + 0) loop[$1] = $2; next }
    ($1 in loop) && $2 == 1 && $5 == "us" {
      line = line sprintf("%s%s %.0f µs: ember %.2fx", sep, $1, loop[$1], $3 / loop[$1])
      if ($4 != "-") line = line sprintf(", LibTorch %.2fx", $4 / loop[$1])
      sep = "; "
    }
    END { if (line != "") printf "Memory-bound rows at 1 thread, time over that of a plain C loop reading and writing the same arrays (memory_floor.c): %s.\n", line }' \
    "$work/memfloor.txt" "$rows"
else
  echo "run.sh: memory_floor.c did not build or run" >&2
fi
if [ -s "$work/libs.ember" ]; then
  echo "Linked against ember (beyond libc, libm, libstdc++, libgcc_s): $(awk '{ printf "%s%s %.1f MiB", (NR > 1 ? ", " : ""), $1, $2 / 1024 }' "$work/libs.ember")."
fi
if [ "$have_torch" -eq 1 ] && [ -s "$work/libs.libtorch" ]; then
  echo "Against LibTorch: $(head -1 "$work/libs.libtorch" | awk '{ printf "the executable %.1f MiB", $2 / 1024 }'), $(($(wc -l <"$work/libs.libtorch") - 1)) libraries, the largest $(grep -v '^executable ' "$work/libs.libtorch" | sort -k2 -n -r |
    head -5 | awk '{ printf "%s%s %.1f MiB", (NR > 1 ? ", " : ""), $1, $2 / 1024 }')."
fi
exit "$status"
