#!/usr/bin/env bash
# The main job: installs what is missing (Debian 12, root), builds, then on
# this host starts our ivshmem-server and two net_ivshmem peers running
# ivshmem-perf (reflector on core 1, initiator on core 0): latency, the raw
# cache-line floor, and throughput, printed as tables; SVG/JSON in build/demo.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh"
cd "$top"
ninja -C build >/dev/null
build=$top/build
out=$build/demo
mkdir -p "$out"
tag=ivshmem-demo-$$
sock=/run/$tag.sock
# The raw floor is a cache line ping-ponged between the two cores; it needs
# no ivshmem region, so it gets a small file of its own and the server keeps
# its default, sealed memory (a named -M region cannot be sealed).
floor=/dev/shm/$tag-floor
eal=(--no-huge -m 256 --no-pci --no-telemetry --log-level=warning -d librte_net_ivshmem.so)
export LD_LIBRARY_PATH=$build/drivers${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
pids=()
truncate -s 4096 "$floor"
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "/var/run/dpdk/$tag"-*
  rm -f "$floor"
}
trap cleanup EXIT

echo "== ivshmem-server: $sock, 4 MiB sealed shared memory, 2 vectors"
"$build/host/ivshmem-server" -F -v -S "$sock" -l 4M -n 2 >"$out/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
[ -S "$sock" ] || { echo "server did not start: $(cat "$out/server.log")"; exit 1; }

# pair NAME INITIATOR-ARGS...: a reflector (core 1) and an initiator (core 0);
# for latency both also ping-pong a raw cache line in $floor (the floor)
pair() {
  local name=$1; shift
  local raw=()
  [ "$name" = latency ] && raw=(--raw-shm="$floor")
  "$build/apps/ivshmem-perf" -l 1 "${eal[@]}" --file-prefix "$tag-r$name" \
    --vdev "net_ivshmem0,server=$sock" -- --role=reflector \
    "${raw[@]}" >"$out/$name-reflector.log" 2>&1 &
  local refl=$!
  pids+=($refl)
  "$build/apps/ivshmem-perf" -l 0 "${eal[@]}" --file-prefix "$tag-i$name" \
    --vdev "net_ivshmem0,server=$sock" -- --role=initiator \
    "${raw[@]}" --json="$out/$name.json" "$@"
  wait "$refl" || true
}

echo; echo "== latency: one packet in flight, two processes through BAR2"
pair latency --mode=latency --samples=200000 --svg="$out/latency.svg"
echo; echo "== throughput: one direction, burst 32"
pair throughput --mode=throughput --duration=1 --sizes=64,128,256,512,1024,1500
echo
echo "Latency histogram/CDF: $out/latency.svg   JSON: $out/latency.json $out/throughput.json"
