#!/usr/bin/env bash
# The whole test suite: installs what is missing (Debian 12, root), builds,
# runs every meson test suite. Usage: scripts/run-tests.sh [meson test args]
#
# First a second build, build-asan/ (-Db_sanitize=address,undefined), runs
# the suites where a sanitizer sees our code (not vm: guests have no libasan)
# and prints only its summary (everything on failure). Then build/ runs the
# requested suites; its meson summary stays the last output. Any failure in
# either makes the exit status non-zero. ASAN=0 skips the sanitizer pass;
# with meson test args it runs only if ASAN=1.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh"
cd "$top"

asan_suites=(unit ring host dpdk apps dpdk-apps fuzz fault)

run_asan_suites() { # builds build-asan/ and runs asan_suites; its status
  if [ ! -f build-asan/build.ninja ]; then
    echo "[run-tests] configuring build-asan/"
    meson setup build-asan --werror -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
  fi
  local log=build-asan/run-tests-asan.log rc=0 s args=()
  for s in "${asan_suites[@]}"; do args+=(--suite "$s"); done
  echo "[run-tests] sanitizer build (address,undefined): ${asan_suites[*]}"
  # A sanitizer report aborts the process, so the test fails.
  {
    ninja -C build-asan -j2 &&
    UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1 \
    ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
      meson test -C build-asan --no-rebuild --print-errorlogs --num-processes 2 "${args[@]}"
  } >"$log" 2>&1 || rc=$?
  if [ $rc -eq 0 ]; then
    sed -n '/^Ok:/,$p' "$log"
  else
    cat "$log"
    echo "[run-tests] sanitizer build FAILED (log: $top/$log)"
  fi
  return $rc
}

asan_rc=0
if [ "${ASAN:-}" = 1 ] || { [ "${ASAN:-}" != 0 ] && [ $# -eq 0 ]; }; then
  run_asan_suites || asan_rc=$?
fi

ninja -C build
rc=0
meson test -C build --print-errorlogs --num-processes 2 "$@" || rc=$?
# Nothing printed after meson's summary: a failed sanitizer pass was reported above.
[ $rc -ne 0 ] || [ $asan_rc -eq 0 ] || rc=1
exit $rc
