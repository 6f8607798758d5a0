#!/usr/bin/env bash
# Suite dpdk-apps: DPDK's example programs (built by scripts/setup.sh) on a
# net_ivshmem port against our server, with l3-peer as the checked peer.
# Usage: dpdk-apps-test.sh SCENARIO (env BUILD, EXAMPLES).
set -u
HARNESS_TAG=apps
# shellcheck source=../lib/pmd-harness.sh
. "$(dirname "$0")/../lib/pmd-harness.sh"
: "${EXAMPLES:?EXAMPLES must point at the built DPDK examples}"
peer=$BUILD/tests/dpdk-apps/l3-peer
scenario=$1

for ex in dpdk-l2fwd dpdk-l3fwd dpdk-l3fwd-power; do
  [ -x "$EXAMPLES/$ex" ] || fail "$EXAMPLES/$ex missing: run scripts/setup.sh (it builds the DPDK examples)"
done

cpu_ticks() { # cpu_ticks PID: utime + stime of the whole process, in clock ticks
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

start_example() { # start_example NAME BINARY APP-ARGS...: on lcore 1, port 0 (-p 0x1) = net_ivshmem
  local name=$1 bin=$2; shift 2
  # shellcheck disable=SC2046
  run_cmd "$name" "${sys_env[@]}" "$EXAMPLES/$bin" $(eal "$name") -l 1 \
    --vdev "net_ivshmem0,server=$sock,vectors=2${example_devargs:-}" -- -p 0x1 "$@"
  # The peer starts once the port exists: the example waits for link up
  # (up to 9 s) before its main loop.
  wait_for "grep -q 'net_ivshmem0: port 0' '$work/$name.log'" 20 || fail "$bin did not create its port"
}

wait_main_loop() { # wait_main_loop NAME BINARY: its forwarding loop runs (ptypes accepted)
  wait_for "grep -q 'entering main\|needed ptypes' '$work/$1.log'" 20 || fail "$2 did not start its loop"
  ! grep -q 'needed ptypes' "$work/$1.log" || fail "$2: PMD can not provide needed ptypes"
}

run_peer() { # run_peer ARGS...: l3-peer in the background, sets pid_peer
  # shellcheck disable=SC2046
  run_cmd peer "$peer" $(eal peer) --vdev "net_ivshmem0,server=$sock" -- "$@"
}

case $scenario in
l3fwd-power-intr)
  # Interrupt-only without --parse-ptype: needs our ptypes; sleeps on Rx
  # interrupts (eventfds from our server) while the peer is silent.
  start_server 2
  start_example l3p dpdk-l3fwd-power --config='(0,0,1)' --interrupt-only
  idle_ms=3000
  # 1.1.1.0/24 -> port 0 in its default LPM table
  run_peer --count 4000 --dst-ip 1.1.1.1 --idle-ms $idle_ms --no-ip-cksum
  wait_main_loop l3p dpdk-l3fwd-power
  wait_for "grep -q '^IDLE' '$work/peer.log'" 30 || fail "peer got no first half back"
  t0=$(cpu_ticks "$pid_l3p"); s0=$(date +%s%N)
  wait_for "grep -q '^RESUME' '$work/peer.log'" 20 || fail "peer did not resume"
  t1=$(cpu_ticks "$pid_l3p"); s1=$(date +%s%N)
  expect_pass peer "$pid_peer" 60
  hz=$(getconf CLK_TCK)
  busy_ms=$(( (t1 - t0) * 1000 / hz )); window_ms=$(( (s1 - s0) / 1000000 ))
  echo "l3fwd-power CPU while the peer was silent: $busy_ms ms in $window_ms ms"
  [ "$window_ms" -ge $((idle_ms - 500)) ] || fail "idle window only $window_ms ms"
  # Polling would use the whole window; sleeping on interrupts only the
  # link heartbeat (10 ms period): allow 5 %.
  [ $((busy_ms * 20)) -le "$window_ms" ] || fail "l3fwd-power used $busy_ms ms CPU in $window_ms ms idle"
  grep -q 'sleeps until interrupt' "$work/l3p.log" || fail "l3fwd-power never slept on an interrupt"
  ;;
l3fwd|l3fwd-zc)
  # DPDK's l3fwd (LPM) without --parse-ptype: it needs our packet types and
  # asks for Rx checksum offload (done in software on our copy of the frame).
  # l3fwd-zc: its port on zero_copy=1, so l3fwd rewrites each frame (MACs,
  # TTL, IP checksum) inside the peer's buffer in BAR2 before sending it
  # back; the peer checks every one.
  start_server 2
  [ "$scenario" = l3fwd-zc ] && example_devargs=,zero_copy=1
  start_example l3f dpdk-l3fwd --config='(0,0,1)'
  if [ "$scenario" = l3fwd-zc ]; then
    ! grep -q 'zero_copy=1 refused' "$work/l3f.log" || fail "zero_copy=1 refused on our server's region"
  fi
  # 198.18.0.0/24 -> port 0 in its default LPM table: back to the peer
  run_peer --count 20000 --dst-ip 198.18.0.1
  wait_main_loop l3f dpdk-l3fwd
  expect_pass peer "$pid_peer" 60
  ! grep -q "doesn't match Rx offloads capabilities" "$work/l3f.log" || fail "l3fwd refused our Rx offloads"
  ;;
l2fwd|l2fwd-ptypes-off)
  # One port: l2fwd sends back out of the port it received on. The peer
  # also checks mbuf->packet_type of each frame (0 after set_ptypes(0)).
  start_server 2
  start_example l2f dpdk-l2fwd -q 1 -T 0
  mode=(); [ "$scenario" = l2fwd-ptypes-off ] && mode=(--ptypes-off)
  run_peer --count 20000 --l2 "${mode[@]}"
  wait_main_loop l2f dpdk-l2fwd
  expect_pass peer "$pid_peer" 60
  grep -q '^supported ptypes: 8$' "$work/peer.log" || fail "peer saw no 8 supported ptypes"
  ;;
*) echo "unknown scenario $scenario"; exit 2;;
esac
echo PASS
