#!/usr/bin/env bash
# net_ivshmem beside net_memif and net_virtio_user<->net_vhost, in one run:
#   1. ivshmem-perf (our app): 1-packet RTT (with the raw shared-memory floor
#      for ivshmem), one-way and both-ways throughput per size;
#   2. stock dpdk-testpmd txonly -> rxonly per size (what a user measures):
#      Tx-pps of the sender over one second per size (lossless rings: what it
#      sends is what the receiver gets).
# Drivers alternate inside every round (ivshmem, memif, virtio, ivshmem, ...),
# ROUNDS rounds; the summary gives per driver and size the median, the best
# round and the spread (min..max), and ratios of medians and of bests.
# Initiator / sender on core 0, reflector / receiver on core 1.
# virtio needs hugepages (set up here when run as root, with
# --single-file-segments); the others run with --no-huge.
# Usage: scripts/bench-compare.sh [BUILD_DIR]
#   env: ROUNDS=5 DURATION=1 SIZES=64,128,256,512,1024,1500 BURST=32
#        SAMPLES=100000 DRIVERS="ivshmem memif virtio" PARTS="perf testpmd"
#        IVSHMEM_ARGS="" (extra net_ivshmem devargs, e.g. ,ring_size=1024)
#        ALT_ARGS="" (driver "ivshmem-alt" in DRIVERS: net_ivshmem with these
#        devargs instead, to compare two geometries in one run)
#        ALT_SO="" (ivshmem-alt loads this librte_net_ivshmem.so instead: two
#        builds of the PMD in one run)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
perf=$build/apps/ivshmem-perf
ROUNDS=${ROUNDS:-5}; DURATION=${DURATION:-1}; BURST=${BURST:-32}
SIZES=${SIZES:-64,128,256,512,1024,1500}; SAMPLES=${SAMPLES:-100000}
DRIVERS=${DRIVERS:-ivshmem memif virtio}; PARTS=${PARTS:-perf testpmd}
IVSHMEM_ARGS=${IVSHMEM_ARGS:-}; ALT_ARGS=${ALT_ARGS:-}; ALT_SO=${ALT_SO:-librte_net_ivshmem.so}
out=$(mktemp -d /tmp/bench-compare.XXXXXX)
tag=bcmp$$
export LD_LIBRARY_PATH=$build/drivers${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -f /run/$tag-*.sock /dev/shm/$tag-*
  rm -rf /var/run/dpdk/$tag-*
}
trap cleanup EXIT

if [[ " $DRIVERS " == *" virtio "* ]]; then
  free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
  if [ "${free:-0}" -lt 600 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "virtio needs 600 free 2 MiB hugepages (run as root)" >&2; exit 1; }
    echo $(( $(awk '/HugePages_Total/ {print $2}' /proc/meminfo) + 600 )) > /proc/sys/vm/nr_hugepages
    mkdir -p /dev/hugepages
    mountpoint -q /dev/hugepages || mount -t hugetlbfs nodev /dev/hugepages
  fi
fi

eal() { # eal KIND: memory options
  case $1 in
    virtio) echo "-m 512 --single-file-segments --no-pci --log-level=warning";;
    *) echo "--no-huge -m 512 --no-pci --log-level=warning";;
  esac
}
vdevs() { # vdevs KIND SIDE(0=receiver/reflector,1=sender/initiator) NAME
  case $1 in
    memif) local role=server; [ "$2" = 1 ] && role=client
      echo "--vdev net_memif0,role=$role,socket-abstract=no,socket=/run/$tag-$3.sock";;
    ivshmem) echo "-d librte_net_ivshmem.so --vdev net_ivshmem0,shm=/dev/shm/$tag-$3,size=4M,id=$2$IVSHMEM_ARGS";;
    ivshmem-alt) echo "-d $ALT_SO --vdev net_ivshmem0,shm=/dev/shm/$tag-$3,size=4M,id=$2$ALT_ARGS";;
    virtio) if [ "$2" = 0 ]; then echo "--vdev net_vhost0,iface=/run/$tag-$3.sock,queues=1"
            else echo "--vdev net_virtio_user0,path=/run/$tag-$3.sock,queues=1"; fi;;
  esac
}
ready_path() { [[ $1 == ivshmem* ]] && echo "/dev/shm/$tag-$2" || echo "/run/$tag-$2.sock"; }
wait_path() { for _ in $(seq 200); do [ -e "$1" ] && return 0; sleep 0.05; done; return 1; }

