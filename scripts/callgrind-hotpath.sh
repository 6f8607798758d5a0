#!/usr/bin/env bash
# Instructions per packet of the PMD's hot path, counted with callgrind (the
# same whatever else the machine does): one ivshmem-fwd under valgrind
# (rxonly, then txonly), its peer native, N packets of 64 B over a 4 MiB shm
# region. Prints Rx = inclusive rx_channel per packet, Tx = inclusive Tx
# burst per packet (with the mbuf frees it does).
# Usage: scripts/callgrind-hotpath.sh [BUILD_DIR] [PACKETS]   (env LEN: frame
# bytes, 64 by default; MODES: which of rx rxzc tx txzc, all by default).
# Rx is measured twice: copy and zero_copy=1; Tx twice: copy and zero-copy
# (txzc: ivshmem-fwd --tx-zero-copy to a zero_copy=1 peer, buf_size 2048 on
# an 8 MiB region when the frame does not fit the 1408 B a default buffer
# leaves). scripts/callgrind-tx.sh counts Tx alone, exactly.
set -euo pipefail
build=$(realpath "${1:-build}")
n=${2:-300000}
len=${LEN:-64}
modes=${MODES:-rx rxzc tx txzc}
work=$(mktemp -d /tmp/cg-hotpath.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"; rm -rf /dev/shm/cg-hotpath-$$; rm -rf /var/run/dpdk/cgr$$ /var/run/dpdk/cgt$$' EXIT
export LD_LIBRARY_PATH=$build/drivers
E=(--no-huge -m 256 --no-pci -d librte_net_ivshmem.so)
shm=/dev/shm/cg-hotpath-$$
fwd=$build/apps/ivshmem-fwd

# per_packet FILE FUNC_REGEX [MINUS_REGEX] -> inclusive instructions / n
per_packet() {
  callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null | awk -v f="$2" -v m="${3:-^$}" -v n="$n" '
    { gsub(",", "", $1) }
    $0 ~ f && !got { v = $1; got = 1 }
    m != "^$" && $0 ~ m && !gotm { w = $1; gotm = 1 }
    END { printf "%.1f\n", (v - w) / n }'
}

run() { # run ROLE(rx|tx|rxzc|txzc) -> callgrind file
  local cg=$work/callgrind.$1 mine peer zc= peer_zc= geo= opt=() size=4M
  case $1 in tx|txzc) mine=txonly; peer=rxonly ;; *) mine=rxonly; peer=txonly ;; esac
  [ "$1" = rxzc ] && zc=,zero_copy=1
  if [ "$1" = txzc ]; then
    opt=(--tx-zero-copy); peer_zc=,zero_copy=1
    [ "$len" -le 1408 ] || { geo=,buf_size=2048; size=8M; }
  fi
  rm -f "$shm"
  valgrind --tool=callgrind --callgrind-out-file="$cg" "$fwd" -l 0,1 "${E[@]}" --file-prefix "cgr$$" \
    --vdev "net_ivshmem0,shm=$shm,size=$size,id=0$zc$geo" -- --forward-mode=$mine --txpkts "$len" \
    "${opt[@]}" --total-num-pkts "$n" >"$work/$1.log" 2>&1 &
  local vg=$!
  # the native peer first in line: a ring it leaves full would add refused
  # bursts to the count of the Tx side
  nice -n -10 "$fwd" -l 0,1 "${E[@]}" --file-prefix "cgt$$" --vdev "net_ivshmem0,shm=$shm,size=$size,id=1$peer_zc$geo" \
    -- --forward-mode=$peer --txpkts "$len" --duration 300 >"$work/$1-peer.log" 2>&1 &
  local p=$!
  wait $vg || { echo "ivshmem-fwd under valgrind failed: $(tail -3 "$work/$1.log")" >&2; kill $p; exit 1; }
  kill -INT $p 2>/dev/null; wait $p 2>/dev/null || true
  echo "$cg"
}

has() { [[ " $modes " == *" $1 "* ]]; }
if has rx; then
  rx=$(run rx)
  echo "Rx rx_channel per packet: $(per_packet "$rx" ':rx_channel \\[')"
fi
if has rxzc; then
  rxzc=$(run rxzc)
  # zero_copy=1: the burst's channel work (rx_channel_zc), then what the
  # application's free adds per packet (the free callback that marks the slot)
  echo "Rx zero_copy=1 rx_channel_zc per packet: $(per_packet "$rxzc" ':rx_channel_zc \\[')"
  echo "  its free callback per packet (in the application's mbuf free): $(per_packet "$rxzc" ':zc_free_cb \\[')"
fi
tx_re='=> [^ ]*:(eth_ivshmem_tx|ivshmem_tx_burst) [(]'
if has tx; then
  tx=$(run tx)
  echo "Tx burst per packet (its rte_pktmbuf_free_bulk included): $(per_packet "$tx" "$tx_re")"
  echo "  (Tx bursts refused whole, ring full: $(sed -n 's/.*idle-loops=\([0-9]*\).*/\1/p' "$work/tx.log" | tail -1))"
fi
if has txzc; then
  txzc=$(run txzc)
  # pool mode: the burst publishes in place and frees the completed mbufs
  # (the application's allocation from the Tx pool is outside it)
  echo "Tx zero-copy burst per packet (its completion frees included): $(per_packet "$txzc" "$tx_re")"
  grep -q "zero-copy tx=[1-9][0-9]* tx-copied=0 " "$work/txzc.log" ||
    echo "  (warning: not all frames went in place: $(grep zero-copy "$work/txzc.log"))"
fi
