#!/usr/bin/env bash
# Suite `fault`: the PMD when things go wrong, with real processes.
# Usage: fault-test.sh SCENARIO   (env: BUILD = meson build dir; KILLS = 20)
#   peer-kill      kill -9 a peer mid-traffic KILLS times: the survivor never
#                  crashes or sees a corrupt packet, reports link down within
#                  100 ms of the kill (the median; every one within 1 s: a
#                  loaded 2-core machine can leave the survivor's alarm
#                  thread unscheduled for 300 ms) and resumes with each new peer
#   link-timeout   a survivor with link_timeout_ms=1000: a peer stopped for
#                  300 ms leaves its link up (the default 60 ms would not);
#                  a killed one takes it down within 1000 + 1000 ms
#   server-kill    kill -9 the server: established peers keep exchanging;
#                  a restarted server (same socket) accepts new peers
#   shm-same-id    a second process claiming a live id is refused
#   shm-version    a region with another layout major version is refused
#   shm-too-small  queues=8 on a 4M file is refused naming the sizes
#   start-race     ROUNDS (20) pairs started at the same moment on a new shm
#                  file, then ROUNDS pairs on a new server each: all attach
#                  and exchange checked traffic
#   stalled-format a region left in FORMATTING by a dead formatter is taken
#                  over after a second, and two peers then exchange traffic
#   shm-untrusted  a symlink and a file owned by another user are refused
#   shm-truncate / server-truncate
#                  a peer truncates the region (a shm= file; the server's -M
#                  POSIX name) to 0 mid-traffic: both processes survive (no
#                  SIGBUS death), log the reason, keep the link down, count it
#                  in xstats and exit 0 when told
#   unplug-started rte_dev_remove of a started port succeeds and the peer sees
#                  it leave at once ('peer not attached', not a heartbeat
#                  timeout)
#   close-in-lsc   an application closes the port from its LSC callback when
#                  the peer leaves: it must not crash afterwards (the link
#                  monitor must not re-arm itself on the freed port)
#   sealed-truncate our server's default region (a sealed memfd): a peer
#                  that truncates it through its fd gets EPERM, both peers
#                  keep exchanging checked traffic, region_unsealed=0
#   testpmd-truncate the issue's reproduction: stock dpdk-testpmd rxonly and
#                  txonly through the server, truncate -s 0: both survive
set -uo pipefail
scenario=$1
HARNESS_TAG=ivf
# shellcheck source=../lib/pmd-harness.sh
. "$(dirname "$0")/../lib/pmd-harness.sh"
kills=${KILLS:-20}
max_down_ms=${MAX_DOWN_MS:-100}   # the median over the kills
max_down_any_ms=${MAX_DOWN_ANY_MS:-1000}
# down_after: when the survivor's link went down for the kill at $killed
# (taken just before kill -9): its first LINK down at or after it, or
# $killed itself when the link was already down then (a starved peer's
# heartbeat flapped it just before the kill: seen under ASan at load 8).
down_after() {
  awk -v k="$killed" -F'[= ]' '
    /^LINK (up|down)/ { if ($4 < k) { state = $2; next }
                        if ($2 == "down") { print $4; done = 1; exit } }
    END { if (!done && state == "down") print k }' "$work/s.log"
}

count() { grep -c "$2" "$work/$1.log" 2>/dev/null; }

truncate_mid_traffic() { # truncate_mid_traffic FILE VDEV_A VDEV_B
  local region=$1 n
  run_bg a "$2" --survive 60 --seed 1
  run_bg b "$3" --survive 60 --seed 2
  wait_for "[ \$(count a RESUMED) -ge 1 ] && [ \$(count b RESUMED) -ge 1 ]" 20 ||
    fail "no traffic before the truncation"
  for n in a b; do
    grep -q 'BAR2 is not sealed against shrinking' "$work/$n.log" ||
      fail "$n did not warn that its region is unsealed"
  done
  sleep 0.3 # let traffic run a while (not a sync)
  truncate -s 0 "$region" || fail "cannot truncate $region"
  for n in a b; do
    wait_for "grep -q 'region truncated by a peer' '$work/$n.log'" 10 ||
      fail "$n: no 'region truncated by a peer' after the truncation"
    wait_for "[ \"\$(grep '^LINK' '$work/$n.log' | tail -1 | cut -d' ' -f2)\" = down ]" 5 ||
      fail "$n: link not down after the truncation"
  done
  sleep 0.5 # the link must stay down (a duration, not a sync)
  for n in a b; do
    p=pid_$n
    kill -0 "${!p}" 2>/dev/null || fail "$n died after the truncation"
    [ "$(grep '^LINK' "$work/$n.log" | tail -1 | cut -d' ' -f2)" = down ] ||
      fail "$n: link came back up on a truncated region"
    grep 'region truncated by a peer' "$work/$n.log" | head -1
  done
  kill -INT "$pid_a" "$pid_b"
  stop_and_check a "$pid_a"; stop_and_check b "$pid_b"
  for n in a b; do
    [ "$(xstat $n region_unsealed)" -eq 1 ] || fail "$n: xstat region_unsealed is not 1"
    [ "$(xstat $n region_truncated)" -ge 1 ] || fail "$n: xstat region_truncated is 0"
    echo "$n: region_unsealed=1 region_truncated=$(xstat $n region_truncated)"
  done
}

