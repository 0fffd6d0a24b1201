#!/usr/bin/env bash
# Runs every check cairn has, in the order CI runs them:
#   1. clang-format --dry-run --Werror over src/ tests/ bench/ fuzz/, the module layering
#      (scripts/check-layering.py) and GCC 12's co_await rule (scripts/check-coawait.py)
#   2. build (RelWithDebInfo, build/) and the unit tests (ctest)
#   3. the README's first command: scripts/run.sh builds Release (build-release/) and serves;
#      an AWS CLI PUT, listing and GET against it (scripts/quickstart-check.sh)
#   4. build with ASan+UBSan (build-asan/) and the unit tests again (ctest)
#   5. the fuzz targets, 20 s each (scripts/fuzz.sh: clang, libFuzzer, build-fuzz/)
#   6. the integration tests against build/cairn (pytest, Debian's /usr/bin/python3)
# Ends with each runner's summary line, pytest's last; exits non-zero when anything failed.
# Environment: CAIRN_SLOW=1 also runs tests marked/labelled slow; CAIRN_SKIP_QUICKSTART=1 skips
# step 3; CAIRN_SKIP_ASAN=1 skips step 4; CAIRN_SKIP_FUZZ=1 skips step 5 (FUZZ_SECONDS sets its
# time per target);
# PYTEST_ARGS adds arguments to pytest (e.g. PYTEST_ARGS="-k multipart").
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="$(nproc 2>/dev/null || echo 2)"
LOGS="$ROOT/build/test-logs"
START=$(date +%s)

bash scripts/install-deps.sh || exit 1
rm -rf "$LOGS"
mkdir -p "$LOGS"

failed=0
summary=()

section() { printf '\n==== %s (%ss) ====\n' "$1" "$(($(date +%s) - START))"; }

# The line a runner closes with, from its log.
ctest_line() { grep -E 'tests passed, [0-9]+ tests? failed out of|No tests were found' "$1" | tail -1; }

pytest_line() { grep -E '^=+ .*(passed|failed|error|skipped|deselected|no tests ran).* =+$' "$1" | tail -1; }

# ---- 1. formatting ----------------------------------------------------------------------
section "clang-format, layering and co_await"
mapfile -t sources < <(find src tests bench fuzz -type f \( -name '*.h' -o -name '*.cc' -o -name '*.cpp' \) \
  2>/dev/null | sort)
