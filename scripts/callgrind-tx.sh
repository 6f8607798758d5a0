#!/usr/bin/env bash
# Tx instructions per packet, deterministic: pmd-checks' hotpath-tx case
# (the PMD's Tx alone, 20000 bursts of 32 frames, this process reading each
# burst as the peer) under callgrind. Unlike callgrind-hotpath.sh, no peer
# process sets the pace, so no burst is short or refused and two builds
# compare exactly.
# Usage: scripts/callgrind-tx.sh [BUILD_DIR]   (env LEN: frame bytes, 64;
# ZTX=1: frames from the queue's zero-copy Tx pool, rte_pmd_ivshmem.h)
set -euo pipefail
build=$(realpath "${1:-build}")
len=${LEN:-64}
work=$(mktemp -d /tmp/cg-tx.XXXXXX)
shm=/dev/shm/cg-tx-$$
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"; rm -f "$shm"; rm -rf /var/run/dpdk/cgx$$' EXIT
export LD_LIBRARY_PATH=$build/drivers HOTPATH_LEN=$len
[ -z "${ZTX:-}" ] || export HOTPATH_ZTX=1
valgrind --tool=callgrind --callgrind-out-file="$work/cg" "$build/tests/dpdk/pmd-checks" \
  --no-huge -m 256 --no-pci --file-prefix "cgx$$" -d librte_net_ivshmem.so -- "$shm" hotpath-tx \
  >"$work/log" 2>&1 || { echo "pmd-checks hotpath-tx failed: $(tail -3 "$work/log")" >&2; exit 1; }
bursts=$(sed -n 's/^hotpath-tx: \([0-9]*\) Tx bursts.*/\1/p' "$work/log")
callgrind_annotate --inclusive=yes --threshold=100 "$work/cg" 2>/dev/null |
  awk -v n="$((bursts * 32))" -v what="$(grep '^hotpath-tx:' "$work/log")" '
    { gsub(",", "", $1) }
    $0 ~ /:ivshmem_tx_burst [(]/ && !got { printf "%s: ivshmem_tx_burst %.1f instructions per packet\n", what, $1 / n; got = 1 }'
