#!/usr/bin/env bash
# Suite `dpdk`: the net_ivshmem PMD between real processes on the host.
# Usage: pmd-test.sh SCENARIO   (env: BUILD = meson build dir)
# Scenarios: server-traffic server-traffic-zc shm-traffic testpmd-txonly
#            testpmd-zc-rxonly testpmd-io link
#            slow-start (a peer slow between probe and port start, then
#            stopping its port: one link up and one down on each side)
#            rx-intr poll-no-doorbells bad-devargs no-server install
#            stale-geometry (geometry devargs a region cannot honour)
#            pmd-CASE (a case of pmd-checks.c: this process is the peer)
#            fwd-tx-zero-copy (ivshmem-fwd --tx-zero-copy to a zero_copy=1 peer)
#            requeue (Rx queues reconfigured without a new setup still
#            serve every channel) stat-live (ivshmem-stat on two live PMD peers)
set -uo pipefail
scenario=$1
HARNESS_TAG=ivt
# shellcheck source=../lib/pmd-harness.sh
. "$(dirname "$0")/../lib/pmd-harness.sh"

two_way() { # two_way VDEV_A VDEV_B COUNT
  run_bg a "$1" --count "$3" --min-size 16 --max-size 2048 --segs --seed 1
  run_bg b "$2" --count "$3" --min-size 16 --max-size 2048 --segs --seed 2
  expect_pass a "$pid_a"; expect_pass b "$pid_b"
}

case $scenario in
fwd-tx-zero-copy)
  # ivshmem-fwd txonly --tx-zero-copy to an ivshmem-fwd rxonly on a
  # zero_copy=1 port: every frame is built in the sender's Tx pool (BAR2)
  # and delivered over that same buffer, no copy on either side
  fwd=$BUILD/apps/ivshmem-fwd shm=/dev/shm/$tag-ztx n=20000
  # shellcheck disable=SC2046
  run_cmd rx "$fwd" --lcores 0@0,1@1 $(eal rx) --vdev "net_ivshmem0,shm=$shm,size=4M,id=1,zero_copy=1" \
    -- --forward-mode=rxonly --total-num-pkts $n --linger-ms 3000
  # shellcheck disable=SC2046
  run_cmd tx "$fwd" --lcores 0@1,1@0 $(eal tx) --vdev "net_ivshmem0,shm=$shm,size=4M,id=0" \
    -- --forward-mode=txonly --tx-zero-copy --txpkts 64,200,1000 --total-num-pkts $n --linger-ms 3000
  wait_pid "$pid_rx" 60 || fail "receiver exited $?"
  wait_pid "$pid_tx" 60 || fail "sender exited $?"
  grep 'zero-copy\|^total' "$work/tx.log" "$work/rx.log"
  grep -q "^port 0: zero-copy tx=$n tx-copied=0 rx=0 rx-copied=0$" "$work/tx.log" ||
    fail "the sender did not send all $n frames in place"
  grep -q "^port 0: zero-copy tx=0 tx-copied=0 rx=$n rx-copied=0$" "$work/rx.log" ||
    fail "the receiver did not take all $n frames without a copy"
  grep -q "^total: rx=$n " "$work/rx.log" || fail "the receiver did not count $n frames"
  echo "$n frames sent and received, 0 copies on both sides"
  ;;