stop_and_check() { # stop_and_check NAME PID: SIGINT, then it must exit 0 with PASS within 20 s
  kill -INT "$2" 2>/dev/null
  expect_pass "$1" "$2" 20
}

case $scenario in
peer-kill)
  start_server
  run_bg s "net_ivshmem0,server=$sock" --survive 300 --min-size 16 --max-size 1500 --seed 1
  worst=0; delays=()
  for i in $(seq 1 "$kills"); do
    run_bg v "net_ivshmem0,server=$sock" --count 100000000 --expect 0 --seed $((i + 1)) \
      --min-size 16 --max-size 1500 --timeout 60
    # traffic of this life has reached the survivor
    wait_for "[ \$(count s RESUMED) -ge $i ]" 20 || fail "life $i: survivor got no packet"
    kill -0 "$pid_s" 2>/dev/null || fail "survivor died"
    sleep 0.$((RANDOM % 3 + 1)) # let traffic run a random while (not a sync)
    killed=$(date +%s%3N); kill -9 "$pid_v"
    wait "$pid_v" 2>/dev/null
    # the first link down after the kill (a start-up flap may precede it)
    wait_for '[ -n "$(down_after)" ]' 5 || fail "life $i: no link down after the kill"
    down=$(down_after)
    delay=$((down - killed))
    [ $delay -gt $worst ] && worst=$delay
    delays+=("$delay")
    echo "kill $i: link down after ${delay} ms"
    [ $delay -le "$max_down_any_ms" ] ||
      fail "kill $i: link down ${delay} ms after the kill (> $max_down_any_ms)"
  done
  median=$(printf '%s\n' "${delays[@]}" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
  [ "$median" -le "$max_down_ms" ] ||
    fail "median link-down delay ${median} ms over $kills kills (> $max_down_ms)"
  # and it resumes once more after the last kill
  run_bg v "net_ivshmem0,server=$sock" --count 100000000 --expect 0 --seed 99 --timeout 60
  wait_for "[ \$(count s RESUMED) -gt $kills ]" 20 || fail "survivor did not resume after the last kill"
  kill -9 "$pid_v"
  stop_and_check s "$pid_s"
  echo "link-down delay over $kills kills: median $median ms, worst $worst ms"
  ;;
link-timeout)
  # What the devarg decides, with margins a loaded sanitizer run keeps: a
  # peer stopped for 300 ms (SIGSTOP, its heartbeat still) leaves the link
  # up at link_timeout_ms=1000, where the default 60 ms takes it down; a
  # killed one takes it down within the timeout + 1 s.
  start_server
  timeout_ms=1000
  run_bg s "net_ivshmem0,server=$sock,link_timeout_ms=$timeout_ms" --survive 120 --seed 1
  for i in 1 2 3; do
    run_bg v "net_ivshmem0,server=$sock" --count 100000000 --expect 0 --seed $((i + 1)) --timeout 60
    wait_for "[ \$(count s RESUMED) -ge $i ]" 20 || fail "life $i: survivor got no packet"
    downs=$(grep -c '^LINK down' "$work/s.log")
    kill -STOP "$pid_v"; sleep 0.3; kill -CONT "$pid_v" # the stop's length, not a sync
    sleep 0.1 # a heartbeat period or ten for the survivor to judge it
    [ "$(grep -c '^LINK down' "$work/s.log")" -eq "$downs" ] ||
      fail "life $i: a peer stopped for 300 ms took the link down at link_timeout_ms=$timeout_ms"
    killed=$(date +%s%3N); kill -9 "$pid_v"
    wait "$pid_v" 2>/dev/null
    wait_for '[ -n "$(down_after)" ]' 5 || fail "life $i: no link down after the kill"
    delay=$(($(down_after) - killed))
    echo "life $i: stopped 300 ms: link stayed up; killed: link down after ${delay} ms (link_timeout_ms=$timeout_ms)"
    [ $delay -le $((timeout_ms + max_down_any_ms)) ] || fail "kill $i: link down after $delay ms"
  done
  stop_and_check s "$pid_s"
  ;;
