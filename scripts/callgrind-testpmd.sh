#!/usr/bin/env bash
# Instructions per packet of a PMD's Rx and Tx bursts inside stock
# dpdk-testpmd, counted with callgrind (the same whatever else the machine
# does), for net_ivshmem and net_memif through the same harness:
#   Rx: testpmd rxonly under valgrind, a native testpmd txonly peer keeping its
#       ring full, so every burst is a full one;
#   Tx: testpmd txonly under valgrind, a native testpmd rxonly peer draining.
# Figure = inclusive instructions of the burst function (its mbuf alloc, copy,
# descriptor work and frees) / packets testpmd counted.
#
# Debian ships net_memif stripped, so memif is built here from Debian's own
# source package of the installed DPDK (same compiler, -O2 -g, -march from
# libdpdk.pc), renamed net_memifcg so it does not clash with the packaged
# driver testpmd loads; it is a measuring copy, not part of the project.
#
# Usage: scripts/callgrind-testpmd.sh [BUILD_DIR] [SIZE] [SECONDS]
#   DRIVERS="ivshmem memif" (default; also ivshmem-zc: zero_copy=1 on both
#   sides. memif's zero-copy=yes needs hugepage memory, this harness runs
#   --no-huge: not measured here)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-build}")
size=${2:-64}
secs=${3:-20}
DRIVERS=${DRIVERS:-ivshmem memif}
work=$(mktemp -d /tmp/cg-testpmd.XXXXXX)
tag=cgtp$$
cleanup() {
  pkill -f -- "--file-prefix $tag-" 2>/dev/null || true
  rm -f /dev/shm/$tag-* /run/$tag-*.sock; rm -rf /var/run/dpdk/$tag-*
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
export LD_LIBRARY_PATH=$build/drivers${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

memif_so() { # builds the measuring copy of net_memif once, prints its path
  local dir=$top/.deps/memif-cg so
  so=$dir/librte_net_memifcg.so
  if [ ! -f "$so" ]; then
    local ver src
    ver=$(dpkg-query -W -f='${Version}' libdpdk-dev)
    src=$(mktemp -d /tmp/memif-src.XXXXXX)
    (cd "$src" && apt-get source --download-only -qq "dpdk=$ver" >/dev/null 2>&1)
    tar -xf "$src"/dpdk_*.orig.tar.* -C "$src" --wildcards '*/drivers/net/memif/*'
    mkdir -p "$dir"
    cp "$src"/*/drivers/net/memif/*.[ch] "$dir/"
    rm -rf "$src"
    sed -i 's/\(RTE_PMD_REGISTER_[A-Z_]*\)(net_memif,/\1(net_memifcg,/;
            s/"memif_mp_send_region"/"memifcg_mp_send_region"/' "$dir/rte_eth_memif.c"
    # shellcheck disable=SC2046
    gcc -O2 -g -fPIC -shared -std=gnu11 -D_GNU_SOURCE $(pkg-config --cflags libdpdk) \
      -I"$top/.deps/dpdk-sdk/include" -DALLOW_INTERNAL_API -DALLOW_EXPERIMENTAL_API \
      -include rte_config.h "$dir/memif_socket.c" "$dir/rte_eth_memif.c" -o "$so" \
      $(pkg-config --libs libdpdk)
  fi
  echo "$so"
}

vdev() { # vdev DRIVER SIDE(rx|tx)
  case $1 in
    ivshmem|ivshmem-zc) local id=0 zc=; [ "$2" = tx ] && id=1
      [ "$1" = ivshmem-zc ] && zc=,zero_copy=1
      echo "-d librte_net_ivshmem.so --vdev net_ivshmem0,shm=/dev/shm/$tag-x,size=4M,id=$id$zc";;
    memif) local role=server; [ "$2" = tx ] && role=client
      echo "-d $memif --vdev net_memifcg0,role=$role,socket-abstract=no,socket=/run/$tag-x.sock";;
  esac
}

wait_for() { # wait_for FILE PATTERN SECONDS
  local i
  for ((i = 0; i < $3 * 10; i++)); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1" >&2; tail -5 "$1" >&2; return 1
}

E="--no-huge -m 512 --no-pci --log-level=warning"
T="--disable-link-check --total-num-mbufs=8192 --burst=32 --nb-cores=1 --txpkts=$size"
wait_path() { # wait_path PATH: until it exists (valgrind takes a while to start)
  local i
  for ((i = 0; i < 3000; i++)); do [ -e "$1" ] && return 0; sleep 0.1; done
  echo "timed out waiting for $1" >&2; return 1
}
# shellcheck disable=SC2046
start_valgrind() { # (run's locals)
  stdbuf -oL valgrind --tool=callgrind --fair-sched=yes --callgrind-out-file="$cg" dpdk-testpmd -l 0,1 $E \
    --file-prefix $tag-v $(vdev "$drv" $role) -- $T --forward-mode=$mine < "$fifo" > "$log" 2>&1 &
  vg=$!; exec 7>"$fifo"
}
# shellcheck disable=SC2046
start_peer() {
  dpdk-testpmd -l 0,1 $E --file-prefix $tag-n $(vdev "$drv" $other) -- $T --forward-mode=$peer \
    < <(exec sleep 900 2>/dev/null) > "$work/$drv-$role-peer.log" 2>&1 &
  pp=$!
}
# run DRIVER ROLE(rx|tx|idle): ROLE's testpmd under callgrind (idle: rxonly
# with a peer that sends nothing); prints "driver role instructions calls packets"
run() {
  local drv=$1 role=$2 mine peer cg=$work/$1-$2.cg log=$work/$1-$2.log fifo=$work/$1-$2.in
  case $role in
    rx) mine=rxonly; peer=txonly;;
    tx) mine=txonly; peer=rxonly;;
    idle) mine=rxonly; peer=rxonly; role=rx;;
  esac
  local other=tx vg pp; [ "$role" = tx ] && other=rx
  rm -f /dev/shm/$tag-x /run/$tag-x.sock
  mkfifo "$fifo"
  # the server side first (ivshmem id 0 formats the region, the memif
  # server listens; 22.11's memif client fails at once without a socket),
  # then the other once the region or socket exists
  local ready=/dev/shm/$tag-x
  [ "$drv" = memif ] && ready=/run/$tag-x.sock
  if [ "$role" = tx ]; then start_peer; wait_path "$ready"; start_valgrind
  else start_valgrind; wait_path "$ready"; start_peer; fi
  wait_for "$log" "Press enter to exit" 600
  sleep "$secs" # the measuring window: a duration, not a synchronisation
  echo >&7; exec 7>&-
  wait "$vg" 2>/dev/null || true
  kill "$pp" 2>/dev/null || true; wait "$pp" 2>/dev/null || true
  local pkts fn instr calls
  if [ "$role" = rx ]; then
    pkts=$(awk '/Accumulated forward statistics/ {a=1} a && /RX-packets:/ && !got {print $2; got = 1}' "$log")
    fn=$( [[ $drv == ivshmem* ]] && echo ivshmem_rx_burst || echo eth_memif_rx)
  else
    pkts=$(awk '/Accumulated forward statistics/ {a=1} a && /TX-packets:/ && !got {print $2; got = 1}' "$log")
    fn=$( [[ $drv == ivshmem* ]] && echo ivshmem_tx_burst || echo eth_memif_tx)
  fi
  instr=$(callgrind_annotate --inclusive=yes "$cg" 2>/dev/null |
    awk -v f=":$fn " '{ gsub(",", "", $1) } index($0, f) && !got { print $1; got = 1 }')
  # calls from testpmd: the "> file:fn (N x)" lines of the caller tree
  calls=$(callgrind_annotate --tree=calling "$cg" 2>/dev/null |
    awk -v f=":$fn (" 'index($0, f) && $3 == ">" { c = $NF; gsub(/[^0-9]/, "", c); s += c } END { print s + 0 }')
  echo "$drv $2 ${instr:-0} $calls ${pkts:-0}"
}

memif=""
[[ " $DRIVERS " == *" memif "* ]] && memif=$(memif_so)
printf '%-8s %-3s %12s %14s %10s %10s\n' driver dir per-packet instructions calls packets
for d in $DRIVERS; do
  # Rx: polls that found nothing (the native sender was descheduled) cost
  # `empty` each, measured with a silent peer, and are taken out
  read -r _ _ i0 c0 _ < <(run "$d" idle)
  [ "$c0" -gt 0 ] || { echo "$d: no Rx polls counted (see $work, KEEP=1)" >&2; exit 1; }
  empty=$(echo "$i0 / $c0" | bc -l)
  for r in rx tx; do
    read -r drv role instr calls pkts < <(run "$d" "$r")
    [ "$pkts" -gt 0 ] || { echo "$d $r: no packets (see $work, KEEP=1)" >&2; exit 1; }
    if [ "$r" = rx ]; then
      per=$(echo "($instr - $empty * ($calls - ($pkts + 31) / 32)) / $pkts" | bc -l)
    else
      per=$(echo "$instr / $pkts" | bc -l)
    fi
    printf '%-8s %-3s %12.1f %14s %10s %10s\n' "$drv" "$role" "$per" "$instr" "$calls" "$pkts"
  done
  printf '%-8s %-3s %12.1f   (an Rx poll that finds nothing)\n' "$d" idle "$empty"
done
