#!/bin/bash
# Suite `dpdk-apps`, secondary processes: DPDK's own multi-process tools
# (dpdk-proc-info, dpdk-dumpcap) and testpmd's --num-procs split against a
# primary testpmd on net_ivshmem (host backend, real server, hugepages).
# Scenarios: proc-info dumpcap secondary-rx secondary-rx-zc (the same with
# zero_copy=1: the primary holds the peer's buffers, the secondary copies)
set -uo pipefail
scenario=$1
HARNESS_TAG=ivmp
# shellcheck source=../lib/pmd-harness.sh
. "$(dirname "$0")/../lib/pmd-harness.sh"

N=1000
# hugepages for a primary that secondaries can join: reserved and mounted
# here (private mount point), given back on exit by the harness's cleanup
# shellcheck source=../lib/hugepages.sh
. "$(dirname "$0")/../lib/hugepages.sh"
huge_acquire 512 "$work/huge"

prefix=$tag-primary
# primary: testpmd rxonly on hugepages (secondaries share its memory)
vdev="net_ivshmem0,server=$sock,queues=2,ring_size=256"
[ "$scenario" = secondary-rx-zc ] && vdev+=",zero_copy=1"
start_primary() { # start_primary EXTRA-TESTPMD-ARGS...
  run_cmd primary stdbuf -oL dpdk-testpmd -l 0,1 -m 256 --huge-dir "$huge_dir" --no-pci --file-prefix "$prefix" \
    -d $pmd --vdev "$vdev" -- --total-num-mbufs 8192 \
    --forward-mode=rxonly --no-lsc-interrupt --disable-link-check "$@" < <(sleep 60 2>/dev/null)
  wait_for "grep -qs 'Press enter to exit' $work/primary.log" 30 || fail "primary did not start"
}

send_n() { # send_n: the peer sends $N checked 64 B packets to the primary
  run_fg peer "$vdev" --count $N --expect 0 --min-size 64 --max-size 64 \
    || fail "peer could not send $N packets"
}

proc_info() { # proc_info NAME ARGS...: dpdk-proc-info as a secondary of the primary
  local name=$1; shift
  "${sys_env[@]}" dpdk-proc-info --file-prefix "$prefix" -d $pmd --log-level=pmd.net.ivshmem:info \
    -- "$@" > "$work/$name.log" 2>&1 || fail "dpdk-proc-info $* exited $?"
}

start_server 2
case $scenario in
proc-info)
  start_primary
  send_n
  # the peer is done once its ring took all N; the primary polls them soon after
  stats_rx() { proc_info stats --stats; rx=$(grep -Eo 'RX-packets: +[0-9]+' "$work/stats.log" | awk '{print $2}' | head -1); }
  wait_for 'stats_rx; [ "$rx" = "$N" ]' 10 || fail "proc-info --stats: RX-packets ${rx:-none}, want $N"
  grep -q 'NIC statistics for port 0 ' "$work/stats.log" || fail "proc-info shows no port 0"
  proc_info xstats --xstats
  grep -Eq "rx_good_packets: +$N\$|rx_good_packets: $N\$" "$work/xstats.log" \
    || fail "proc-info --xstats: rx_good_packets is not $N"
  echo "PASS proc-info: RX-packets $rx, rx_good_packets $N"
  ;;
dumpcap)
  # dumpcap takes no -d: the PMD's constructors register it when preloaded.
  # The libraries testpmd links (Debian: mempool_dpaa among them) go first:
  # mempool ops are numbered in registration order and pdump's copies into
  # dumpcap's pool use the primary's numbering; without the same order every
  # copy fails (dumpcap: "received/dropped 0/N"), whatever the PMD.
  testpmd_libs=$(readelf -d "$(command -v dpdk-testpmd)" |
    sed -n 's/.*Shared library: \[\(librte_[^]]*\)\]/\1/p' | tr '\n' :)
  start_primary
  run_cmd dump env LD_PRELOAD="$testpmd_libs$BUILD/drivers/$pmd" dpdk-dumpcap --file-prefix="$prefix" \
    -i net_ivshmem0 -c $N -w "$work/cap.pcapng"
  wait_for "grep -qs 'Packets captured' $work/dump.log" 20 || fail "dumpcap did not start"
  send_n
  wait_pid "$pid_dump" 20 || fail "dumpcap exited $? (124: still running: it saw fewer than $N packets)"
  got=$(python3 "$(dirname "$0")/pcapng-count.py" "$work/cap.pcapng" 64) || fail "bad capture file"
  [ "$got" = "$N" ] || fail "capture holds $got packets of 64 B, want $N"
  echo "PASS dumpcap: $got packets in $work/cap.pcapng"
  ;;