stat-live)
  # ivshmem-stat on two PMD peers through a server: both up with the PMD's
  # derived MACs, heartbeats moving, every channel synced and carrying
  # traffic; read by file and by socket; once they left, the quiet region
  # is byte-identical after being read
  stat=$BUILD/apps/ivshmem-stat shm=/dev/shm/$tag-server
  start_server 2
  run_bg a "net_ivshmem0,server=$sock" --survive 30 --seed 1 --pace-us 200
  run_bg b "net_ivshmem0,server=$sock" --survive 30 --seed 2 --pace-us 200
  wait_for "grep -q '^LINK up' '$work/a.log' && grep -q '^LINK up' '$work/b.log'" 30 ||
    fail "link did not come up"
  for src in "--shm $shm" "--server $sock"; do
    # shellcheck disable=SC2086
    # heartbeats moving: each moved while watched (null: it did not). Not
    # "moved in the last 60 ms": ASan on a loaded host held a peer's alarm
    # thread off for 90 ms
    "$stat" $src --json --sample-ms 300 >"$work/stat.json" 2>"$work/stat.err" ||
      fail "ivshmem-stat $src: $(cat "$work/stat.err")"
    jq -e '[.peers[] | [.state, .mac, (.heartbeat_age_ms != null),
            (.generation >= 1)]] == [["up", "02:69:76:00:00:00", true, true],
                                    ["up", "02:69:76:00:00:01", true, true]]' "$work/stat.json" >/dev/null ||
      fail "ivshmem-stat $src peers: $(jq -c .peers "$work/stat.json")"
    jq -e '[.channels[] | .prod_gen != 0 and .prod_gen == .ack_gen and .fill != null] == [true, true]' \
      "$work/stat.json" >/dev/null || fail "ivshmem-stat $src channels: $(jq -c .channels "$work/stat.json")"
  done
  "$stat" --shm "$shm" --json --watch=0.3 --count 1 >"$work/stat.json" || fail "ivshmem-stat --watch failed"
  jq -e '[.channels[] | .publish_per_s > 100 and .consume_per_s > 100] == [true, true]' "$work/stat.json" \
    >/dev/null || fail "no traffic seen: $(jq -c .channels "$work/stat.json")"
  "$stat" --shm "$shm" --watch=0.3 --count 1 | sed 's/^/  /'
  kill -INT "$pid_a" "$pid_b"; expect_pass a "$pid_a" 20; expect_pass b "$pid_b" 20
  before=$(sha256sum <"$shm")
  "$stat" --shm "$shm" --json >"$work/stat.json" || fail "ivshmem-stat on the quiet region failed"
  jq -e '[.peers[].state] == ["left", "left"]' "$work/stat.json" >/dev/null ||
    fail "peers after exit: $(jq -c .peers "$work/stat.json")"
  [ "$(sha256sum <"$shm")" = "$before" ] || fail "ivshmem-stat changed the region"
  echo "ivshmem-stat: both peers and channels shown live; region unchanged by reading"
  ;;
no-room-pool)
  # mbufs with no data room (testpmd --mbuf-size=128 = the headroom): Rx
  # queue setup is refused with a message (before, every frame allocated
  # zero-byte segments until the pool ran dry)
  # shellcheck disable=SC2046
  timeout 30 "${sys_env[@]}" dpdk-testpmd $(eal tp) --vdev "net_ivshmem0,shm=/dev/shm/$tag-noroom,size=4M,id=0" \
    -- --mbuf-size=128 --total-num-mbufs 2048 </dev/null >"$work/tp.log" 2>&1; rc=$?
  expect_refused "$rc" tp 'have no room for data'
  ;;
few-mbufs)
  # b holds all but 20 mbufs of its pool: a burst of 32 cannot be
  # allocated at once, Rx must take fewer and still receive everything
  shm=/dev/shm/$tag-fewmbufs
  run_bg b "net_ivshmem0,shm=$shm,size=4M,id=1" --count 0 --expect 5000 --leave-mbufs 20 \
    --seed 2 --timeout 20
  run_bg a "net_ivshmem0,shm=$shm,size=4M,id=0" --count 5000 --expect 0 --seed 1 --timeout 20
  expect_pass b "$pid_b"; expect_pass a "$pid_a"
  grep '^MBUFS' "$work/b.log"
  [ "$(xstat b rx_no_mbuf_bursts)" -gt 0 ] || fail "b never ran short of mbufs (test did not test)"
  echo "b received all 5000 with $(xstat b rx_no_mbuf_bursts) short bursts"
  ;;
