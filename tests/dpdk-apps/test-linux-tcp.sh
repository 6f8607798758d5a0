#!/usr/bin/env bash
# Suite `dpdk-apps`, linux-tcp: plain Linux sockets over the link. Two
# network namespaces; in each, a stock dpdk-testpmd (io forwarding)
# bridges a net_tap device (its kernel side lives in that namespace: the
# tap is created by a testpmd started there) to net_ivshmem on one region
# of our server:
#   ns A: kernel tap <-> testpmd A <-> region <-> testpmd B <-> kernel tap :ns B
# Only IPv6 link-local addresses are used (the kernel's EUI-64 address of
# the MAC each tap is given). Asserts:
#  1. ping -c 200 -i 0.01 from A to B: 200 replies, 0 % loss;
#  2. an iperf3 TCP transfer of $TCP_BYTES from A to B completes (--json,
#     no error): the client wrote that many bytes (or one block more: it
#     writes whole blocks), and the server
#     counted all but what can still be in flight when iperf3 stops
#     counting at its end message (bounded by the socket buffers: at most
#     tcp_wmem max + tcp_rmem max, set to 4 MiB each in the namespaces);
#     its retransmits are printed (RESULT line) for the record;
#  3. the link itself loses nothing: each testpmd's net_ivshmem port
#     received exactly the frames the other one sent (testpmd's counts).
# Env: BUILD = meson build dir; TCP_BYTES (default 64M); RING_SIZE,
# BUF_SIZE, REGION (the geometry), TAP_TXQLEN (the taps' kernel queue), for
# the measurements of doc/linux-tcp.md.
set -uo pipefail
HARNESS_TAG=tcp
# shellcheck source=../lib/pmd-harness.sh
. "$(dirname "$0")/../lib/pmd-harness.sh"
tcp_bytes=${TCP_BYTES:-64M}
ns_a=$tag-a ns_b=$tag-b
if_a=$tag-a if_b=$tag-b
mac_a=02:74:63:70:00:0a mac_b=02:74:63:70:00:0b

for tool in ip iperf3 python3; do
  command -v $tool >/dev/null || fail "$tool not installed: run scripts/setup.sh"
done
# iputils' ping, or busybox's (both take -6 -c -i -I)
if command -v ping >/dev/null; then ping=(ping); else ping=(busybox ping); fi
[ "$(id -u)" = 0 ] || { echo "SKIP: network namespaces need root"; exit 77; }

ns_cleanup() {
  ip netns del "$ns_a" 2>/dev/null
  ip netns del "$ns_b" 2>/dev/null
  cleanup
}
trap ns_cleanup EXIT
ip netns add "$ns_a" || fail "cannot create network namespace $ns_a"
ip netns add "$ns_b" || fail "cannot create network namespace $ns_b"
sock_buf_max=4194304
for ns in "$ns_a" "$ns_b"; do # per namespace; the bound of check 2
  ip netns exec "$ns" sysctl -q -w "net.ipv4.tcp_rmem=4096 131072 $sock_buf_max" \
    "net.ipv4.tcp_wmem=4096 16384 $sock_buf_max" || fail "cannot set the TCP buffers in $ns"
done

link_local() { # link_local MAC: its EUI-64 fe80:: address (RFC 4291 app. A)
  local IFS=: b
  read -ra b <<<"$1"
  printf 'fe80::%x:%x:%x:%x' $(( (0x${b[0]} ^ 2) << 8 | 0x${b[1]} )) \
    $(( 0x${b[2]} << 8 | 0xff )) $(( 0xfe << 8 | 0x${b[3]} )) $(( 0x${b[4]} << 8 | 0x${b[5]} ))
}
ll_a=$(link_local $mac_a) ll_b=$(link_local $mac_b)

testpmd() { # testpmd SIDE NS IFACE MAC CORES: tap <-> net_ivshmem in NS (stdin open 300 s)
  local side=$1 ns=$2 iface=$3 mac=$4 cores=$5
  local ivs="net_ivshmem0,server=$sock,vectors=2"
  [ -z "${RING_SIZE:-}" ] || ivs+=",ring_size=$RING_SIZE"
  [ -z "${BUF_SIZE:-}" ] || ivs+=",buf_size=$BUF_SIZE"
  # --no-flush-rx: what the other side sends before this one starts
  # forwarding (the kernel's first IPv6 frames) stays in the ring and is
  # counted (check 3). stdbuf: its "Press enter to exit" reaches the log when it is printed
  # (stdout to a file is block-buffered; the test waits for that line)
  # shellcheck disable=SC2046
  run_cmd "tp$side" ip netns exec "$ns" "${sys_env[@]}" stdbuf -oL dpdk-testpmd $(eal "tp$side") \
    --lcores "$cores" --vdev "net_tap0,iface=$iface,mac=$mac" --vdev "$ivs" -- \
    --forward-mode=io --no-lsc-interrupt --no-flush-rx --total-num-mbufs 16384 \
    < <(sleep 300 2>/dev/null)
}

# the region: 4 MiB unless REGION is given (a deeper ring needs more)
run_cmd server "$server_bin" -F -S "$sock" -l "${REGION:-4M}" -n 2
wait_for "[ -S '$sock' ]" 10 || fail "server did not create $sock"
# one forwarding lcore each, on different CPUs
testpmd a "$ns_a" "$if_a" $mac_a 0@0,1@1
testpmd b "$ns_b" "$if_b" $mac_b 0@1,1@0
for s in a b; do
  wait_for "grep -q 'Press enter to exit' '$work/tp$s.log'" 60 || fail "testpmd $s did not start forwarding"
done