secondary-rx|secondary-rx-zc)
  # symmetric_mp style with testpmd's own split: 2 Rx queues, the primary
  # (proc-id 0) polls queue 0, the secondary (proc-id 1) queue 1. The peer
  # (testpmd txonly, 2 Tx queues) fills channel 0 and channel 1.
  # The secondary's lcore ids (2, 3) differ from the primary's (0, 1): a
  # mempool's per-lcore caches live in shared memory, indexed by lcore id,
  # and two threads of one id race on one cache (the same mbuf handed to
  # both processes: with zero_copy=1 the secondary then freed the primary's
  # external buffer, a SIGSEGV on the primary's free callback, and a slot
  # stayed held for good, stalling queue 0). Placement: the secondary's
  # lcore and the peer's sender share CPU 0, the primary's polls CPU 1 alone.
  split=(--num-procs=2 --rxq=2 --txq=2)
  start_primary "${split[@]}" --proc-id=0
  run_cmd second stdbuf -oL dpdk-testpmd --lcores 2@0,3@0 --proc-type=secondary --no-pci --file-prefix "$prefix" \
    -d $pmd -- --forward-mode=rxonly --disable-link-check "${split[@]}" --proc-id=1 \
    < <(sleep 60 2>/dev/null)
  wait_for "grep -qs 'Press enter to exit' $work/second.log" 30 || fail "secondary testpmd did not start"
  # The peer sends for 2 s from the moment it forwards (its stdin closes
  # then), not from its start: a slow EAL start on a loaded machine left
  # a few dozen frames, too few to tell a stalled queue.
  peer_stdin() { wait_for "grep -qs 'Press enter to exit' $work/peer.log" 60; sleep 2; }
  # shellcheck disable=SC2046
  run_cmd peer stdbuf -oL dpdk-testpmd $(eal peer) --lcores 0@0,1@0 --vdev "$vdev" -- --forward-mode=txonly \
    --rxq=2 --txq=2 --disable-link-check --total-num-mbufs 8192 < <(peer_stdin 2>/dev/null)
  wait_pid "$pid_peer" 30 || fail "peer testpmd exited $?"
  for p in primary second; do # a dead poller leaves its ring full: say so first
    pid_var=pid_$p
    kill -0 "${!pid_var}" 2>/dev/null || { wait "${!pid_var}"; fail "$p testpmd died (exit $?)"; }
  done
  sent=$(grep -Eo 'TX-packets: +[0-9]+' "$work/peer.log" | awk '{print $2}' | tail -1)
  # enough for a stall to show: a stalled queue 0 got a few ring-fulls
  [ "${sent:-0}" -ge 20000 ] || fail "the peer sent ${sent:-nothing} in 2 s, want 20000 or more"
  # what the peer sent per Tx queue (its per-stream forward stats)
  sent_q() { awk -v q="$1" '/Forward Stats for RX Port=/ { s = ($0 ~ "/Queue= *" q " ->") }
             s && /TX-packets:/ { print $4; exit }' "$work/peer.log"; }
  sent_q0=$(sent_q 0) sent_q1=$(sent_q 1)
  [ $((sent_q0 + sent_q1)) = "$sent" ] || fail "peer's per-queue TX $sent_q0 + $sent_q1 is not its total $sent"
  xs() { proc_info xstats --xstats; q0=$(sed -n 's/^rx_q0_packets: //p' "$work/xstats.log")
         q1=$(sed -n 's/^rx_q1_packets: //p' "$work/xstats.log"); }
  # everything the peer sent is received, each queue by its own process
  wait_for 'xs; [ $((q0 + q1)) = "$sent" ]' 10 || fail "received q0 $q0 + q1 $q1, peer sent $sent"
  [ "$q0" = "$sent_q0" ] && [ "$q1" = "$sent_q1" ] \
    || fail "received q0 $q0, q1 $q1; the peer sent q0 $sent_q0, q1 $sent_q1"
  [ "$q1" -gt 0 ] || fail "the secondary received nothing on queue 1"
  # the primary's queue has a CPU of its own: it is never starved (a stalled
  # ring got a few ring-fulls in 2 s while the other queue got millions)
  [ "$q0" -ge $((sent / 4)) ] || fail "primary's queue 0 starved: $q0 of $sent"
  if [ "$scenario" = secondary-rx-zc ]; then
    # zero-copy frames come from the primary's queue only: a secondary
    # copies. testpmd frees each burst before the next one, so every frame
    # of queue 0 goes zero-copy (none beyond the bound) and none stays held.
    zc=$(sed -n 's/^rx_zero_copy: //p' "$work/xstats.log")
    copied=$(sed -n 's/^rx_zero_copy_copied: //p' "$work/xstats.log")
    held=$(sed -n 's/^rx_zero_copy_held: //p' "$work/xstats.log")
    [ "${zc:-none}" = "$q0" ] || fail "rx_zero_copy ${zc:-none}: want $q0 (all of the primary's queue 0)"
    [ "${copied:-none}" = 0 ] || fail "rx_zero_copy_copied ${copied:-none}, want 0: a slot stayed busy"
    [ "${held:-none}" = 0 ] || fail "rx_zero_copy_held ${held:-none} after testpmd freed every mbuf, want 0"
    echo "rx_zero_copy $zc of the primary's $q0, copied 0, held 0"
  fi
  echo "PASS secondary-rx: peer sent $sent (q0 $sent_q0, q1 $sent_q1), primary q0 $q0, secondary q1 $q1"
  ;;
*) fail "unknown scenario $scenario" ;;
esac
