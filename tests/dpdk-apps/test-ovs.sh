#!/usr/bin/env bash
# Suite `dpdk-apps`, ovs: Debian's OVS-DPDK (ovs-vswitchd-dpdk) switches
# between two net_ivshmem ports, each on its own region (our server A and B).
# The test runs its own ovsdb-server and ovs-vswitchd in a private run
# directory (never the system's OVS), stopped on exit.
#  1. ivshmem-traffic on region A sends N checked frames (a constant
#     Ethernet header, random sizes up to 1514 B, sequence numbers,
#     checksums); ivshmem-traffic on region B receives them in order and
#     intact. Exact accounting: OVS counts N in on ivA, and out on ivB plus
#     its tx drops (a full ring or a link flap on a loaded machine) is N;
#     the receiver got exactly the ones OVS sent.
#  2. mtu_request=9000: before it, 9014 B frames are dropped by the PMD
#     (rx_over_mtu, in ierrors: OVS's rx errs); after it OVS reads MTU 9000,
#     its counters survive the queue re-setup, and frames of 1515..9014 B
#     pass, checked as in 1.
#  3. del-port of both ports while the receiver on B stays up, add-port
#     again: frames of a new sender reach that same receiver, checked.
# Skips (77) only if the OVS-DPDK binary is absent. Env: BUILD.
set -uo pipefail
vswitchd=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
schema=/usr/share/openvswitch/vswitch.ovsschema
for f in "$vswitchd" "$schema" "$(command -v ovsdb-server)" "$(command -v ovs-vsctl)"; do
  [ -n "$f" ] && [ -e "$f" ] ||
    { echo "SKIP: Open vSwitch with DPDK not installed (openvswitch-switch-dpdk): ${f:-ovsdb-server/ovs-vsctl} missing"; exit 77; }
done
HARNESS_TAG=ovs
# shellcheck source=../lib/pmd-harness.sh
. "$(dirname "$0")/../lib/pmd-harness.sh"
# shellcheck source=../lib/hugepages.sh
. "$(dirname "$0")/../lib/hugepages.sh"
N=1000
br=br$tag # also the name of the bridge's tap device: unique, <= 15 chars

# ---- a private OVS ---------------------------------------------------------
ovs=$work/ovs
mkdir -p "$ovs"
export OVS_RUNDIR=$ovs OVS_DBDIR=$ovs OVS_LOGDIR=$ovs OVS_SYSCONFDIR=$ovs
vsctl() { ovs-vsctl --db="unix:$ovs/db.sock" --timeout=20 "$@"; }
appctl() { # appctl DAEMON CMD...: through DAEMON's control socket
  local d=$1; shift
  ovs-appctl --timeout=10 -t "$ovs/$d.ctl" "$@"
}

ovs_stop() { # graceful exit; the harness kills what is left
  # the bridge's tap device is persistent: del-br removes it (ip link if
  # ovs-vswitchd is gone)
  [ -S "$ovs/db.sock" ] && vsctl --timeout=10 --if-exists del-br "$br" >/dev/null 2>&1
  [ -S "$ovs/ovs-vswitchd.ctl" ] && appctl ovs-vswitchd exit >/dev/null 2>&1
  [ -S "$ovs/ovsdb-server.ctl" ] && appctl ovsdb-server exit >/dev/null 2>&1
  ! ip link show "$br" >/dev/null 2>&1 || ip link del "$br"
}
trap 'ovs_stop; cleanup' EXIT

ovs_start() {
  ovsdb-tool create "$ovs/conf.db" "$schema" || fail "ovsdb-tool create"
  run_cmd ovsdb ovsdb-server "$ovs/conf.db" --remote="punix:$ovs/db.sock" \
    --unixctl="$ovs/ovsdb-server.ctl" --pidfile="$ovs/ovsdb-server.pid" --log-file="$ovs/ovsdb-server.log"
  wait_for "[ -S '$ovs/db.sock' ]" 10 || fail "ovsdb-server did not create its socket"
  vsctl --no-wait init || fail "ovs-vsctl init"
  huge_acquire 512 "$work/huge"
  vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
    other_config:dpdk-extra="--no-pci -d $pmd --file-prefix $tag-ovs --huge-dir $huge_dir --log-level=pmd.net.ivshmem:info" \
    other_config:dpdk-socket-mem=512 other_config:pmd-cpu-mask=0x2 \
    other_config:pmd-maxsleep=1000 || fail "ovs-vsctl set dpdk config"
  # (one PMD thread, allowed to sleep up to 1 ms when idle: the peers share
  # the machine's two cores with it)
  run_cmd vswitchd "${sys_env[@]}" "$vswitchd" "unix:$ovs/db.sock" --unixctl="$ovs/ovs-vswitchd.ctl" \
    --pidfile="$ovs/ovs-vswitchd.pid" --log-file="$ovs/ovs-vswitchd.log"
  wait_for "[ -S '$ovs/ovs-vswitchd.ctl' ]" 30 || fail "ovs-vswitchd did not start"
  wait_for "[ \"\$(vsctl get Open_vSwitch . dpdk_initialized 2>/dev/null)\" = true ]" 30 ||
    fail "DPDK not initialized in ovs-vswitchd"
  vsctl add-br "$br" -- set bridge "$br" datapath_type=netdev || fail "add-br"
}

