#!/usr/bin/env bash
# net_ivshmem (through our server, on a shm file, zero-copy) beside net_memif
# (plain and zero-copy) and net_virtio_user<->net_vhost, in one run:
#   1. ivshmem-perf (our app): 1-packet RTT (with the raw shared-memory floor
#      for ivshmem), one-way and both-ways throughput per size; initiator
#      -l SENDER_CPU, reflector -l RECEIVER_CPU;
#   2. stock dpdk-testpmd, rates read at the receiver (scripts/lib/
#      bench-testpmd.sh): per LAYOUT (one-core, split) and WORKLOAD (rxonly:
#      txonly -> rxonly; csum: a sender with valid UDP checksums -> testpmd's
#      csum engine, which recomputes them in software over every byte).
# Drivers alternate inside every round (for each layout and workload, every
# driver in turn), ROUNDS rounds. A driver that cannot run here is skipped
# with its reason; one that fails is reported as failed; neither stops the
# others. The summary (scripts/bench-summary.py) starts with the machine
# line and gives per driver, size, layout and workload the median, the best
# round and the spread, and net_ivshmem's ratios of medians to the others.
# Usage: scripts/bench-compare.sh [BUILD_DIR]
#   env: ROUNDS=5 DURATION=1 WARMUP=0.5 SIZES=64,128,256,512,1024,1500 BURST=32
#        SAMPLES=100000 PARTS="perf testpmd" LAYOUTS="one-core split"
#        WORKLOADS="rxonly csum" SENDER_CPU=0 RECEIVER_CPU=1
#        DRIVERS="ivshmem-server ivshmem-shm ivshmem-zc memif memif-zc virtio"
#          (also ivshmem = ivshmem-shm, and ivshmem-alt)
#        IVSHMEM_ARGS="" (extra net_ivshmem devargs, e.g. ,ring_size=1024)
#        ALT_ARGS="" ALT_SO=librte_net_ivshmem.so (driver ivshmem-alt: these
#          devargs, or another build of the PMD, in the same rounds)
#        HUGE_PAGES=300 HUGE_MB=256 (virtio, memif-zc: 2 MiB pages reserved on
#          a private mount and given back at exit; needs root)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
perf=$build/apps/ivshmem-perf
ROUNDS=${ROUNDS:-5}; DURATION=${DURATION:-1}; WARMUP=${WARMUP:-0.5}; BURST=${BURST:-32}
SIZES=${SIZES:-64,128,256,512,1024,1500}; SAMPLES=${SAMPLES:-100000}
DRIVERS=${DRIVERS:-ivshmem-server ivshmem-shm ivshmem-zc memif memif-zc virtio}
PARTS=${PARTS:-perf testpmd}; LAYOUTS=${LAYOUTS:-one-core split}; WORKLOADS=${WORKLOADS:-rxonly csum}
SENDER_CPU=${SENDER_CPU:-0}; RECEIVER_CPU=${RECEIVER_CPU:-1}
IVSHMEM_ARGS=${IVSHMEM_ARGS:-}; ALT_ARGS=${ALT_ARGS:-}; ALT_SO=${ALT_SO:-librte_net_ivshmem.so}
HUGE_PAGES=${HUGE_PAGES:-300}; HUGE_MB=${HUGE_MB:-256}
for x in $LAYOUTS; do [[ $x == one-core || $x == split ]] ||
  { echo "LAYOUTS: '$x' is not one-core or split" >&2; exit 2; }; done
for x in $WORKLOADS; do [[ $x == rxonly || $x == csum ]] ||
  { echo "WORKLOADS: '$x' is not rxonly or csum" >&2; exit 2; }; done
out=$(mktemp -d /tmp/bench-compare.XXXXXX)
tag=bcmp$$
export LD_LIBRARY_PATH=$build/drivers${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
# shellcheck source=lib/bench-drivers.sh
source "$top/scripts/lib/bench-drivers.sh"
# shellcheck source=lib/bench-testpmd.sh
source "$top/scripts/lib/bench-testpmd.sh"

nsizes=$(tr ',' '\n' <<<"$SIZES" | wc -l)
tp_timeout=$(awk -v n="$nsizes" -v d="$DURATION" -v w="$WARMUP" 'BEGIN { printf "%d", 60 + n * (d + w + 30) }')
declare -A pids=()
track() { pids[$1]=1; }
untrack() { unset "pids[$1]"; }
huge_pages=0; huge_dir=
cleanup() {
  local p
  for p in "${!pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${!pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -f /run/"$tag"-*.sock /run/"$tag"-*.srv /dev/shm/"$tag"-* "$out"/*.in
  rm -rf /var/run/dpdk/"$tag"-*
  [ "$huge_pages" = 0 ] || huge_release
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# results: part workload layout driver round size mpps; failures: driver
# part workload layout round reason; notes: driver note
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$out/results.tsv"; }
fail() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$out/failures.tsv"
  echo "  FAILED: $1 $2 $3 $4 round $5: $6" >&2
}
notes() { grep -qxF "$1	$2" "$out/notes.tsv" 2>/dev/null || printf '%s\t%s\n' "$1" "$2" >> "$out/notes.tsv"; }
touch "$out/results.tsv" "$out/failures.tsv" "$out/notes.tsv"

machine_line() {
  local cpu dpdk commit
  cpu=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
  dpdk=$(pkg-config --modversion libdpdk 2>/dev/null || dpkg-query -W -f '${Version}' dpdk 2>/dev/null || echo "?")
  commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo "?")
  git -C "$top" diff --quiet HEAD -- 2>/dev/null || commit="$commit+uncommitted"
  echo "machine: ${cpu:-?} | nproc $(nproc) | kernel $(uname -r) | DPDK $dpdk | git $commit" \
       "| $(date -u '+%Y-%m-%d %H:%M UTC') | load $(cut -d' ' -f1-3 /proc/loadavg)"
}
machine_line > "$out/machine.txt"
cat "$out/machine.txt" >&2