ll_ready() { # ll_ready NS IFACE ADDR: ADDR is on IFACE and DAD has finished
  local out
  out=$(ip -n "$1" -6 addr show dev "$2" 2>/dev/null) || return 1
  grep -q "inet6 $3/64 scope link" <<<"$out" && ! grep -q tentative <<<"$out"
}
for s in a b; do
  ns=ns_$s iface=if_$s ll=ll_$s
  ip -n "${!ns}" link set dev "${!iface}" up ${TAP_TXQLEN:+txqueuelen $TAP_TXQLEN} ||
    fail "cannot set ${!iface} up"
done
for s in a b; do
  ns=ns_$s iface=if_$s ll=ll_$s
  wait_for "ll_ready ${!ns} ${!iface} ${!ll}" 10 ||
    fail "${!iface} in ${!ns}: no link-local ${!ll} past DAD: $(ip -n "${!ns}" -6 addr show dev "${!iface}")"
done
echo "A $if_a $ll_a <-> B $if_b $ll_b"

# 1. ping
ip netns exec "$ns_a" "${ping[@]}" -6 -c 200 -i 0.01 -W 5 -I "$if_a" "$ll_b%$if_a" \
  >"$work/ping.log" 2>&1
tail -2 "$work/ping.log"
grep -Eq '^200 packets transmitted, 200 (packets )?received, 0% packet loss' "$work/ping.log" ||
  fail "ping: want 200 of 200 replies"

# 2. iperf3: the server (one test) in B, the client in A
run_cmd iperf_s ip netns exec "$ns_b" iperf3 -s -1 -B "$ll_b%$if_b" --json
wait_for "ip netns exec $ns_b ss -Hltn | grep -q ':5201'" 10 || fail "iperf3 server did not listen"
block=131072 # iperf3 writes whole blocks: it may send one more than -n asks
timeout 120 ip netns exec "$ns_a" iperf3 -c "$ll_b%$if_a" -n "$tcp_bytes" -l $block --json \
  >"$work/iperf_c.json" 2>"$work/iperf_c.log" || fail "iperf3 client failed: $(tail -c 600 "$work/iperf_c.json")"
# shellcheck disable=SC2154 # pid_iperf_s: set by run_cmd
wait_pid "$pid_iperf_s" 20 || fail "iperf3 server exited $?"
want=$(numfmt --from=iec "$tcp_bytes")
read -r sent received retr mbps < <(python3 - "$work/iperf_c.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert "error" not in j, j.get("error")
e = j["end"]
print(e["sum_sent"]["bytes"], e["sum_received"]["bytes"], e["sum_sent"]["retransmits"],
      round(e["sum_received"]["bits_per_second"] / 1e6))
EOF
) || fail "iperf3 --json: no end summary"
kernel_drops() { # kernel_drops NS IFACE DIRECTION: frames the kernel dropped on the tap
  ip -n "$1" -j -s link show dev "$2" |
    python3 -c "import json, sys; print(json.load(sys.stdin)[0]['stats64']['$3']['dropped'])"
}
# where frames were lost: A's kernel tap queue (testpmd A did not read in
# time), B's kernel backlog on the tap (testpmd B wrote too fast); what
# net_ivshmem refused shows in testpmd A's port 1 TX-dropped below
echo "RESULT tcp_bytes=$want sent=$sent received=$received retransmits=$retr mbit_s=$mbps" \
  "a_tap_tx_dropped=$(kernel_drops "$ns_a" "$if_a" tx) b_tap_rx_dropped=$(kernel_drops "$ns_b" "$if_b" rx)"
[ "$sent" -ge "$want" ] && [ "$sent" -le $((want + block)) ] && [ "$received" -le "$sent" ] &&
  [ "$received" -ge $((sent - 2 * sock_buf_max)) ] ||
  fail "iperf3: sent $sent (want $want + at most one block), received $received (at most $((2 * sock_buf_max)) short)"

port_stat() { # port_stat SIDE PORT RX|TX: packets of testpmd SIDE's port at its exit
  awk -v want="Forward statistics for port $2 " -v key="$3-packets:" \
    'index($0, want) { on = 1 } on && $1 == key { print $2; exit }' "$work/tp$1.log"
}
# Quiesce before counting: with both taps down the kernels send nothing
# more (a frame from B's kernel after A had stopped was counted as B's Tx
# and never read: "b sent 4343 frames, a received 4342"); B stops first and
# A, still polling, reads what B sent last, then stops.
ip -n "$ns_a" link set dev "$if_a" down; ip -n "$ns_b" link set dev "$if_b" down
for s in b a; do
  pid=pid_tp$s
  kill -INT "${!pid}"
  wait_pid "${!pid}" 20 || fail "testpmd $s exited $?"
  grep -E 'Forward statistics for port|RX-packets|TX-packets' "$work/tp$s.log" | tail -6 | sed "s/^/tp$s /"
done
# 3. the link loses nothing it accepted: each net_ivshmem port (port 1)
# received every frame the other one sent (its TX-dropped are the frames
# it refused, a full ring; those are TCP's retransmits)
for d in "a b" "b a"; do
  read -r from to <<<"$d"
  tx=$(port_stat "$from" 1 TX) rx=$(port_stat "$to" 1 RX)
  [ -n "$tx" ] && [ "$tx" -gt 0 ] && [ "$tx" = "$rx" ] ||
    fail "net_ivshmem $from sent ${tx:-?} frames, $to received ${rx:-?}"
  echo "net_ivshmem $from -> $to: $tx frames sent, $rx received"
done
echo "PASS linux-tcp: ping 200/200 and $tcp_bytes of TCP over IPv6 link-local through net_tap <-> net_ivshmem"