server-kill)
  start_server
  run_bg a "net_ivshmem0,server=$sock" --survive 60 --seed 1
  run_bg b "net_ivshmem0,server=$sock" --survive 60 --seed 2
  wait_for "[ \$(count a RESUMED) -ge 1 ] && [ \$(count b RESUMED) -ge 1 ]" 20 ||
    fail "no traffic before the server kill"
  kill -9 "$pid_server"; wait "$pid_server" 2>/dev/null
  kill -USR1 "$pid_a" "$pid_b"
  wait_for "[ \$(count a MARK) -ge 1 ] && [ \$(count b MARK) -ge 1 ]" 10 || fail "no mark"
  sleep 1 # traffic after the server died (a duration, not a sync)
  # checked before stopping: the first to stop takes the other's link down
  for n in a b; do
    downs=$(sed -n '/^MARK/,$p' "$work/$n.log" | grep -c '^LINK down')
    [ "$downs" -eq 0 ] || fail "$n saw the link go down when the server died"
  done
  kill -INT "$pid_b"
  stop_and_check a "$pid_a"; stop_and_check b "$pid_b"
  for n in a b; do
    m=$(sed -n 's/.*after_mark=\([0-9]*\).*/\1/p' "$work/$n.log")
    [ "${m:-0}" -gt 1000 ] || fail "$n received only ${m:-0} packets after the server died"
    echo "$n: $m packets after the server died, link stayed up"
  done
  # A restarted server (same socket, a new shm object) accepts new peers.
  rm -f "$sock"; start_server 2 server2
  run_bg c "net_ivshmem0,server=$sock" --count 2000 --seed 3
  run_bg d "net_ivshmem0,server=$sock" --count 2000 --seed 4
  for n in c d; do
    p=pid_$n; printf '%s (restarted server): ' "$n"; expect_pass "$n" "${!p}" 60
  done
  ;;
shm-same-id)
  shm=/dev/shm/$tag-plain
  run_bg first "net_ivshmem0,shm=$shm,size=4M,id=0" --survive 30
  wait_for "grep -q 'port 0, peer id 0' '$work/first.log'" 20 || fail "first claimant did not attach"
  kill -0 "$pid_first" 2>/dev/null || fail "first claimant exited"
  run_fg second "net_ivshmem0,shm=$shm,size=4M,id=0" --count 1; rc=$?
  expect_refused "$rc" second 'already attached and alive'
  kill -0 "$pid_first" 2>/dev/null || fail "first claimant died when the second was refused"
  stop_and_check first "$pid_first"
  ;;
shm-version)
  shm=/dev/shm/$tag-ver
  # format the region (a peer that attaches and leaves)
  run_fg fmt "net_ivshmem0,shm=$shm,size=4M,id=0" --link-sequence down --hold 0 --timeout 5 ||
    fail "could not format $shm"
  # version_major is the u16 at offset 4 of the header (lib/ivshmem_wire.h)
  printf '\x63\x00' | dd of="$shm" bs=1 seek=4 conv=notrunc status=none
  run_fg ver "net_ivshmem0,shm=$shm,size=4M,id=1" --count 1; rc=$?
  expect_refused "$rc" ver 'formatted with BAR2 layout 99.0, this ivshmem-pmd speaks layout 3.0'
  ;;
shm-too-small)
  shm=/dev/shm/$tag-small
  run_fg small "net_ivshmem0,shm=$shm,size=4M,id=0,queues=8" --count 1; rc=$?
  expect_refused "$rc" small 'the geometry .* needs'
  ;;
