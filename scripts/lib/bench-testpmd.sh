# shellcheck shell=bash
# The stock dpdk-testpmd part of scripts/bench-compare.sh: one receiver and
# one sender per driver, layout, workload and round, driven through their
# stdin (FIFOs), rates read at the receiver:
#   "show port stats 0" twice, DURATION apart, once traffic flows and after
#   WARMUP: the second reading's Rx-pps is testpmd's own RX-packets delta
#   over its own clock between the two readings (start-up, link-up and the
#   first WARMUP seconds are outside the window).
# Workloads: rxonly (stock txonly -> rxonly, every size in one pair), csum
# (ivshmem-fwd txonly --udp-cksum -> testpmd csum engine, software
# checksums: it recomputes the UDP checksum over every payload byte; one
# sender per size, because testpmd's generators send checksum 0, which the
# csum engine skips).
# Layouts: one-core (each process's two lcores on one core: sender on
# SENDER_CPU, receiver on RECEIVER_CPU) and split (--lcores 0@S,1@R for
# both; the forwarding lcore is the sender's 0 and the receiver's 1).

tp_lcores() { # tp_lcores LAYOUT SIDE
  local s=$SENDER_CPU r=$RECEIVER_CPU
  case $1-$2 in
    one-core-0) echo "--lcores 0@$r,1@$r --main-lcore 0";;
    one-core-1) echo "--lcores 0@$s,1@$s --main-lcore 0";;
    split-0) echo "--lcores 0@$s,1@$r --main-lcore 0";;
    split-1) echo "--lcores 0@$s,1@$r --main-lcore 1";;
  esac
}

size_of() { stat -c %s "$1" 2>/dev/null || echo 0; }

# tp_ask FD LOG PID CMD PATTERN [SECONDS]: sends CMD, waits until the
# output after it holds PATTERN; the new output is left in $reply
tp_ask() {
  local fd=$1 log=$2 pid=$3 cmd=$4 pat=$5 secs=${6:-10} from i
  from=$(size_of "$log")
  echo "$cmd" >&"$fd"
  for i in $(seq $((secs * 50))); do
    reply=$(tail -c +$((from + 1)) "$log")
    grep -q -- "$pat" <<<"$reply" && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.02
  done
  return 1
}

tp_rx_packets() { # from a "show port stats" reply
  grep -o 'RX-packets: *[0-9]*' <<<"$reply" | tail -1 | grep -o '[0-9]*$'
}
tp_rx_pps() { grep -o 'Rx-pps: *[0-9]*' <<<"$reply" | tail -1 | grep -o '[0-9]*$'; }

# tp_until_link FD LOG PID: the receiver's port reports link up
tp_until_link() {
  local end=$((SECONDS + 20))
  while [ $SECONDS -lt $end ]; do
    tp_ask "$1" "$2" "$3" "show port info 0" "Link status: " 5 || return 1
    grep -q 'Link status: up' <<<"$reply" && return 0
    sleep 0.1
  done
  return 1
}

# tp_measure FD LOG PID: waits for RX-packets to move, then WARMUP, then the
# two readings; prints the rate in Mpps (nothing if it never flowed)
tp_measure() {
  local fd=$1 log=$2 pid=$3 before now end=$((SECONDS + 20))
  tp_ask "$fd" "$log" "$pid" "show port stats 0" "Tx-bps" || return 1
  before=$(tp_rx_packets)
  while :; do
    sleep 0.05
    tp_ask "$fd" "$log" "$pid" "show port stats 0" "Tx-bps" || return 1
    now=$(tp_rx_packets)
    [ "${now:-0}" -gt "${before:-0}" ] && break
    [ $SECONDS -lt $end ] || { echo "no packets arrived within 20 s" >&2; return 1; }
  done
  sleep "$WARMUP"
  tp_ask "$fd" "$log" "$pid" "show port stats 0" "Tx-bps" || return 1
  # A window in which not one frame arrived is a process descheduled for all
  # of it (seen at load 8-10 with 0.2 s windows), not a rate: up to three
  # windows, each reading pair its own (Rx-pps is the delta between two).
  local tries
  for tries in 1 2 3; do
    before=$(tp_rx_packets)
    sleep "$DURATION"
    tp_ask "$fd" "$log" "$pid" "show port stats 0" "Tx-bps" || return 1
    now=$(tp_rx_packets)
    [ "$now" -gt "$before" ] && break
    echo "  (window $tries: no frame arrived; measuring again)" >&2
  done
  [ "$now" -gt "$before" ] || { echo "traffic stopped in three windows" >&2; return 1; }
  awk -v p="$(tp_rx_pps)" 'BEGIN { printf "%.4f\n", p / 1e6 }'
}

# tp_csum_sw FD LOG PID: IP and UDP checksums in software (testpmd's default
# too; set and checked, with the port stopped as "csum set" wants)
tp_csum_sw() {
  csum_error="port stop"
  tp_ask "$1" "$2" "$3" "port stop 0" "Done" || return 1
  echo "csum set ip sw 0" >&"$1"; echo "csum set udp sw 0" >&"$1"
  csum_error="csum show"
  tp_ask "$1" "$2" "$3" "csum show 0" "UDP checksum offload is" || return 1
  csum_error="UDP checksum not in software"
  grep -q 'IP checksum offload is sw' <<<"$reply" && grep -q 'UDP checksum offload is sw' <<<"$reply" ||
    return 1
  csum_error="port start"
  tp_ask "$1" "$2" "$3" "port start 0" "Done"
}