mtu-drop)
  # b keeps the default MTU 1500; a sends 1000 frames of 1600..2000 B (its
  # own MTU raised): b drops every one (longer than 1500 + 14 + 4) and
  # counts it in rx_over_mtu and ierrors, delivering none
  shm=/dev/shm/$tag-mtu
  run_bg b "net_ivshmem0,shm=$shm,size=4M,id=1" --survive 30 --seed 2 --max-size 1514
  # (a's own verdict does not matter: b sends without end, a receives it)
  run_fg a "net_ivshmem0,shm=$shm,size=4M,id=0" --count 1000 --expect 0 --seed 1 \
    --min-size 1600 --max-size 2000
  grep -q '^RESULT sent=1000 ' "$work/a.log" || fail "a did not send its 1000 frames"
  kill -INT "$pid_b"; expect_pass b "$pid_b" 20
  [ "$(xstat b rx_over_mtu)" -eq 1000 ] || fail "rx_over_mtu is $(xstat b rx_over_mtu), want 1000"
  grep -q '^RESULT received=0 ' "$work/b.log" || fail "b delivered frames longer than its MTU"
  echo "b: 1000 frames over its MTU dropped (rx_over_mtu=1000), none delivered"
  ;;
bad-mbufs)
  # 100 mbufs whose data_len (300) does not match pkt_len (200) come first:
  # dropped and counted (tx_bad_mbuf), never copied; the checked stream
  # after them arrives intact (b would count delivered ones as corrupt)
  shm=/dev/shm/$tag-badmbuf
  run_bg a "net_ivshmem0,shm=$shm,size=4M,id=0" --count 2000 --bad-mbufs 100 --seed 1
  run_bg b "net_ivshmem0,shm=$shm,size=4M,id=1" --count 2000 --seed 2
  expect_pass a "$pid_a"; expect_pass b "$pid_b"
  [ "$(xstat a tx_bad_mbuf)" -eq 100 ] || fail "tx_bad_mbuf is $(xstat a tx_bad_mbuf), want 100"
  echo "tx_bad_mbuf=100, peer received exactly the 2000 checked frames"
  ;;
requeue)
  # a region with 2 queues; b sends everything on its Tx queue 1. a set up
  # 2 Rx queues, then reconfigured to 1 without setting queue 0 up again:
  # its queue 0 must now serve channels 0 and 1 (before: only 0, so the
  # whole stream was lost).
  shm=/dev/shm/$tag-requeue
  run_bg a "net_ivshmem0,shm=$shm,size=8M,id=0,queues=2" --queues 2 --reconfigure-to 1 \
    --count 2000 --seed 1 --timeout 20
  run_bg b "net_ivshmem0,shm=$shm,size=8M,id=1,queues=2" --queues 2 --tx-queue 1 \
    --count 2000 --seed 2 --timeout 20
  expect_pass a "$pid_a"; expect_pass b "$pid_b"
  grep -q '^RECONFIGURED queues=1 rc=0' "$work/a.log" || fail "a was not reconfigured"
  ;;
server-traffic)
  start_server 2
  two_way "net_ivshmem0,server=$sock" "net_ivshmem0,server=$sock" 200000
  ;;
server-traffic-zc)
  # the same checked frames, each side receiving the other's buffers
  start_server 2
  two_way "net_ivshmem0,server=$sock,zero_copy=1" "net_ivshmem0,server=$sock,zero_copy=1" 200000
  for s in a b; do
    [ "$(xstat $s rx_zero_copy)" -gt 0 ] || fail "$s received nothing zero-copy"
    echo "$s: rx_zero_copy $(xstat $s rx_zero_copy), rx_zero_copy_copied $(xstat $s rx_zero_copy_copied)"
  done
  ;;
shm-traffic)
  shm=/dev/shm/$tag-plain
  two_way "net_ivshmem0,shm=$shm,size=4M,id=0" "net_ivshmem0,shm=$shm,size=4M,id=1" 200000
  ;;