# perf_run KIND NAME MODE-ARGS...: one initiator/reflector pair, JSON to $out/NAME.json
perf_run() {
  local kind=$1 name=$2; shift 2
  local raw=()
  [[ $kind == ivshmem* ]] && [ "$*" = "--mode=latency" ] && raw=(--raw-shm=/dev/shm/$tag-$name)
  # shellcheck disable=SC2046
  "$perf" -l 1 $(eal $kind) --file-prefix $tag-r$name $(vdevs $kind 0 $name) -- --role=reflector \
    "${raw[@]}" > "$out/$name.refl" 2>&1 &
  pids+=($!)
  wait_path "$(ready_path $kind $name)"
  # shellcheck disable=SC2046
  "$perf" -l 0 $(eal $kind) --file-prefix $tag-i$name $(vdevs $kind 1 $name) -- --role=initiator \
    --burst=$BURST --sizes=$SIZES --duration=$DURATION --samples=$SAMPLES "${raw[@]}" \
    --json="$out/$name.json" "$@" > "$out/$name.out" 2>&1
  wait "${pids[-1]}" || true
}

# testpmd_run KIND NAME: txonly (core 0) -> rxonly (core 1), every size in one
# pair of processes; the sender prints Tx-pps over one second per size.
testpmd_commands() {
  sleep 2 # link up
  for s in ${SIZES//,/ }; do
    echo "set txpkts $s"; echo start; sleep 0.5
    echo "show port stats all"; sleep "$DURATION"; echo "show port stats all"; echo stop
  done
  echo quit
}
testpmd_run() {
  local kind=$1 name=$2 rx
  # shellcheck disable=SC2046
  timeout 120 dpdk-testpmd -l 1,0 --main-lcore 0 $(eal $kind) --file-prefix $tag-rx$name \
    $(vdevs $kind 0 $name) -- -i -a --total-num-mbufs=16384 --forward-mode=rxonly \
    --burst=$BURST --nb-cores=1 < <(exec sleep 600 2>/dev/null) > "$out/$name.rx" 2>&1 &
  rx=$!; pids+=($rx)
  wait_path "$(ready_path $kind $name)"
  # shellcheck disable=SC2046
  timeout 120 dpdk-testpmd -l 1,0 --main-lcore 1 $(eal $kind) --file-prefix $tag-tx$name \
    $(vdevs $kind 1 $name) -- -i --total-num-mbufs=16384 --forward-mode=txonly \
    --burst=$BURST --nb-cores=1 < <(testpmd_commands) > "$out/$name.tx" 2>&1 || true
  kill "$rx" 2>/dev/null || true # (memif may have crashed at its own close)
  wait "$rx" 2>/dev/null || true
  # the second "show port stats" of each size holds the rate
  grep -E 'Tx-pps:' "$out/$name.tx" | awk 'NR % 2 == 0 {print $2}' > "$out/$name.pps"
}

for r in $(seq "$ROUNDS"); do
  for kind in $DRIVERS; do
    if [[ " $PARTS " == *" perf "* ]]; then
      echo "round $r: $kind ivshmem-perf latency, throughput, bidir" >&2
      perf_run $kind $kind-lat-$r --mode=latency
      perf_run $kind $kind-tput-$r --mode=throughput
      perf_run $kind $kind-bidir-$r --mode=throughput --bidir
    fi
    if [[ " $PARTS " == *" testpmd "* ]]; then
      echo "round $r: $kind dpdk-testpmd txonly->rxonly" >&2
      testpmd_run $kind $kind-tp-$r
    fi
  done
done

/usr/bin/python3 "$top/scripts/bench-summary.py" "$out" "$ROUNDS" "$SIZES" "$DRIVERS" "$PARTS"
echo "raw outputs: $out"