start-race)
  rounds=${ROUNDS:-20}
  pair() { # pair ROUND VDEV-A VDEV-B: both started at once, both must pass
    run_bg "a$1" "$2" --count 300 --seed 1 --timeout 30
    run_bg "b$1" "$3" --count 300 --seed 2 --timeout 30
    local pa=pid_a$1 pb=pid_b$1
    expect_pass "a$1" "${!pa}" 60 >/dev/null; expect_pass "b$1" "${!pb}" 60 >/dev/null
  }
  for i in $(seq 1 "$rounds"); do
    shm=/dev/shm/$tag-race$i
    pair "$i" "net_ivshmem0,shm=$shm,size=4M,id=0" "net_ivshmem0,shm=$shm,size=4M,id=1"
  done
  echo "shm=: $rounds of $rounds simultaneous pairs attached and exchanged 300 + 300 checked packets"
  for i in $(seq 1 "$rounds"); do
    rm -f "$sock"; start_server 2 "srv$i"
    pair "s$i" "net_ivshmem0,server=$sock" "net_ivshmem0,server=$sock"
    p=pid_srv$i; kill "${!p}"; wait "${!p}" 2>/dev/null
  done
  echo "server: $rounds of $rounds simultaneous pairs attached and exchanged 300 + 300 checked packets"
  ;;
stalled-format)
  shm=/dev/shm/$tag-stalled
  # what a peer that died mid-format leaves: format_state FORMATTING (the
  # u32 at offset 8, lib/ivshmem_wire.h) and half a header
  head -c 4194304 /dev/zero > "$shm"
  printf '\x01\x00\x00\x00' | dd of="$shm" bs=1 seek=8 conv=notrunc status=none
  printf 'half a header...' | dd of="$shm" bs=1 seek=16 conv=notrunc status=none
  run_bg a "net_ivshmem0,shm=$shm,size=4M,id=0" --count 500 --seed 1 --timeout 30
  run_bg b "net_ivshmem0,shm=$shm,size=4M,id=1" --count 500 --seed 2 --timeout 30
  expect_pass a "$pid_a" 60; expect_pass b "$pid_b" 60
  n=$(cat "$work/a.log" "$work/b.log" | grep -c 'stayed in FORMATTING')
  [ "$n" -ge 1 ] || fail "no peer said it took the stalled format over"
  grep -h 'stayed in FORMATTING' "$work/a.log" "$work/b.log"
  ;;
shm-untrusted)
  real=/dev/shm/$tag-real; link=/dev/shm/$tag-link; theirs=/dev/shm/$tag-theirs
  head -c 4194304 /dev/zero > "$real"; ln -s "$real" "$link"
  run_fg sym "net_ivshmem0,shm=$link,size=4M,id=0" --count 1; rc=$?
  expect_refused "$rc" sym 'symlink'
  head -c 4194304 /dev/zero > "$theirs"; chown 12345 "$theirs"
  run_fg own "net_ivshmem0,shm=$theirs,size=4M,id=0" --count 1; rc=$?
  expect_refused "$rc" own 'belongs to uid 12345'
  ;;
shm-truncate)
  shm=/dev/shm/$tag-trunc
  truncate_mid_traffic "$shm" "net_ivshmem0,shm=$shm,size=4M,id=0" "net_ivshmem0,shm=$shm,size=4M,id=1"
  ;;
server-truncate)
  start_server # -M: a POSIX name any host process can open, so unsealed
  truncate_mid_traffic "/dev/shm/$tag-server" "net_ivshmem0,server=$sock" "net_ivshmem0,server=$sock"
  ;;
testpmd-truncate)
  start_server
  modes=(txonly rxonly)
  for i in 0 1; do
    # shellcheck disable=SC2046
    run_cmd tp$i "${sys_env[@]}" dpdk-testpmd $(eal tp$i) --vdev "net_ivshmem0,server=$sock" -- \
      --total-num-mbufs 8192 --forward-mode=${modes[$i]} --stats-period 1 --no-lsc-interrupt \
      < <(sleep 60 2>/dev/null)
  done
  rx_seen() { grep -Eo 'RX-packets: +[0-9]+' "$work/tp1.log" | awk '{print $2}' | sort -n | tail -1; }
  wait_for '[ -n "$(rx_seen)" ] && [ "$(rx_seen)" -gt 10000 ]' 30 || fail "testpmd moved no traffic"
  truncate -s 0 "/dev/shm/$tag-server" || fail "cannot truncate the region"
  for i in 0 1; do
    wait_for "grep -q 'region truncated by a peer' '$work/tp$i.log'" 10 ||
      fail "tp$i: no 'region truncated by a peer' after the truncation"
  done
  kill -INT "$pid_tp0" "$pid_tp1"
  for i in 0 1; do
    p=pid_tp$i; wait_pid "${!p}" 20 || fail "testpmd tp$i exited $? after the truncation"
  done
  echo "both testpmd exited 0; receiver had counted $(rx_seen) packets"
  ;;