stale-geometry)
  # a shm= file outlives its processes: the one a left behind keeps a's
  # geometry (1 x 1024 x 1536), and b asking queues=2,ring_size=2048 joins it with
  # a NOTICE (the default level) per devarg not honoured (before: silently)
  shm=/dev/shm/$tag-stale
  # (each waits 1 s for a link that never comes: its exit status is not the point)
  run_fg a "net_ivshmem0,shm=$shm,size=4M,id=0" --count 0 --expect 0 --timeout 1
  [ -f "$shm" ] || fail "a left no shm file"
  # shellcheck disable=SC2046
  timeout 30 "$traffic" $(eal b | sed 's/--log-level=[^ ]*//') \
    --vdev "net_ivshmem0,shm=$shm,size=4M,id=1,queues=2,ring_size=2048,buf_size=1536" \
    -- --count 0 --expect 0 --timeout 1 >"$work/b.log" 2>&1
  grep 'not honoured' "$work/b.log"
  grep -q 'devarg queues=2 not honoured: .* with queues=1, adopted' "$work/b.log" ||
    fail "no NOTICE for queues=2"
  grep -q 'devarg ring_size=2048 not honoured: .* with ring_size=1024, adopted' "$work/b.log" ||
    fail "no NOTICE for ring_size=2048"
  [ "$(grep -c 'not honoured' "$work/b.log")" -eq 2 ] ||
    fail "buf_size=1536 is the region's: no NOTICE wanted for it"
  ;;
slow-start)
  # b waits 2 s between probe and port start (testpmd creating its pools
  # does): a must not see b before b's port starts (before, a saw b up at
  # probe and down again when b's heartbeat stalled), and b's port stop
  # takes a's link down at once (before, only b's close did). Exactly one
  # up and one down on each side. At the default log level (NOTICE) each
  # side says why its link went down.
  start_server 2
  quiet() { eal "$1" | sed 's/--log-level=[^ ]*//'; } # the default level
  # shellcheck disable=SC2046
  run_cmd a "$traffic" $(quiet a) --vdev "net_ivshmem0,server=$sock" -- \
    --link-sequence up,down --timeout 20
  # shellcheck disable=SC2046
  run_cmd b "$traffic" $(quiet b) --vdev "net_ivshmem0,server=$sock" -- \
    --start-delay 2 --link-sequence up --hold 0.5 --stop-hold 1 --timeout 20
  wait_pid "$pid_a" 30 || fail "a did not see up then down"
  wait_pid "$pid_b" 30 || fail "b did not see its link up"
  grep -h '^LINK\|^START\|^STOP\|^LSC\|link \(up\|down\)' "$work/a.log" "$work/b.log"
  b_start=$(sed -n 's/^STARTING real=//p' "$work/b.log")
  b_stop=$(sed -n 's/^STOPPED real=//p' "$work/b.log")
  a_up=$(sed -n 's/^LINK up .* real=//p' "$work/a.log")
  a_down=$(sed -n 's/^LINK down .* real=//p' "$work/a.log")
  [ -n "$b_start" ] && [ -n "$b_stop" ] && [ -n "$a_up" ] && [ -n "$a_down" ] ||
    fail "missing STARTING/STOPPED/LINK lines"
  [ "$a_up" -ge "$b_start" ] || fail "a saw b up $((b_start - a_up)) ms before b's port started"
  [ "$a_down" -ge "$b_stop" ] && [ $((a_down - b_stop)) -lt 500 ] ||
    fail "a's link went down $((a_down - b_stop)) ms after b's port stop (want 0..500)"
  for n in a b; do
    ev=$(sed -n 's/^LSC events=//p' "$work/$n.log")
    [ "$ev" = 2 ] || fail "$n saw ${ev:-no} link events, want exactly 2 (up, down)"
  done
  grep -q 'link down (peer [0-9]*: peer port stopped)' "$work/a.log" ||
    fail "a did not log why its link went down at the default level"
  grep -q 'link down (peer [0-9]*: port stopped)' "$work/b.log" ||
    fail "b did not log why its link went down at the default level"
  echo "a: up $((a_up - b_start)) ms after b's port start, down $((a_down - b_stop)) ms after its stop; 2 events each"
  ;;
link)
  # a watches: up (b attached) -> down (b exited) -> up (b back)
  start_server 2
  run_bg a "net_ivshmem0,server=$sock" --link-sequence up,down,up --hold 2 --timeout 20
  # b stays attached a while after its own link is up, so a sees it too
  run_bg b1 "net_ivshmem0,server=$sock" --link-sequence up --hold 0.5 --timeout 20
  wait_pid "$pid_b1" 30 || fail "b1 never saw link up"
  wait_for "grep -q 'LINK down' '$work/a.log'" 20 || fail "a never saw link down"
  run_bg b2 "net_ivshmem0,server=$sock" --link-sequence up --hold 0.5 --timeout 20
  wait_pid "$pid_b2" 30 || fail "b2 never saw link up"
  wait_pid "$pid_a" 20 || fail "a did not see up,down,up"
  cat "$work/a.log" | grep '^LINK'
  ;;
