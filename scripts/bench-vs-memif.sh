#!/usr/bin/env bash
# ivshmem-perf over net_ivshmem and Debian's net_memif, same cores (initiator
# EAL -l 0, reflector -l 1), same burst and sizes, alternating ivshmem, memif,
# ivshmem, memif...; prints per-run figures and the ivshmem/memif ratios. Then
# the dpdk-testpmd txonly->rxonly reference over memif and over net_ivshmem.
# Usage: scripts/bench-vs-memif.sh [BUILD_DIR] (env: ROUNDS=2 DURATION=2
#        SIZES=64,128,256,512,1024,1500 BURST=32 SAMPLES=100000)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
perf=$build/apps/ivshmem-perf
ROUNDS=${ROUNDS:-2}; DURATION=${DURATION:-2}; BURST=${BURST:-32}
SIZES=${SIZES:-64,128,256,512,1024,1500}; SAMPLES=${SAMPLES:-100000}
out=$(mktemp -d /tmp/bench-vs-memif.XXXXXX)
tag=bvm$$
eal="--no-huge -m 256 --no-pci --log-level=warning"
export LD_LIBRARY_PATH=$build/drivers${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -f /run/$tag-*.sock /dev/shm/$tag-*
  rm -rf /var/run/dpdk/$tag-*
}
trap cleanup EXIT

vdevs() { # kind side(0=reflector,1=initiator) name
  case $1 in
    memif) local role=server; [ "$2" = 1 ] && role=client
      echo "--vdev net_memif0,role=$role,socket-abstract=no,socket=/run/$tag-$3.sock";;
    ivshmem) echo "-d librte_net_ivshmem.so --vdev net_ivshmem0,shm=/dev/shm/$tag-$3,size=4M,id=$2";;
  esac
}
ready_path() { [ "$1" = memif ] && echo "/run/$tag-$2.sock" || echo "/dev/shm/$tag-$2"; }
wait_path() { for _ in $(seq 200); do [ -e "$1" ] && return 0; sleep 0.05; done; return 1; }

# run KIND NAME MODE-ARGS... : one initiator/reflector pair, JSON to $out/NAME.json
run() {
  local kind=$1 name=$2; shift 2
  local raw=()
  [ "$kind" = ivshmem ] && [ "$*" = "--mode=latency" ] && raw=(--raw-shm=/dev/shm/$tag-$name)
  "$perf" -l 1 $eal --file-prefix $tag-r$name $(vdevs $kind 0 $name) -- --role=reflector \
    "${raw[@]}" > "$out/$name.refl" 2>&1 &
  pids+=($!)
  wait_path "$(ready_path $kind $name)"
  "$perf" -l 0 $eal --file-prefix $tag-i$name $(vdevs $kind 1 $name) -- --role=initiator \
    --burst=$BURST --sizes=$SIZES --duration=$DURATION --samples=$SAMPLES "${raw[@]}" \
    --json="$out/$name.json" "$@" > "$out/$name.out" 2>&1
  wait "${pids[-1]}" || true
}

for r in $(seq "$ROUNDS"); do
  for kind in ivshmem memif; do
    echo "round $r: $kind latency, throughput, bidir" >&2
    run $kind $kind-lat-$r --mode=latency
    run $kind $kind-tput-$r --mode=throughput
    run $kind $kind-bidir-$r --mode=throughput --bidir
  done
done

/usr/bin/python3 - "$out" "$ROUNDS" <<'PY'
import json, sys, statistics as st
out, rounds = sys.argv[1], int(sys.argv[2])
def load(n): return json.load(open("%s/%s.json" % (out, n)))
def med(xs): return st.median(xs) if xs else float("nan")
print("\n== latency (1 packet in flight, RTT ns, median over %d rounds) ==" % rounds)
print("%-8s %9s %9s %9s %9s" % ("", "p50", "p99", "p99.9", "raw p50"))
lat = {}
for k in ("ivshmem", "memif"):
    runs = [load("%s-lat-%d" % (k, r))["latency"] for r in range(1, rounds + 1)]
    lat[k] = {q: med([x["packet"][q] for x in runs]) for q in ("p50_ns", "p99_ns", "p999_ns")}
    raw = med([x["raw"]["p50_ns"] for x in runs if "raw" in x])
    print("%-8s %9.0f %9.0f %9.0f %9s" % (k, lat[k]["p50_ns"], lat[k]["p99_ns"], lat[k]["p999_ns"],
          "%.0f" % raw if raw == raw else "-"))
print("ratio memif/ivshmem p50 %.2f  p99 %.2f" % (lat["memif"]["p50_ns"] / lat["ivshmem"]["p50_ns"],
      lat["memif"]["p99_ns"] / lat["ivshmem"]["p99_ns"]))
for mode in ("tput", "bidir"):
    print("\n== throughput %s (Mpps, median over %d rounds) ==" % (mode, rounds))
    print("%6s %10s %10s %8s %10s %10s" % ("size", "ivshmem", "memif", "ratio", "ivs loss%", "memif loss%"))
    rows = {k: [load("%s-%s-%d" % (k, mode, r))["throughput"] for r in range(1, rounds + 1)]
            for k in ("ivshmem", "memif")}
    for i, row in enumerate(rows["ivshmem"][0]):
        iv = med([x[i]["mpps"] for x in rows["ivshmem"]]); me = med([x[i]["mpps"] for x in rows["memif"]])
        print("%6d %10.3f %10.3f %8.2f %10.4f %10.4f" % (row["size"], iv, me, iv / me if me else 0,
              max(x[i]["loss_pct"] for x in rows["ivshmem"]), max(x[i]["loss_pct"] for x in rows["memif"])))
PY

# dpdk-testpmd reference: txonly (core 0) -> rxonly (core 1), 64 B, burst 32
testpmd_pair() { # kind
  local kind=$1 name=tp-$1 rx
  # -i -a: autostart, then read commands; the 2nd "show port stats" gives the
  # rate over the second between the two
  timeout 40 dpdk-testpmd -l 1,0 --main-lcore 0 $eal --file-prefix $tag-rx$name $(vdevs $kind 0 $name) -- \
    -i -a --total-num-mbufs=16384 --forward-mode=rxonly --burst=$BURST --nb-cores=1 \
    < <(sleep $((DURATION + 1)); echo "show port stats all"; sleep 1; echo "show port stats all";
        sleep 3; echo stop; echo quit) > "$out/$name.rx" 2>&1 &
  rx=$!; pids+=($rx)
  wait_path "$(ready_path $kind $name)"
  timeout 40 dpdk-testpmd -l 1,0 --main-lcore 1 $eal --file-prefix $tag-tx$name $(vdevs $kind 1 $name) -- \
    -i -a --total-num-mbufs=16384 --forward-mode=txonly --txpkts=64 --burst=$BURST --nb-cores=1 \
    < <(sleep $((DURATION + 3)); echo stop; echo quit) > "$out/$name.tx" 2>&1 || true
  wait $rx || true
  echo "testpmd txonly->rxonly over $kind, 64 B: $(grep -E 'Rx-pps:' "$out/$name.rx" | tail -1 | tr -s ' ')"
}
echo
testpmd_pair memif
testpmd_pair ivshmem
echo "raw outputs: $out"