sealed-truncate)
  run_cmd server "$server_bin" -F -S "$sock" -l 4M -n 2 # no -M: sealed memfd
  wait_for "[ -S '$sock' ]" 10 || fail "server did not create $sock"
  run_bg a "net_ivshmem0,server=$sock" --survive 60 --seed 1
  run_bg b "net_ivshmem0,server=$sock" --survive 60 --seed 2
  wait_for "[ \$(count a RESUMED) -ge 1 ] && [ \$(count b RESUMED) -ge 1 ]" 20 ||
    fail "no traffic before the truncation"
  # what a peer holding the region fd can do (the peers close theirs after
  # mmap; the server keeps one: reach it through /proc)
  fd=$(for f in /proc/$pid_server/fd/*; do
         readlink "$f" | grep -q '^/memfd:ivshmem' && { echo "$f"; break; }; done)
  [ -n "$fd" ] || fail "the server holds no memfd of the region"
  if truncate -s 0 "$fd" 2>"$work/truncate.err"; then fail "truncate of the sealed region succeeded"; fi
  grep -q 'Operation not permitted' "$work/truncate.err" || fail "truncate failed otherwise: $(cat "$work/truncate.err")"
  echo "truncate -s 0 $fd: $(cat "$work/truncate.err")"
  kill -USR1 "$pid_a" "$pid_b"
  wait_for "[ \$(count a MARK) -ge 1 ] && [ \$(count b MARK) -ge 1 ]" 10 || fail "no mark"
  sleep 0.5 # traffic after the attempt (a duration, not a sync)
  kill -INT "$pid_a" "$pid_b"
  stop_and_check a "$pid_a"; stop_and_check b "$pid_b"
  for n in a b; do
    m=$(sed -n 's/.*after_mark=\([0-9]*\).*/\1/p' "$work/$n.log")
    [ "${m:-0}" -gt 1000 ] || fail "$n received only ${m:-0} packets after the attempt"
    [ "$(xstat $n region_unsealed)" -eq 0 ] || fail "$n: region_unsealed is not 0 on a sealed memfd"
    [ "$(xstat $n region_truncated)" -eq 0 ] || fail "$n: region_truncated is not 0"
    grep -q 'not sealed' "$work/$n.log" && fail "$n warned about an unsealed region"
    echo "$n: $m checked packets after the truncation attempt, region_unsealed=0"
  done
  ;;
close-in-lsc)
  shm=/dev/shm/$tag-lsc
  run_bg c "net_ivshmem0,shm=$shm,size=4M,id=0" --close-in-lsc --timeout 30
  run_fg p "net_ivshmem0,shm=$shm,size=4M,id=1" --link-sequence up --hold 0.3 --timeout 20 ||
    fail "the peer never saw link up"
  expect_pass c "$pid_c" 40
  grep -h '^CLOSE_IN_CALLBACK' "$work/c.log"
  ;;
unplug-started)
  shm=/dev/shm/$tag-unplug
  run_bg s "net_ivshmem0,shm=$shm,size=4M,id=0" --survive 60 --seed 1
  # v stays attached (link up, 0.5 s) so s sees it up first, then unplugs
  run_bg v "net_ivshmem0,shm=$shm,size=4M,id=1" --link-sequence up --hold 0.5 --unplug --timeout 20
  wait_for "grep -q 'link up (peer 1)' '$work/s.log'" 10 || fail "s never saw v's link up"
  wait_pid "$pid_v" 20 || fail "v exited $?"
  grep -q '^UNPLUG rc=0 port_valid=0' "$work/v.log" || fail "rte_dev_remove of a started port failed"
  wait_for "grep -q 'link down (peer 1: peer not attached)' '$work/s.log'" 5 ||
    fail "the peer did not see us leave (state LEFT) after the unplug"
  grep -q 'peer heartbeat stopped' "$work/s.log" && fail "the peer noticed only a heartbeat timeout"
  stop_and_check s "$pid_s"
  grep -h '^UNPLUG\|peer not attached' "$work/v.log" "$work/s.log"
  ;;
*) echo "unknown scenario $scenario"; exit 2 ;;
esac
echo "OK $scenario"