rx-intr|poll-no-doorbells)
  start_server 2
  mode=()
  [ "$scenario" = rx-intr ] && mode=(--rx-intr)
  run_bg rx "net_ivshmem0,server=$sock,vectors=2" --count 0 --expect 50000 "${mode[@]}"
  run_bg tx "net_ivshmem0,server=$sock" --count 50000 --expect 0
  expect_pass tx "$pid_tx"; expect_pass rx "$pid_rx"
  d=$(xstat tx tx_doorbells)
  echo "sender rang $d doorbells"
  if [ "$scenario" = rx-intr ]; then
    [ "$d" -gt 0 ] || fail "receiver slept on interrupts but no doorbell was rung"
  else
    [ "$d" -eq 0 ] || fail "receiver was polling but the sender rang $d doorbells"
  fi
  ;;
testpmd-txonly|testpmd-io|testpmd-zc-rxonly)
  start_server 2
  if [ $scenario = testpmd-io ]; then modes=(io io); else modes=(txonly rxonly); fi
  # testpmd-zc-rxonly: the receiver (tp1) takes the sender's buffers (zero_copy=1)
  zc=("" ""); [ $scenario = testpmd-zc-rxonly ] && zc=("" ",zero_copy=1")
  for i in 0 1; do
    # forwarding lcores on different cores: tp0 forwards on cpu 1, tp1 on cpu 0.
    # --no-flush-rx: testpmd otherwise discards what is queued when it starts
    # forwarding, i.e. the peer's --tx-first burst if that came first.
    # stdin: testpmd runs until EOF (60 s at most); the feeder must not hold
    # our stderr open, or meson waits for it after we exit.
    lc=("0@0,1@1" "0@1,1@0")
    # shellcheck disable=SC2046
    run_cmd tp$i "${sys_env[@]}" dpdk-testpmd $(eal tp$i) --lcores "${lc[$i]}" --vdev "net_ivshmem0,server=$sock${zc[$i]}" -- --total-num-mbufs 8192 \
      --forward-mode=${modes[$i]} --stats-period 1 --no-lsc-interrupt --no-flush-rx \
      $([ $scenario = testpmd-io ] && [ $i = 0 ] && echo --tx-first) \
      < <(sleep 60 2>/dev/null)
  done
  # Wait until the receiving side has counted traffic, then stop both.
  rx_seen() { grep -Eo 'RX-packets: +[0-9]+' "$work/tp1.log" 2>/dev/null | awk '{print $2}' | sort -n | tail -1; }
  wait_for '[ "$(rx_seen)" != "" ] && [ "$(rx_seen)" -gt 100000 ]' 30 || fail "testpmd moved no traffic"
  kill -INT "$pid_tp0" "$pid_tp1"
  # a clean exit: a crash (or a sanitizer report) while closing the port fails
  for i in 0 1; do
    eval "p=\$pid_tp$i"; wait_pid "$p" 20 || fail "testpmd tp$i exited $?"
  done
  for i in 0 1; do grep -E 'RX-packets|TX-packets' "$work/tp$i.log" | tail -2; done
  echo "receiver counted $(rx_seen) packets"
  if [ $scenario = testpmd-zc-rxonly ] && grep -q 'zero_copy=1 refused' "$work/tp1.log"; then
    fail "zero_copy=1 was refused on our server's sealed region"
  fi
  ;;
