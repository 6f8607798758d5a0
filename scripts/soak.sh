#!/usr/bin/env bash
# Soak (not in CI): two net_ivshmem processes through our ivshmem-server,
# COUNT packets each way at once (default 5*10^8, i.e. 10^9 in all), every
# packet carrying a sequence number and a checksum; lossless (Tx retries).
# Exits 0 only if both sides report 0 lost, 0 reordered, 0 corrupted and the
# ethdev counters agree. Usage: scripts/soak.sh [BUILD_DIR]
# env: COUNT=500000000 MIN_SIZE=60 MAX_SIZE=128
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
count=${COUNT:-500000000}
min=${MIN_SIZE:-60} max=${MAX_SIZE:-128}
tag=soak$$
sock=/run/$tag.sock
export LD_LIBRARY_PATH=$build/drivers${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
eal="--no-huge -m 256 --no-pci --log-level=warning -d librte_net_ivshmem.so"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "/var/run/dpdk/$tag"-* "/tmp/$tag".*.log
}
trap cleanup EXIT
"$build/host/ivshmem-server" -F -S "$sock" -M "$tag" -l 4M -n 2 &
pids+=($!)
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
start=$(date +%s)
for side in 0 1; do
  # shellcheck disable=SC2086
  "$build/tests/dpdk/ivshmem-traffic" -l $side $eal --file-prefix "$tag-$side" \
    --vdev "net_ivshmem0,server=$sock" -- --count "$count" --min-size "$min" \
    --max-size "$max" --seed $((side + 1)) --timeout 86400 >"/tmp/$tag.$side.log" 2>&1 &
  pids+=($!)
done
rc=0
wait "${pids[1]}" || rc=1
wait "${pids[2]}" || rc=1
secs=$(( $(date +%s) - start ))
grep -h '^RESULT\|^PASS\|^FAIL' "/tmp/$tag.0.log" "/tmp/$tag.1.log"
echo "soak: 2 x $count packets of $min..$max B in ${secs}s ($(( 2 * count / (secs > 0 ? secs : 1) )) packets/s), $([ $rc -eq 0 ] && echo PASS || echo FAIL)"
exit $rc
