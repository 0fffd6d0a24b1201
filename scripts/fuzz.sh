#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang, ASan+UBSan, build-fuzz/) and runs each for a
# bounded time on a scratch copy of its seed corpus (fuzz/corpus/<target>/). Exits non-zero when
# a target crashes, leaks, hits UB or times out; the input that did it is kept in
# build-fuzz/artifacts/<target>/ (add it to fuzz/corpus/<target>/ with the fix, as a regression
# case). Runs one target per core at a time. Ends with one line per target and
# "fuzz: N targets, ... OK|FAILED".
#   scripts/fuzz.sh                 # 20 s per target (what CI runs)
#   FUZZ_SECONDS=3600 scripts/fuzz.sh fuzz_auth    # a long run of one target
#   FUZZ_MERGE=1 scripts/fuzz.sh    # also merge what the run found into fuzz/corpus/
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SECONDS_EACH="${FUZZ_SECONDS:-20}"
JOBS="$(nproc 2>/dev/null || echo 2)"
OUT="$ROOT/build-fuzz"

mkdir -p "$OUT"
if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz: clang++ is missing (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
if ! cmake -G Ninja -S "$ROOT" -B "$OUT" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DCAIRN_FUZZ=ON -DCAIRN_TESTS=OFF \
  -DCAIRN_BENCH=OFF -DCAIRN_UNITY=OFF >"$OUT/cmake.log" 2>&1; then
  cat "$OUT/cmake.log"
  echo "fuzz: configure FAILED"
  exit 1
fi
if ! nice ninja -C "$OUT" -j"$JOBS" fuzz; then
  echo "fuzz: build FAILED"
  exit 1
fi

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  mapfile -t targets < <(cd fuzz && ls fuzz_*.cc | sed 's/\.cc$//')
fi
# One target per core at a time (each libFuzzer run is one process on one core).
run_target() {
  local t="$1"
  local work="$OUT/work/$t" artifacts="$OUT/artifacts/$t"
  rm -rf "$work"
  mkdir -p "$work" "$artifacts"
  cp -r "fuzz/corpus/$t/." "$work/" 2>/dev/null || true
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: one using 2 GiB, a leak or
  # an unbounded allocation.
  ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    "$OUT/fuzz/$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/" "$work" \
    >"$OUT/$t.log" 2>&1
  echo $? >"$OUT/$t.rc"
}
running=0
for t in "${targets[@]}"; do
  echo "==== $t: ${SECONDS_EACH}s"
  run_target "$t" &
  running=$((running + 1))
  if [[ $running -ge $JOBS ]]; then
    wait -n
    running=$((running - 1))
  fi
done
wait
failed=0
lines=()
for t in "${targets[@]}"; do
  rc="$(cat "$OUT/$t.rc" 2>/dev/null || echo 1)"
  runs="$(grep -oE '^Done [0-9]+ runs' "$OUT/$t.log" | grep -oE '[0-9]+' | tail -1)"
  cov="$(grep -oE 'cov: [0-9]+' "$OUT/$t.log" | tail -1)"
  if [[ $rc -ne 0 ]]; then
    failed=1
    grep -E 'ERROR|SUMMARY|runtime error|==[0-9]+==' "$OUT/$t.log" | head -20
    lines+=("$t: FAILED (exit $rc; input in build-fuzz/artifacts/$t/, log build-fuzz/$t.log)")
  else
    lines+=("$t: OK, ${runs:-?} runs, ${cov:-cov: ?}")
  fi
  if [[ "${FUZZ_MERGE:-0}" == 1 ]]; then
    "$OUT/fuzz/$t" -merge=1 -max_len=65536 "fuzz/corpus/$t" "$OUT/work/$t" >/dev/null 2>&1
  fi
done
for line in "${lines[@]}"; do
  echo "$line"
done
if [[ $failed -ne 0 ]]; then
  echo "fuzz: ${#targets[@]} targets, ${SECONDS_EACH}s each: FAILED"
else
  echo "fuzz: ${#targets[@]} targets, ${SECONDS_EACH}s each: OK"
fi
exit $failed