# ---- ports and counters ----------------------------------------------------
add_port() { # add_port NAME OFPORT DEVARGS [COLUMN=VALUE...]
  local name=$1 ofport=$2 devargs=$3; shift 3
  vsctl add-port "$br" "$name" -- set interface "$name" type=dpdk options:dpdk-devargs="$devargs" \
    ofport_request="$ofport" "$@" || fail "add-port $name"
}

iface() { vsctl get interface "$1" "$2" 2>/dev/null | tr -d '"'; } # iface NAME COLUMN
port_stat() { # port_stat IFACE rx|tx KEY: OVS's live port counters (ovs-ofctl dump-ports), e.g. rx pkts
  ovs-ofctl dump-ports "unix:$ovs/$br.mgmt" "$1" | awk -v dir="$2" -v key="$3" '
    $0 ~ " " dir " pkts=" { sub(".* " dir " ", ""); n = split($0, kv, /, */)
      for (i = 1; i <= n; i++) { split(kv[i], p, "="); if (p[1] == key) print p[2] } }'
}
wait_link_up() { # wait_link_up IFACE...
  local i
  for i in "$@"; do
    wait_for "[ \"\$(iface $i link_state)\" = up ]" 30 || fail "$i: link_state $(iface "$i" link_state), want up"
  done
}

sender() { # sender NAME COUNT MIN MAX: ivshmem-traffic on region A, sends only
  # paced (32 frames, then 5 ms): OVS drops what the receiver's full ring
  # refuses, and a receiver woken by a doorbell on a loaded machine may
  # take tens of ms to run (the ring holds 512)
  run_bg "$1" "net_ivshmem0,server=$sock_a" --count "$2" --expect 0 \
    --min-size "$3" --max-size "$4" --pace-us 5000 --timeout 60 --ether
}
receiver() { # receiver NAME COUNT MAX: ivshmem-traffic on region B, receives only (sleeps on Rx interrupts)
  run_bg "$1" "net_ivshmem0,server=$sock_b" --count 0 --expect "$2" --max-size "$3" \
    --timeout 30 --rx-intr --ether
}
counters() { # counters: OVS's rx pkts on ivA, tx pkts and tx drop on ivB
  echo "$(port_stat ivA rx pkts) $(port_stat ivB tx pkts) $(port_stat ivB tx drop)"
}
flowed() { # flowed SENDER RECEIVER COUNT A0 B0 D0: counts since counters() gave A0 B0 D0
  # Every frame the sender sent arrives at the receiver intact and in order,
  # or OVS counted it dropped on ivB (its link can flap when the machine is
  # so loaded that a heartbeat stalls for 60 ms): exact accounting.
  local tx=$1 rx=$2 n=$3 a0=$4 b0=$5 d0=$6 a b d got lost rest
  expect_pass "$tx" "$(eval echo "\$pid_$tx")" 90 >/dev/null
  wait_for 'read -r a b d < <(counters); [ $((b + d - b0 - d0)) -ge $n ]' 20 ||
    fail "OVS passed on $((b - b0)) and dropped $((d - d0)) of $n frames (rx on ivA: $((a - a0)))"
  [ $((a - a0)) -eq "$n" ] && [ $((b + d - b0 - d0)) -eq "$n" ] ||
    fail "OVS: rx $((a - a0)) on ivA, tx $((b - b0)) + drop $((d - d0)) on ivB, want $n"
  wait_pid "$(eval echo "\$pid_$rx")" 60; [ $? -ne 124 ] || fail "$rx hung"
  read -r got lost rest < <(sed -n 's/^RESULT sent=0 received=\([0-9]*\) lost=\([0-9]*\) \(reordered=[0-9]* corrupt=[0-9]*\).*/\1 \2 \3/p' "$work/$rx.log")
  [ "$rest" = "reordered=0 corrupt=0" ] || fail "$rx: ${rest:-no RESULT} (want every frame intact, in order)"
  [ "${got:-0}" -gt 0 ] && [ $((got + d - d0)) -eq "$n" ] ||
    fail "$rx received ${got:-0} frames, OVS dropped $((d - d0)): want $n in all"
  [ $((d - d0)) -eq 0 ] || echo "note: OVS dropped $((d - d0)) frames on ivB (link flap under load), the receiver got the other $got"
  echo "$rx: $got of $n frames intact and in order (lost in sequence: $lost)"
}

