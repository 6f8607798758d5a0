# shellcheck shell=bash
# Shared by the shell suites that run net_ivshmem between real processes
# (tests/dpdk/pmd-test.sh, tests/fault/fault-test.sh). Source it after
# setting HARNESS_TAG (a short prefix for names); needs env BUILD.
# Provides: $server_bin $traffic $pmd $sys_env $tag $work $sock, cleanup on exit
# (processes, shm, EAL runtime dirs; KEEP_LOGS=1 keeps $work), and
# fail, eal, wait_for, run_cmd, start_server, run_bg, run_fg, wait_pid,
# expect_pass, expect_refused, xstat. Each process NAME logs to $work/NAME.log.
: "${BUILD:?BUILD must point at the meson build dir}"
server_bin=$BUILD/host/ivshmem-server
traffic=$BUILD/tests/dpdk/ivshmem-traffic
# EAL refuses -d paths under a world-writable directory (a clone in /tmp):
# load the PMD by soname through LD_LIBRARY_PATH.
pmd=librte_net_ivshmem.so
export LD_LIBRARY_PATH=$BUILD/drivers${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
# In a sanitizer build (env B_SANITIZE, from meson) the PMD needs the ASan
# runtime first in the library list of a system binary that loads it
# (dpdk-testpmd): prefix such commands with "${sys_env[@]}".
sys_env=()
if [[ ${B_SANITIZE:-none} == *address* ]]; then
  sys_env=(env "LD_PRELOAD=$(gcc -print-file-name=libasan.so)${LD_PRELOAD:+:$LD_PRELOAD}")
fi
tag=${HARNESS_TAG:-iv}$$
work=$(mktemp -d /tmp/$tag.XXXX)
sock=$work/ivshmem.sock
pids=()

cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  # only these: a bare wait would also wait for a process substitution
  # still feeding a run_cmd's stdin (< <(sleep 60))
  [ ${#pids[@]} -eq 0 ] || wait "${pids[@]}" 2>/dev/null
  # pages and mount of tests/lib/hugepages.sh (under $work), if this test took some
  ! declare -F huge_release >/dev/null || huge_release
  if [ -n "${KEEP_LOGS:-}" ]; then echo "logs kept in $work"; else rm -rf "$work"; fi
  rm -rf /dev/shm/$tag* /var/run/dpdk/$tag*
}
trap cleanup EXIT

fail() { # fail MESSAGE: prints it and the tail of every process log
  echo "FAIL: $*"
  for f in "$work"/*.log; do
    [ -f "$f" ] && { echo "--- $f"; grep -v '^EAL\|^TELEMETRY' "$f" | tail -30; }
  done
  exit 1
}

eal() { # eal NAME: EAL args of one process
  echo "--no-huge -m 256 --no-pci --file-prefix $tag-$1 -d $pmd --log-level=pmd.net.ivshmem:info"
}

wait_for() { # wait_for CONDITION-COMMAND SECONDS
  local end=$((SECONDS + $2))
  while ! eval "$1"; do
    [ $SECONDS -lt $end ] || return 1
    sleep 0.02
  done
}

run_cmd() { # run_cmd NAME CMD...: CMD in the background, output to $work/NAME.log, sets pid_NAME
  local name=$1; shift
  # <&0: without a redirection of its own a background command reads
  # /dev/null (no job control); this passes on the caller's stdin.
  "$@" >"$work/$name.log" 2>&1 <&0 &
  pids+=($!)
  printf -v "pid_$name" %s $!
}

start_server() { # start_server [VECTORS [NAME]]: server NAME (default server; shm $tag-NAME), sets pid_NAME
  local name=${2:-server}
  run_cmd "$name" "$server_bin" -F -S "$sock" -M "$tag-$name" -l 4M -n "${1:-2}"
  wait_for "[ -S '$sock' ]" 10 || fail "$name did not create $sock"
}

run_bg() { # run_bg NAME VDEV ARGS...: ivshmem-traffic in the background, sets pid_NAME
  local name=$1 vdev=$2; shift 2
  # shellcheck disable=SC2046
  run_cmd "$name" "$traffic" $(eal "$name") --vdev "$vdev" -- "$@"
}

run_fg() { # run_fg NAME VDEV ARGS...: ivshmem-traffic in the foreground (30 s at most), its exit status
  local name=$1 vdev=$2; shift 2
  # shellcheck disable=SC2046
  timeout 30 "$traffic" $(eal "$name") --vdev "$vdev" -- "$@" >"$work/$name.log" 2>&1
}

wait_pid() { # wait_pid PID SECONDS: its exit status, or 124 after killing it
  local end=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null; do
    [ $SECONDS -lt $end ] || { kill -9 "$1"; return 124; }
    sleep 0.05
  done
  wait "$1"
}

expect_pass() { # expect_pass NAME PID [SECS=120]: it exits 0 with a PASS line; prints its RESULT line
  local name=$1 secs=${3:-120} rc
  wait_pid "$2" "$secs"; rc=$?
  [ $rc -ne 124 ] || fail "$name did not exit within $secs s"
  [ $rc -eq 0 ] && grep -q '^PASS' "$work/$name.log" || fail "$name exited $rc"
  grep '^RESULT' "$work/$name.log"
}

expect_refused() { # expect_refused RC NAME PATTERN: a clean non-zero exit (no timeout, no signal) and a message
  local rc=$1 name=$2 pattern=$3
  [ "$rc" -ne 0 ] && [ "$rc" -lt 124 ] || fail "$name: exit $rc (want a clean refusal)"
  grep -q "$pattern" "$work/$name.log" || fail "$name: no message matching '$pattern'"
  echo "refused: $(grep -m1 "$pattern" "$work/$name.log")"
}

xstat() { # xstat NAME KEY -> value (0 if absent)
  local v; v=$(sed -n "s/^XSTAT $2=//p" "$work/$1.log" | tail -1); echo "${v:-0}"
}
