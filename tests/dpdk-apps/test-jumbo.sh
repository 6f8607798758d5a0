#!/usr/bin/env bash
# Suite `dpdk-apps`, jumbo: stock dpdk-testpmd at MTU 9000 on a region with
# the default 1536 B buffers (frames travel as chained descriptors).
#  1. testpmd (--max-pkt-len 9014 --enable-scatter, io forwarding on its one
#     port) reflects checksummed 9000 B frames of ivshmem-traffic back to it:
#     testpmd receives every frame; each one it sends back arrives intact
#     (none corrupt or reordered). testpmd's io mode drops what its Tx
#     refuses (our link flaps when a loaded machine delays heartbeats), so
#     the test asserts exact accounting: received back + testpmd's
#     TX-dropped = sent.
#  2. without --enable-scatter, MTU 9000 with 2 KiB mbufs is refused at
#     queue setup with a message that says what to do.
# Env: BUILD = meson build dir.
set -uo pipefail
HARNESS_TAG=jmb
# shellcheck source=../lib/pmd-harness.sh
. "$(dirname "$0")/../lib/pmd-harness.sh"
count=1000

testpmd() { # testpmd NAME ARGS...: stock testpmd on the server's region (stdin open 60 s)
  local name=$1; shift
  # shellcheck disable=SC2046
  run_cmd "$name" "${sys_env[@]}" dpdk-testpmd $(eal "$name") --lcores 0@0,1@1 \
    --vdev "net_ivshmem0,server=$sock" -- --total-num-mbufs 8192 --max-pkt-len 9014 \
    --forward-mode=io --no-lsc-interrupt --no-flush-rx "$@" < <(sleep 60 2>/dev/null)
}

start_server 2
testpmd tp --enable-scatter
# testpmd waits for link up (our peer) before it forwards; --no-flush-rx
# keeps what arrives before that in the ring
# it waits for all $count to come back, or 20 s when testpmd dropped some
run_bg a "net_ivshmem0,server=$sock" --count $count --min-size 9000 --max-size 9000 \
  --timeout 20 --pace-us 2000
wait_pid "$pid_a" 60; [ $? -ne 124 ] || fail "ivshmem-traffic hung"
tp_tx() { grep -Eo 'TX-packets: +[0-9]+ +TX-dropped: +[0-9]+' "$work/tp.log" | tail -1; }
kill -INT "$pid_tp"
wait_pid "$pid_tp" 20 || fail "testpmd exited $?"
grep -E 'RX-packets: +[0-9]+ +RX-dropped|TX-packets' "$work/tp.log" | head -2
grep -Eq "RX-packets: +$count +RX-dropped: +0 +RX-total: +$count" "$work/tp.log" ||
  fail "testpmd did not receive exactly $count frames of 9000 B"
read -r tx dropped < <(tp_tx | awk '{print $2, $4}')
grep '^RESULT' "$work/a.log"
grep -q "^RESULT sent=$count received=$tx .*reordered=0 corrupt=0" "$work/a.log" ||
  fail "want the $tx frames testpmd sent back, intact"
[ "$tx" -gt 0 ] && [ $((tx + dropped)) -eq $count ] ||
  fail "testpmd sent $tx + dropped $dropped, want $count in all"

testpmd ns
wait_pid "$pid_ns" 30; rc=$?
expect_refused "$rc" ns 'does not fit one .* mbuf.*enable Rx scatter'
echo "PASS jumbo: $count x 9000 B reflected by testpmd at MTU 9000; refused without scatter"
