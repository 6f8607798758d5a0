#!/usr/bin/env bash
# Suite `dpdk-apps`: libivshmem (examples/ivshmem-frames, no DPDK) as the
# peer of stock dpdk-testpmd on net_ivshmem, through our server.
# Usage: test-libivshmem.sh CASE (env: BUILD = meson build dir)
#  echo    testpmd io forwarding on its one port reflects 20000 checked
#          frames (64..1514 B) of the library back to it: testpmd sees its
#          link up with the library, receives and sends exactly 20000 (none
#          dropped: at most 256 in flight), and every frame comes back in
#          order with its checksum intact. Then the library restarts (the
#          id's next generation): testpmd sees it leave and come back, and
#          5000 more come back intact (nothing stale on either side).
#  rxonly  the library sends 20000 frames: testpmd rxonly counts exactly 20000.
#  txonly  testpmd txonly sends until stopped: the library receives exactly
#          the TX-packets testpmd reports, every one a txonly IPv4/UDP frame.
#  doorbells  the library (reflecting) sleeps on its doorbell fd between
#          the PMD's paced bursts (ivshmem-traffic --rx-intr): every one of
#          3000 checked frames comes back, and the PMD rang the library's
#          doorbell (its wake token understood). The library's own doorbells
#          are printed, not asserted: the PMD sleeps only after its last send,
#          when the library has mostly answered already (a library ringing a
#          sleeping peer is asserted in host/libivshmem-pkgconfig).
set -uo pipefail
case_=$1
HARNESS_TAG=liv
# shellcheck source=../lib/pmd-harness.sh
. "$(dirname "$0")/../lib/pmd-harness.sh"
frames=$BUILD/examples/ivshmem-frames
count=20000

testpmd() { # testpmd MODE ARGS...: stock testpmd on the server's region (stdin open 60 s)
  local mode=$1; shift
  # shellcheck disable=SC2046
  run_cmd tp "${sys_env[@]}" dpdk-testpmd $(eal tp) --lcores 0@0,1@1 \
    --vdev "net_ivshmem0,server=$sock" -- --total-num-mbufs 8192 --port-topology=loop \
    --forward-mode="$mode" --stats-period 1 --no-lsc-interrupt --no-flush-rx "$@" \
    < <(sleep 60 2>/dev/null)
}

lib() { # lib ARGS...: ivshmem-frames on the server's region in the background
  run_cmd lib "$frames" --port "server=$sock" "$@"
}

stop_testpmd() {
  kill -INT "$pid_tp"
  wait_pid "$pid_tp" 20 || fail "testpmd exited $?"
}

# final "Forward statistics" of port 0: FIELD is RX-packets, TX-packets, TX-dropped...
tp_final() { grep -Eo "$1: +[0-9]+" "$work/tp.log" | tail -1 | awk '{print $2}'; }

tp_link_up() {
  wait_for "grep -q 'link up (peer' '$work/tp.log'" 20 || fail "testpmd never saw its link up with the library"
  grep -m1 -o 'link up (peer [0-9]*)' "$work/tp.log"
}

