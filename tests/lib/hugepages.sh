# shellcheck shell=bash
# Hugepages for a test that needs them, on a machine that has none set up
# (a new machine has no /dev/hugepages and nr_hugepages 0). Source it, then
#   huge_acquire PAGES DIR   reserves PAGES more 2 MiB pages and mounts a
#                            private hugetlbfs on DIR (made here); give EAL
#                            --huge-dir DIR
#   huge_release             unmounts DIR and gives the pages back; call it
#                            from the test's exit trap (safe to call twice)
# Tests may run at the same time (our two builds, other checkouts): each
# holder is a file /run/ivshmem-pmd-tests/huge.d/PID with its page count,
# changed under one flock; the pool is the machine's own count before the
# first holder plus what the live holders asked for, and goes back to that
# count when the last one leaves. A holder killed with -9 is pruned by the
# next one (its pid is gone).
huge_state=/run/ivshmem-pmd-tests
huge_dir=
huge_pages=0

huge_locked() { # huge_locked CMD...: CMD under the machine-wide lock
  mkdir -p "$huge_state/huge.d"
  (flock 9 && "$@") 9>"$huge_state/huge.lock"
}

huge_set_pool() { # from the live holders (prunes dead ones); needs the lock
  local f sum=0 orig
  for f in "$huge_state"/huge.d/*; do
    [ -f "$f" ] || continue
    if kill -0 "${f##*/}" 2>/dev/null; then
      sum=$((sum + $(cat "$f")))
    else
      rm -f "$f"
    fi
  done
  if [ $sum -eq 0 ]; then
    [ -f "$huge_state/huge.orig" ] || return 0
    orig=$(cat "$huge_state/huge.orig")
    echo "$orig" > /proc/sys/vm/nr_hugepages
    rm -f "$huge_state/huge.orig"
    return 0
  fi
  [ -f "$huge_state/huge.orig" ] || cat /proc/sys/vm/nr_hugepages > "$huge_state/huge.orig"
  orig=$(cat "$huge_state/huge.orig")
  echo $((orig + sum)) > /proc/sys/vm/nr_hugepages
}

huge_join() { # huge_join PAGES PID; needs the lock
  # the first holder records the machine's own count before anyone adds
  ls "$huge_state"/huge.d/* >/dev/null 2>&1 || rm -f "$huge_state/huge.orig"
  echo "$1" > "$huge_state/huge.d/$2"
  huge_set_pool
}

huge_leave() { # huge_leave PID; needs the lock
  rm -f "$huge_state/huge.d/$1"
  huge_set_pool
}

huge_acquire() { # huge_acquire PAGES DIR: exits 77 (skip) if the kernel has no pages to give
  local want=$1 free
  [ "$(id -u)" = 0 ] || { echo "SKIP: hugepages need root"; exit 77; }
  grep -q hugetlbfs /proc/filesystems || { echo "SKIP: this kernel has no hugetlbfs"; exit 77; }
  huge_pages=$want
  huge_locked huge_join "$want" $$
  huge_dir=$2
  mkdir -p "$huge_dir"
  mount -t hugetlbfs -o pagesize=2M nodev "$huge_dir" || {
    huge_release; echo "FAIL: cannot mount hugetlbfs on $huge_dir"; exit 1; }
  free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
  if [ "$free" -lt "$want" ]; then
    # the kernel could not find that much contiguous memory: the machine's
    # limit, not ours (say so rather than fail later inside EAL)
    huge_release
    echo "SKIP: the kernel gave $free free 2 MiB hugepages, this test needs $want"
    exit 77
  fi
}

huge_release() {
  [ "$huge_pages" -gt 0 ] || return 0
  if [ -n "$huge_dir" ] && mountpoint -q "$huge_dir"; then
    umount "$huge_dir" || umount -l "$huge_dir"
  fi
  [ -z "$huge_dir" ] || rmdir "$huge_dir" 2>/dev/null
  huge_locked huge_leave $$
  huge_pages=0
}