# tp_start VAR_PID VAR_FD SIDE KIND NAME LAYOUT MODE: an interactive testpmd
tp_start() {
  local -n _pid=$1 _fd=$2
  local side=$3 kind=$4 name=$5 layout=$6 mode=$7 role fifo
  role=$([ "$side" = 0 ] && echo rx || echo tx)
  fifo=$out/$name.$role.in
  mkfifo "$fifo"
  exec {_fd}<>"$fifo" # read-write: never blocks, holds the FIFO open
  # shellcheck disable=SC2046
  timeout "$tp_timeout" stdbuf -oL dpdk-testpmd $(tp_lcores "$layout" "$side") $(drv_eal "$kind") \
    --file-prefix "$tag-$role-$name" $(drv_vdevs "$kind" "$side" "$name") -- -i \
    --total-num-mbufs=16384 --forward-mode="$mode" --burst="$BURST" --nb-cores=1 \
    < "$fifo" > "$out/$name.$role" 2>&1 &
  _pid=$!; track "$_pid"
}

tp_stop() { # tp_stop PID FD: quit, then kill if it does not go
  local pid=$1 fd=$2 i
  { echo quit >&"$fd"; } 2>/dev/null || true
  for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill "$pid" 2>/dev/null || true # (22.11 memif may crash at its own close)
  wait "$pid" 2>/dev/null || true
  untrack "$pid"
  exec {fd}>&-
}

# csum_sender_start VAR_PID KIND NAME LAYOUT SIZE: ivshmem-fwd as the sender
csum_sender_start() {
  local -n _cpid=$1
  local kind=$2 name=$3 layout=$4 size=$5
  # shellcheck disable=SC2046
  timeout "$tp_timeout" "$build/apps/ivshmem-fwd" $(tp_lcores "$layout" 1) $(drv_eal "$kind") \
    --file-prefix "$tag-tx-$name" $(drv_vdevs "$kind" 1 "$name") -- --forward-mode=txonly \
    --txpkts="$size" --udp-cksum --burst="$BURST" > "$out/$name.tx-$size" 2>&1 &
  _cpid=$!; track "$_cpid"
}

stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; untrack "$1"; }

# tp_pair KIND WORKLOAD LAYOUT ROUND: one pair, every size; records each
# size's rate, or a failure with its reason
tp_pair() {
  local kind=$1 wl=$2 layout=$3 r=$4 name rx rxfd tx=0 txfd=0 s mpps note
  name=$kind-$wl-$layout-$r
  local mode=rxonly; [ "$wl" = csum ] && mode=csum
  drv_begin "$kind" "$name" || { fail "$kind" testpmd "$wl" "$layout" "$r" "$drv_error"; return; }
  tp_start rx rxfd 0 "$kind" "$name" "$layout" "$mode"
  if ! wait_path "$(drv_ready_path "$kind" "$name")" "$rx"; then
    tp_fail_end "receiver did not start"; return; fi
  if [ "$wl" = rxonly ]; then
    tp_start tx txfd 1 "$kind" "$name" "$layout" txonly
    tp_until_link "$rxfd" "$out/$name.rx" "$rx" || { tp_fail_end "link did not come up"; return; }
  fi
  [ "$wl" != csum ] || tp_csum_sw "$rxfd" "$out/$name.rx" "$rx" || { tp_fail_end "receiver: $csum_error"; return; }
  tp_ask "$rxfd" "$out/$name.rx" "$rx" start "forwarding - ports" || { tp_fail_end "receiver: start"; return; }
  for s in ${SIZES//,/ }; do
    local csum_tx=0
    if [ "$wl" = rxonly ]; then
      echo "set txpkts $s" >&"$txfd"; echo start >&"$txfd"
    else
      csum_sender_start csum_tx "$kind" "$name" "$layout" "$s"
    fi
    if mpps=$(tp_measure "$rxfd" "$out/$name.rx" "$rx" 2>>"$out/$name.why"); then
      record testpmd "$wl" "$layout" "$kind" "$r" "$s" "$mpps"
    else
      fail "$kind" testpmd "$wl" "$layout" "$r" "size $s: $(tail -1 "$out/$name.why" 2>/dev/null || echo no reading)"
    fi
    if [ "$wl" = rxonly ]; then echo stop >&"$txfd"; else stop_pid "$csum_tx"; fi
  done
  note=$(drv_note "$kind" "$out/$name.rx"); [ -z "$note" ] || notes "$kind" "$note"
  [ "$tx" = 0 ] || tp_stop "$tx" "$txfd"
  tp_stop "$rx" "$rxfd"
  drv_end "$kind" "$name"
}

tp_fail_end() { # the pair failed before any size: say why, clean up
  local why=$1 log=$out/$name.rx
  local said; said=$(grep -iE 'error|invalid|unknown|fail|cannot' "$log" 2>/dev/null | head -1)
  fail "$kind" testpmd "$wl" "$layout" "$r" "$why${said:+: $said}"
  [ "$tx" = 0 ] || tp_stop "$tx" "$txfd"
  tp_stop "$rx" "$rxfd"
  drv_end "$kind" "$name"
}