start_server 2
case $case_ in
echo)
  testpmd io
  lib --send $count --window 256 --expect $count --min-size 64 --max-size 1514 --timeout 60
  tp_link_up
  wait_pid "$pid_lib" 90; rc=$?
  grep '^RESULT\|^STATS\|^LINK' "$work/lib.log"
  [ $rc -eq 0 ] && grep -q "^RESULT sent=$count received=$count bad=0 " "$work/lib.log" ||
    fail "the library did not get its $count frames back intact (exit $rc)"
  # a restarted library peer (next generation of the id) is reflected again:
  # testpmd saw the link go down and up, nothing stale reached either side
  wait_for "grep -q 'link down (peer' '$work/tp.log'" 10 || fail "testpmd never saw the library leave"
  cp "$work/lib.log" "$work/lib1.txt"
  lib --send 5000 --window 256 --expect 5000 --min-size 64 --max-size 1514 --timeout 60
  wait_pid "$pid_lib" 90; rc=$?
  grep '^LINK\|^RESULT' "$work/lib.log"
  [ $rc -eq 0 ] && grep -q "^RESULT sent=5000 received=5000 bad=0 " "$work/lib.log" ||
    fail "the restarted library did not get its 5000 frames back intact (exit $rc)"
  [ "$(grep -c 'link up (peer' "$work/tp.log")" -ge 2 ] || fail "testpmd did not see the restarted library"
  stop_testpmd
  total=$((count + 5000))
  rx=$(tp_final RX-packets) tx=$(tp_final TX-packets) dropped=$(tp_final TX-dropped)
  echo "testpmd: RX-packets $rx TX-packets $tx TX-dropped $dropped"
  [ "$rx" = $total ] && [ "$tx" = $total ] && [ "$dropped" = 0 ] ||
    fail "testpmd counted rx=$rx tx=$tx dropped=$dropped, want $total $total 0"
  ;;
rxonly)
  testpmd rxonly
  lib --send $count --min-size 64 --max-size 1514 --timeout 60
  tp_link_up
  wait_pid "$pid_lib" 90 || fail "the library did not send its $count frames"
  grep '^RESULT\|^STATS' "$work/lib.log"
  wait_for "[ \"\$(tp_final RX-packets)\" = $count ]" 20 ||
    fail "testpmd's stats show $(tp_final RX-packets) received, want $count"
  stop_testpmd
  [ "$(tp_final RX-packets)" = $count ] || fail "testpmd received $(tp_final RX-packets), want $count"
  echo "testpmd rxonly received exactly $count"
  ;;
txonly)
  # it counts until testpmd has left and its ring is drained (no idle guess)
  lib --count-any --idle-ms 0 --timeout 60
  testpmd txonly
  tp_link_up
  wait_for "[ \"\$(tp_final TX-packets)\" != '' ] && [ \"\$(tp_final TX-packets)\" -gt 50000 ]" 30 ||
    fail "testpmd sent nothing"
  stop_testpmd
  tx=$(tp_final TX-packets)
  wait_pid "$pid_lib" 30; rc=$?
  grep '^RESULT\|^STATS' "$work/lib.log"
  [ $rc -eq 0 ] || fail "the library exited $rc"
  grep -q "^RESULT sent=0 received=$tx bad=0 reflected=0 txonly=$tx\$" "$work/lib.log" ||
    fail "want the $tx frames testpmd sent, each a txonly frame"
  grep -q ' rx_dropped=0 ' "$work/lib.log" || fail "the library dropped frames"
  echo "the library received exactly testpmd's $tx txonly frames"
  ;;
doorbells)
  lib --reflect --timeout 60
  run_bg tr "net_ivshmem0,server=$sock" --count 3000 --expect 3000 --rx-intr --pace-us 500 \
    --min-size 60 --max-size 1500 --timeout 40
  expect_pass tr "$pid_tr" 60
  kill -INT "$pid_lib"
  wait_pid "$pid_lib" 10 || fail "the library exited $?"
  grep '^RESULT\|^STATS' "$work/lib.log"
  grep -q '^RESULT sent=0 received=0 bad=0 reflected=3000 ' "$work/lib.log" ||
    fail "the library did not reflect exactly 3000 frames"
  rang=$(sed -n 's/.* doorbells=\([0-9]*\) .*/\1/p' "$work/lib.log")
  pmd_rang=$(xstat tr tx_doorbells)
  echo "doorbells: library -> PMD $rang, PMD -> library $pmd_rang"
  [ "$pmd_rang" -gt 0 ] || fail "the library slept on its doorbell but the PMD rang none"
  ;;
*) echo "unknown case $case_"; exit 2 ;;
esac
echo "PASS libivshmem-$case_"