# ---- the run ---------------------------------------------------------------
sock=$work/A.sock start_server 2 srvA; sock_a=$work/A.sock
# B with deeper rings (2048 descriptors, formatted by OVS's port, the first
# to attach): OVS drops what a full ring refuses, and a receiver on a loaded
# machine can be off its core for tens of ms
sock_b=$work/B.sock
run_cmd srvB "$server_bin" -F -S "$sock_b" -M "$tag-srvB" -l 16M -n 2
wait_for "[ -S '$sock_b' ]" 10 || fail "srvB did not create $sock_b"
devargs_b="net_ivshmem1,server=$sock_b,ring_size=2048"
ovs_start
add_port ivA 1 "net_ivshmem0,server=$sock_a"
add_port ivB 2 "$devargs_b"
ovs-ofctl del-flows "unix:$ovs/$br.mgmt" || fail "del-flows"
ovs-ofctl add-flow "unix:$ovs/$br.mgmt" in_port=1,actions=output:2 || fail "add-flow"
grep -qF "Device 'net_ivshmem0,server=$sock_a' attached to DPDK" "$ovs/ovs-vswitchd.log" ||
  fail "ovs-vswitchd did not attach net_ivshmem0"

grep -q "net_ivshmem1: port 1, .* 1 queues x 2048 descriptors" "$ovs/ovs-vswitchd.log" ||
  fail "ivB did not format region B with 2048 descriptors"

# 1. checked frames A -> OVS -> B
receiver rx1 $N 1514
sender tx1 $N 60 1514
flowed tx1 rx1 $N 0 0 0
read -r a1 b1 d1 < <(counters)
echo "ok 1: $N frames A -> OVS -> B, OVS counted rx $a1 on ivA, tx $b1 + drop $d1 on ivB"

# 2. MTU 9000: first refused by the PMD at MTU 1500, then passed
[ "$(iface ivA mtu)" = 1500 ] || fail "ivA mtu $(iface ivA mtu), want 1500 before mtu_request"
J=20
sender tx2 $J 9014 9014
expect_pass tx2 "$pid_tx2" 60 >/dev/null
# the PMD drops them (xstat rx_over_mtu, counted in ierrors: OVS's rx errs)
wait_for "[ \"\$(port_stat ivA rx errs)\" = $J ]" 10 ||
  fail "ivA rx errs $(port_stat ivA rx errs), want $J (9014 B frames at MTU 1500)"
vsctl set interface ivA mtu_request=9000 -- set interface ivB mtu_request=9000 || fail "mtu_request"
for i in ivA ivB; do
  wait_for "[ \"\$(iface $i mtu)\" = 9000 ]" 30 || fail "$i mtu $(iface $i mtu), want 9000"
done
# OVS set the queues up again for the new MTU: the port's counters stay
read -r a b d < <(counters)
[ "$a $b $d" = "$a1 $b1 $d1" ] || fail "OVS counters after the MTU change: $a $b $d, before: $a1 $b1 $d1"
receiver rx3 $N 9014
sender tx3 $N 1515 9014
flowed tx3 rx3 $N "$a1" "$b1" "$d1"
echo "ok 2: mtu_request=9000 -> mtu $(iface ivA mtu)/$(iface ivB mtu), counters kept; $N frames of 1515..9014 B passed ($J over MTU 1500 dropped before)"

# 3. del-port and add-port again, the receiver on B staying up throughout
receiver rx4 $N 9014
wait_for "grep -q 'net_ivshmem0: link up' '$work/rx4.log'" 30 || fail "the receiver on B saw no link up"
vsctl del-port "$br" ivA -- del-port "$br" ivB || fail "del-port"
wait_for "grep -qF \"Device '$devargs_b' has been removed\" '$ovs/ovs-vswitchd.log'" 20 ||
  fail "ovs-vswitchd did not remove net_ivshmem1"
kill -0 "$pid_rx4" || fail "the receiver on B exited when its OVS port went away"
sender tx4 $N 60 9014
# B first, and up: what comes in on A has somewhere to go
add_port ivB 2 "$devargs_b" mtu_request=9000
wait_link_up ivB
add_port ivA 1 "net_ivshmem0,server=$sock_a" mtu_request=9000
flowed tx4 rx4 $N 0 0 0 # new ports, new counters
echo "ok 3: ports deleted and added back; $N frames to the receiver that stayed up"
echo "PASS ovs: OVS-DPDK $($vswitchd --version | head -1 | awk '{print $NF}') switched net_ivshmem A -> B"