bad-devargs)
  i=0
  for args in "server=$sock,bogus=1" "server=$sock,queues=0" "server=$sock,ring_size=1000" \
              "shm=/dev/shm/$tag-x,size=4M" "server=$sock,shm=/dev/shm/x,id=0" \
              "server=relative.sock" "shm=/dev/shm/$tag-y,size=12Q,id=0" "server=$sock,mac=01:00:00:00:00:01" \
              "server=$sock,mac=00:00:00:00:00:00" "shm=/dev/shm/$tag-w,size=4M,id=0,id=1" \
              "server=$sock,vectors=0" "shm=/dev/shm/$tag-z,size=4M,id=0,vectors=2"; do
    i=$((i + 1))
    echo "bad$i: devargs '$args'"
    run_fg bad$i "net_ivshmem0,$args" --count 1; rc=$?
    expect_refused "$rc" bad$i 'net_ivshmem: .*devarg'
  done
  # a geometry larger than the region: the error gives the exact need and
  # names every field that could shrink (before, max_peers was not named)
  run_fg small1 "net_ivshmem0,shm=/dev/shm/$tag-s1,size=4M,id=0,queues=2" --count 1; rc=$?
  expect_refused "$rc" small1 'queues=2 ring_size=1024 buf_size=1536 inline_size=128 needs 6868992: lower any of max_peers, queues, ring_size, buf_size, inline_size'
  run_fg small2 "net_ivshmem0,shm=/dev/shm/$tag-s2,size=4M,id=0,max_peers=4,peer=1" --count 1; rc=$?
  expect_refused "$rc" small2 'the geometry max_peers=4 .* needs 20598784: lower any of max_peers'
  # a region a layout 2.1 peer formatted (its header written by hand, as
  # that peer would): refused, naming both versions and what to do
  python3 -c 'import struct, sys
h = struct.pack("<IHHIIQQIIIIQQQQQ", 0x4D485649, 2, 1, 2, 0, 4 << 20, 3174400,
                2, 1, 1024, 1536, 256, 4096, 1585152, 192, 8384)
with open(sys.argv[1], "wb") as f:
    f.write(h + bytes(256 - len(h)))
    f.truncate(4 << 20)' "/dev/shm/$tag-v21"
  run_fg v21 "net_ivshmem0,shm=/dev/shm/$tag-v21,size=4M,id=0" --count 1; rc=$?
  expect_refused "$rc" v21 'formatted with BAR2 layout 2.1, this ivshmem-pmd speaks layout 3.0 .*restart both peers on the same release, or reformat the region'
  ;;
no-server)
  run_fg ns "net_ivshmem0,server=$work/absent.sock" --count 1; rc=$?
  expect_refused "$rc" ns 'net_ivshmem'
  ;;
