# shellcheck shell=bash
# Drivers of scripts/bench-compare.sh: what each one needs (EAL memory,
# vdev per side, a server, hugepages) and the checks that let a driver be
# skipped or fail alone. Side 0 is the receiver / reflector, side 1 the
# sender / initiator. Needs: $build $tag $out $IVSHMEM_ARGS $ALT_ARGS $ALT_SO
# $HUGE_MB, the pid list `pids` and track/untrack from the caller.
#
#   ivshmem-server  net_ivshmem through our ivshmem-server (the README's usage)
#   ivshmem-shm     net_ivshmem on one shm file, explicit ids (alias: ivshmem)
#   ivshmem-zc      ivshmem-server plus zero_copy=1 (skipped with a message
#                   while the PMD has no such devarg)
#   ivshmem-alt     ivshmem-shm with ALT_ARGS instead, loaded from ALT_SO
#   memif           net_memif, receiver = server, sender = client
#   memif-zc        the same, the sender a zero-copy=yes client (22.11 keeps
#                   zero-copy on the client and wants hugepages with
#                   --single-file-segments there; the server always copies)
#   virtio          net_vhost (receiver) <-> net_virtio_user (sender), hugepages

drv_canonical() { [ "$1" = ivshmem ] && echo ivshmem-shm || echo "$1"; }
drv_is_ivshmem() { [[ $1 == ivshmem* ]]; }
drv_uses_server() { [ "$1" = ivshmem-server ] || [ "$1" = ivshmem-zc ]; }
drv_needs_huge() { [ "$1" = virtio ] || [ "$1" = memif-zc ]; }

drv_known() {
  case $1 in
    ivshmem-server|ivshmem-shm|ivshmem-zc|ivshmem-alt|memif|memif-zc|virtio) return 0;;
    *) return 1;;
  esac
}

# drv_unusable KIND: prints why KIND cannot run here (nothing: it can)
drv_unusable() {
  local so=$build/drivers/librte_net_ivshmem.so
  if ! drv_known "$1"; then echo "unknown driver (see the list in scripts/lib/bench-drivers.sh)"; return; fi
  if drv_is_ivshmem "$1" && [ "$1" != ivshmem-alt ] && [ ! -e "$so" ]; then
    echo "net_ivshmem not built ($so)"; return; fi
  if drv_uses_server "$1" && [ ! -x "$build/host/ivshmem-server" ]; then
    echo "ivshmem-server not built"; return; fi
  # the devarg table holds the key as a string: no string, no devarg
  if [ "$1" = ivshmem-zc ] && ! grep -qa 'zero_copy' "$so"; then
    echo "this net_ivshmem has no zero_copy devarg yet (branch zc not merged)"; return; fi
  if drv_needs_huge "$1" && [ -z "${huge_dir:-}" ]; then
    echo "needs 2 MiB hugepages: ${huge_error:-not reserved}"; return; fi
}

drv_eal() { # drv_eal KIND: memory options
  if drv_needs_huge "$1"; then
    echo "-m $HUGE_MB --single-file-segments --huge-dir $huge_dir --no-pci --log-level=warning"
  else
    echo "--no-huge -m 512 --no-pci --log-level=warning"
  fi
}

drv_vdevs() { # drv_vdevs KIND SIDE NAME
  local srv=/run/$tag-$3.srv shm=/dev/shm/$tag-$3 sock=/run/$tag-$3.sock
  case $1 in
    ivshmem-server) echo "-d librte_net_ivshmem.so --vdev net_ivshmem0,server=$srv$IVSHMEM_ARGS";;
    ivshmem-zc) echo "-d librte_net_ivshmem.so --vdev net_ivshmem0,server=$srv,zero_copy=1$IVSHMEM_ARGS";;
    ivshmem-shm) echo "-d librte_net_ivshmem.so --vdev net_ivshmem0,shm=$shm,size=4M,id=$2$IVSHMEM_ARGS";;
    ivshmem-alt) echo "-d $ALT_SO --vdev net_ivshmem0,shm=$shm,size=4M,id=$2$ALT_ARGS";;
    memif|memif-zc)
      local role=server zc=
      if [ "$2" = 1 ]; then role=client; [ "$1" = memif-zc ] && zc=,zero-copy=yes; fi
      echo "--vdev net_memif0,role=$role,socket-abstract=no,socket=$sock$zc";;
    virtio) if [ "$2" = 0 ]; then echo "--vdev net_vhost0,iface=$sock,queues=1"
            else echo "--vdev net_virtio_user0,path=$sock,queues=1"; fi;;
  esac
}

# drv_ready_path KIND NAME: what exists once side 0 (or the server) is up
drv_ready_path() {
  if drv_uses_server "$1"; then echo "/run/$tag-$2.srv"
  elif drv_is_ivshmem "$1"; then echo "/dev/shm/$tag-$2"
  else echo "/run/$tag-$2.sock"; fi
}

wait_path() { # wait_path PATH PID: until PATH exists (PID must stay alive)
  local i
  for i in $(seq 200); do
    [ -e "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# drv_begin KIND NAME: what the pair needs before its processes (our
# server); on failure the reason is in $drv_error
drv_begin() {
  drv_error=
  drv_uses_server "$1" || return 0
  "$build/host/ivshmem-server" -F -S "/run/$tag-$2.srv" -l 4M -n 2 > "$out/$2.server" 2>&1 &
  server_pid=$!; track $server_pid
  wait_path "/run/$tag-$2.srv" $server_pid && return 0
  drv_error="ivshmem-server did not start: $(tail -1 "$out/$2.server")"
  return 1
}

drv_end() { # drv_end KIND NAME: stops the server, removes the pair's files
  if drv_uses_server "$1" && [ -n "${server_pid:-}" ]; then
    kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; untrack "$server_pid"
    server_pid=
  fi
  rm -f "/run/$tag-$2.srv" "/run/$tag-$2.sock" "/dev/shm/$tag-$2"
  rm -rf /var/run/dpdk/"$tag"-*"$2"
}

# drv_note KIND LOG: what the receiver's log says about the mode it got
drv_note() {
  if [ "$1" = ivshmem-zc ] && grep -q 'zero_copy=1 refused' "$2"; then
    echo "zero_copy=1 refused by the PMD (Rx copied)"
  fi
}

# Hugepages for the drivers that need them: a private hugetlbfs mount as in
# tests/lib/hugepages.sh (the pages go back at exit). huge_acquire exits the
# shell it runs in when the kernel cannot give them, so it runs in a
# subshell first (its holder file is named by $$, this script's pid).
huge_setup() { # huge_setup PAGES
  huge_error=
  # shellcheck source=../../tests/lib/hugepages.sh
  source "$top/tests/lib/hugepages.sh"
  local dir=/run/$tag-huge msg
  if msg=$(huge_acquire "$1" "$dir" 2>&1); then
    huge_pages=$1; huge_dir=$dir
  else
    huge_error=$(echo "$msg" | tail -1); huge_dir=
  fi
}