# which drivers run; the others are reported once with their reason
canon=()
for d in $DRIVERS; do canon+=("$(drv_canonical "$d")"); done
need_huge=0
for d in "${canon[@]}"; do drv_needs_huge "$d" && need_huge=1; done
[ $need_huge = 0 ] || huge_setup "$HUGE_PAGES"
run=()
for d in "${canon[@]}"; do
  why=$(drv_unusable "$d")
  if [ -n "$why" ]; then
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$d" all - - - "skipped: $why" >> "$out/failures.tsv"
    echo "skipping $d: $why" >&2
  else
    run+=("$d")
  fi
done

# perf_run KIND WHAT ROUND MODE-ARGS...: one initiator/reflector pair
# (WHAT: lat, tput, bidir), JSON to $out/KIND-WHAT-ROUND.json
perf_run() {
  local kind=$1 what=$2 r=$3 name=$1-$2-$3 refl; shift 3
  local raw=()
  drv_is_ivshmem "$kind" && [ "$*" = "--mode=latency" ] && ! drv_uses_server "$kind" &&
    raw=("--raw-shm=/dev/shm/$tag-$name")
  drv_begin "$kind" "$name" || { fail "$kind" perf "$what" - "$r" "$drv_error"; return 0; }
  # shellcheck disable=SC2046
  timeout "$tp_timeout" "$perf" -l "$RECEIVER_CPU" $(drv_eal "$kind") --file-prefix "$tag-r$name" \
    $(drv_vdevs "$kind" 0 "$name") -- --role=reflector "${raw[@]}" > "$out/$name.refl" 2>&1 &
  refl=$!; track $refl
  if wait_path "$(drv_ready_path "$kind" "$name")" $refl; then
    # shellcheck disable=SC2046
    timeout "$tp_timeout" "$perf" -l "$SENDER_CPU" $(drv_eal "$kind") --file-prefix "$tag-i$name" \
      $(drv_vdevs "$kind" 1 "$name") -- --role=initiator --burst="$BURST" --sizes="$SIZES" \
      --duration="$DURATION" --samples="$SAMPLES" "${raw[@]}" --json="$out/$name.json" "$@" \
      > "$out/$name.out" 2>&1 || true
  fi
  stop_pid $refl
  [ -s "$out/$name.json" ] || fail "$kind" perf "$what" - "$r" \
    "no result: $(grep -ihE 'error|invalid|unknown|fail' "$out/$name.out" "$out/$name.refl" 2>/dev/null | head -1)"
  drv_end "$kind" "$name"
}

for r in $(seq "$ROUNDS"); do
  if [[ " $PARTS " == *" perf "* ]]; then
    for kind in "${run[@]}"; do
      echo "round $r: $kind ivshmem-perf latency, throughput, bidir" >&2
      perf_run "$kind" lat "$r" --mode=latency || true
      perf_run "$kind" tput "$r" --mode=throughput || true
      perf_run "$kind" bidir "$r" --mode=throughput --bidir || true
    done
  fi
  if [[ " $PARTS " == *" testpmd "* ]]; then
    for layout in $LAYOUTS; do
      for wl in $WORKLOADS; do
        for kind in "${run[@]}"; do
          echo "round $r: $kind dpdk-testpmd $wl, layout $layout" >&2
          tp_pair "$kind" "$wl" "$layout" "$r" || fail "$kind" testpmd "$wl" "$layout" "$r" "the pair script stopped (see $out)"
        done
      done
    done
  fi
done

/usr/bin/python3 "$top/scripts/bench-summary.py" "$out" "$ROUNDS" "$SIZES" "${canon[*]}" "$PARTS" \
  "$LAYOUTS" "$WORKLOADS"
echo "raw outputs: $out"