install)
  # meson install into a DESTDIR: the .so lands in DPDK's plugin dir with
  # its PMD info, the apps and the server/client in bindir, no static
  # archive in the system library dir (unless -Dinstall_static=true), and
  # stock testpmd drives the installed driver.
  meson install -C "$BUILD" --no-rebuild --destdir "$work/inst" --quiet >"$work/install.log" 2>&1 ||
    fail "meson install failed: $(tail -3 "$work/install.log")"
  libdir=$(pkg-config --variable=libdir libdpdk)
  so=$work/inst$libdir/dpdk/pmds-23.0/librte_net_ivshmem.so
  static_wanted=$(meson introspect --buildoptions "$BUILD" |
    /usr/bin/python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "install_static"][0])')
  if [ "$static_wanted" = True ]; then
    [ -f "$work/inst$libdir/librte_net_ivshmem.a" ] || fail "install_static: archive not in $libdir"
  else
    [ ! -e "$work/inst$libdir/librte_net_ivshmem.a" ] || fail "static archive installed into $libdir unasked"
  fi
  bindir=$work/inst$(meson introspect --buildoptions "$BUILD" |
    /usr/bin/python3 -c 'import json,sys; o={o["name"]: o["value"] for o in json.load(sys.stdin)}; print(o["prefix"] + "/" + o["bindir"])')
  for b in ivshmem-fwd ivshmem-perf ivshmem-server ivshmem-client ivshmem-stat ivshmem-frames; do
    [ -x "$bindir/$b" ] || fail "$b not installed in $bindir"
  done
  installed=$(cd "$work/inst" && find . -type f | sort)
  echo "installed files:"; echo "$installed"
  # libivshmem: the library (its .so/.so.0 are links), ivshmem.h, ivshmem.pc
  [ "$(echo "$installed" | grep -c 'libivshmem\.so\.0\.1\.0$\|/include/ivshmem\.h$\|/pkgconfig/ivshmem\.pc$')" -eq 3 ] ||
    fail "libivshmem, its header and its pkg-config file not all installed"
  # the PMD's public header (zero-copy Tx), beside the headers of the prefix
  echo "$installed" | grep -q '/include/rte_pmd_ivshmem\.h$' || fail "rte_pmd_ivshmem.h not installed"
  [ "$(echo "$installed" | wc -l)" -eq 11 ] ||
    fail "want exactly the PMD and its header, 6 binaries and libivshmem (3 files) installed"
  # drivers/version.map: the public API of rte_pmd_ivshmem.h and nothing else
  exported=$(nm -D --defined-only "$so" | awk '$2 == "T" {print $3}' | sed 's/@.*//' | sort | tr '\n' ' ')
  [ "$exported" = "rte_pmd_ivshmem_tx_pool_create rte_pmd_ivshmem_tx_pool_get " ] ||
    fail "the PMD exports: $exported"
  dpdk-pmdinfo.py "$so" >"$work/pmdinfo.log" 2>&1 || fail "dpdk-pmdinfo.py failed on $so"
  grep -q '"name": "net_ivshmem"' "$work/pmdinfo.log" && grep -q '"device": "1110"' "$work/pmdinfo.log" ||
    fail "installed PMD info lacks net_ivshmem or 1af4:1110"
  # shellcheck disable=SC2046,SC2086
  LD_LIBRARY_PATH=$(dirname "$so") "${sys_env[@]}" dpdk-testpmd $(eal inst) \
    --vdev "net_ivshmem0,shm=/dev/shm/$tag-inst,size=4M,id=0" -- \
    -i --total-num-mbufs 2048 >"$work/testpmd.log" 2>&1 <<<$'show port info 0\nquit'
  grep -q 'Driver name: net_ivshmem' "$work/testpmd.log" || fail "testpmd did not drive the installed PMD"
  echo "installed: $so ($(grep -c '"name"' "$work/pmdinfo.log") drivers), testpmd: $(grep -o 'Driver name: .*' "$work/testpmd.log")"
  ;;
pmd-*)
  # pmd-checks hot-plugs the port itself; the shm file is cleaned up with $tag*
  case_args=() eal_args=$(eal ck)
  if [ "$scenario" = pmd-intr-queues ]; then
    start_server 64
    case_args=("server=$sock,vectors=64,queues=64,ring_size=2,buf_size=128")
  fi
  if [ "$scenario" = pmd-ztx-secondary ]; then
    # a secondary joins a primary on hugepages; the primary runs it
    # shellcheck source=../lib/hugepages.sh
    . "$(dirname "$0")/../lib/hugepages.sh"
    huge_acquire 256 "$work/huge"
    eal_args="-m 256 --huge-dir $huge_dir --no-pci --file-prefix $tag-ck -d $pmd --log-level=pmd.net.ivshmem:info"
    # (leaks off in the secondary: DPDK 22.11's vdev bus drops the device
    # it allocates there for the primary's vdev, 137 bytes, not ours)
    case_args=("env ASAN_OPTIONS=detect_leaks=0 ${sys_env[*]} $BUILD/tests/dpdk/pmd-checks --proc-type=secondary --no-pci --file-prefix $tag-ck -d $pmd -- /dev/shm/$tag-ck ztx-secondary-child")
  fi
  # shellcheck disable=SC2086
  timeout 60 "${sys_env[@]}" "$BUILD/tests/dpdk/pmd-checks" $eal_args -- \
    "/dev/shm/$tag-ck" "${scenario#pmd-}" "${case_args[@]}" >"$work/ck.log" 2>&1; rc=$?
  grep -v '^EAL\|^TELEMETRY' "$work/ck.log"
  [ $rc -eq 0 ] && grep -q '^PASS' "$work/ck.log" || fail "pmd-checks ${scenario#pmd-} exited $rc"
  ;;
*) echo "unknown scenario $scenario"; exit 2 ;;
esac
echo "OK $scenario"