bad_files=""
if [[ ${#sources[@]} -gt 0 ]]; then
  bad_files="$(clang-format --dry-run --Werror "${sources[@]}" 2>&1 |
    grep -oE '^[^: ]+\.(h|cc|cpp):' | tr -d ':' | sort -u)"
fi
if [[ -n "$bad_files" ]]; then
  echo "$bad_files" | sed 's/^/not formatted: /'
  summary+=("format: FAILED, $(echo "$bad_files" | wc -l) of ${#sources[@]} files (clang-format -i them)")
  failed=1
else
  echo "${#sources[@]} files clean"
  summary+=("format: ${#sources[@]} files clean")
fi
# Module layering: no module includes a header of a module above it.
/usr/bin/python3 scripts/check-layering.py | tee "$LOGS/layering.log"
rc=${PIPESTATUS[0]}
[[ $rc -ne 0 ]] && failed=1
summary+=("$(tail -1 "$LOGS/layering.log") [exit $rc]")
# GCC 12 miscompiles co_await in a condition or a &&, ||, ?: operand (shared/STYLE.md).
/usr/bin/python3 scripts/check-coawait.py | tee "$LOGS/coawait.log"
rc=${PIPESTATUS[0]}
[[ $rc -ne 0 ]] && failed=1
summary+=("$(tail -1 "$LOGS/coawait.log") [exit $rc]")

ctest_args=(--output-on-failure --timeout 300 -j"$JOBS")
if [[ "${CAIRN_SLOW:-0}" != 1 ]]; then
  ctest_args+=(-LE slow)
fi

# ---- 2. build + unit tests ---------------------------------------------------------------
section "build (RelWithDebInfo, build/)"
if cmake -G Ninja -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCAIRN_SANITIZE=OFF -DCAIRN_UNITY=ON -DCAIRN_TESTS=ON -DCAIRN_BENCH=ON >"$LOGS/cmake.log" 2>&1 &&
  nice ninja -C "$ROOT/build" -j"$JOBS"; then
  built=1
else
  cat "$LOGS/cmake.log"
  built=0
  failed=1
  summary+=("build: FAILED")
fi

if [[ $built == 1 ]]; then
  section "unit tests (ctest, build/)"
  (cd build && ctest "${ctest_args[@]}") 2>&1 | tee "$LOGS/ctest.log"
  rc=${PIPESTATUS[0]}
  [[ $rc -ne 0 ]] && failed=1
  summary+=("unit (ctest, build/): $(ctest_line "$LOGS/ctest.log") [exit $rc]")
fi

# ---- 3. the README's first command -------------------------------------------------------
if [[ "${CAIRN_SKIP_QUICKSTART:-0}" != 1 ]]; then
  section "quick start (scripts/run.sh: Release build, serve, AWS CLI)"
  bash scripts/quickstart-check.sh 2>&1 | tee "$LOGS/quickstart-summary.log"
  rc=${PIPESTATUS[0]}
  [[ $rc -ne 0 ]] && failed=1
  summary+=("quick start: $(grep -E '^quickstart: (OK|FAILED)' "$LOGS/quickstart-summary.log" |
    tail -1 | sed 's/^quickstart: //') [exit $rc]")
fi

# ---- 4. ASan + UBSan ---------------------------------------------------------------------
if [[ "${CAIRN_SKIP_ASAN:-0}" != 1 ]]; then
  section "build (ASan+UBSan, build-asan/)"
  if cmake -G Ninja -S "$ROOT" -B "$ROOT/build-asan" -DCMAKE_BUILD_TYPE=Debug \
    -DCAIRN_SANITIZE=ON -DCAIRN_UNITY=ON -DCAIRN_TESTS=ON -DCAIRN_BENCH=OFF >"$LOGS/cmake-asan.log" 2>&1 &&
    # Only the unit test executables (the sanitized `cairn` binary is not used by any test).
    asan_targets=($(ninja -C "$ROOT/build-asan" -t targets all |
      sed -nE 's#^(tests/unit/[A-Za-z0-9_/]+_test): .*#\1#p' | sort -u)) &&
    [[ ${#asan_targets[@]} -gt 0 ]] &&
    nice ninja -C "$ROOT/build-asan" -j"$JOBS" "${asan_targets[@]}"; then
    section "unit tests (ctest, build-asan/)"
    (cd build-asan &&
      ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1" \
        UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
        ctest "${ctest_args[@]}") 2>&1 | tee "$LOGS/ctest-asan.log"
    rc=${PIPESTATUS[0]}
    [[ $rc -ne 0 ]] && failed=1
    summary+=("unit ASan+UBSan (ctest, build-asan/): $(ctest_line "$LOGS/ctest-asan.log") [exit $rc]")
  else
    cat "$LOGS/cmake-asan.log"
    failed=1
    summary+=("build ASan+UBSan: FAILED")
  fi
fi

# ---- 5. fuzzing -----------------------------------------------------------------------------
if [[ "${CAIRN_SKIP_FUZZ:-0}" != 1 ]]; then
  section "fuzz targets (scripts/fuzz.sh, ${FUZZ_SECONDS:-20}s each)"
  bash scripts/fuzz.sh 2>&1 | tee "$LOGS/fuzz.log"
  rc=${PIPESTATUS[0]}
  [[ $rc -ne 0 ]] && failed=1
  summary+=("$(grep -E '^fuzz: ' "$LOGS/fuzz.log" | tail -1 || echo 'fuzz: no result') [exit $rc]")
fi

# ---- 6. integration tests ----------------------------------------------------------------
pytest_summary="integration (pytest): not run, build/cairn was not built"
if [[ $built == 1 && -x build/cairn ]]; then
  section "integration tests (pytest, /usr/bin/python3)"
  # shellcheck disable=SC2086
  # --basetemp is emptied by pytest at the start of every run; kept after a failure.
  CAIRN_BIN="$ROOT/build/cairn" /usr/bin/python3 -m pytest -c tests/integration/pytest.ini \
    -p no:cacheprovider --basetemp "$ROOT/build/pytest-tmp" tests/integration \
    ${PYTEST_ARGS:-} 2>&1 | tee "$LOGS/pytest.log"
  rc=${PIPESTATUS[0]}
  [[ $rc -eq 0 ]] && rm -rf "$ROOT/build/pytest-tmp"
  [[ $rc -ne 0 ]] && failed=1
  summary+=("integration (pytest): $(pytest_line "$LOGS/pytest.log") [exit $rc]")
else
  failed=1
  summary+=("$pytest_summary")
fi

section "summary"
for line in "${summary[@]}"; do
  echo "$line"
done
echo "total time: $(($(date +%s) - START))s; logs in build/test-logs/"
if [[ $failed -ne 0 ]]; then
  echo "RESULT: FAILED"
else
  echo "RESULT: OK"
fi
# The runners' own closing lines, pytest's last.
[[ -f "$LOGS/ctest.log" ]] && ctest_line "$LOGS/ctest.log"
[[ -f "$LOGS/ctest-asan.log" ]] && ctest_line "$LOGS/ctest-asan.log"
if [[ -f "$LOGS/pytest.log" ]]; then
  pytest_line "$LOGS/pytest.log"
else
  echo "$pytest_summary"
fi
exit $failed
