# shellcheck shell=bash
# Shared by the shell suites that run net_ivshmem between real processes
# (tests/dpdk/pmd-test.sh, tests/fault/fault-test.sh). Source it after
# setting HARNESS_TAG (a short prefix for names); needs env BUILD.
# Provides: $server_bin $traffic $pmd $sys_env $tag $work $sock, cleanup on exit
# (processes, shm, EAL runtime dirs; KEEP_LOGS=1 keeps $work), and
# fail, eal, wait_for, start_server, run_bg, wait_pid.
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
  wait 2>/dev/null
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

start_server() { # start_server [VECTORS]: sets pid_server
  "$server_bin" -F -S "$sock" -M "$tag" -l 4M -n "${1:-2}" >"$work/server.log" 2>&1 &
  pids+=($!); pid_server=$!
  wait_for "[ -S '$sock' ]" 10 || fail "server did not create $sock"
}

run_bg() { # run_bg NAME VDEV ARGS...: ivshmem-traffic in the background, sets pid_NAME
  local name=$1 vdev=$2; shift 2
  # shellcheck disable=SC2046
  "$traffic" $(eal "$name") --vdev "$vdev" -- "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  eval "pid_$name=$!"
}

wait_pid() { # wait_pid PID SECONDS: its exit status, or 124 after killing it
  local end=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null; do
    [ $SECONDS -lt $end ] || { kill -9 "$1"; return 124; }
    sleep 0.05
  done
  wait "$1"
}
