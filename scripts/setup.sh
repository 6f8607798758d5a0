#!/usr/bin/env bash
# Installs what ivshmem-pmd needs on Debian 12 (as root), fetches the DPDK
# driver-SDK headers Debian does not ship, and configures build/.
# Idempotent: a second run only checks. Used by run-tests.sh and run-demo.sh.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
log() { printf '[setup] %s\n' "$*"; }

PKGS=(dpdk libdpdk-dev dpdk-dev meson ninja-build python3-pyelftools libnuma-dev
      pkg-config gcc clang libclang-rt-14-dev dpkg-dev
      qemu-system-x86 linux-image-amd64 busybox-static cpio kmod
      openvswitch-switch-dpdk iperf3 iproute2)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
apt_updated=0
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || { echo "setup: need root to install: ${missing[*]}" >&2; exit 1; }
  log "installing: ${missing[*]}"
  apt-get update -qq; apt_updated=1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# fetch_dpdk_source DIR: downloads the source package of the installed DPDK
# into DIR (emptied first) and prints the path of its tarball.
fetch_dpdk_source() {
  # Derive deb-src entries from the machine's own apt sources.
  src_list=/etc/apt/sources.list.d/ivshmem-pmd-deb-src.sources
  if ! apt-get indextargets --format '$(CREATED_BY)' 2>/dev/null | grep -q '^Sources$'; then
    : > "$src_list.tmp"
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] || continue
      case "$f" in *ivshmem-pmd*) continue;; esac
      awk '/^Types:/ && /deb( |$)/ {print "Types: deb-src"; next} {print}' "$f" >> "$src_list.tmp"
      echo >> "$src_list.tmp"
    done
    if [ -f /etc/apt/sources.list ]; then
      grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
        > /etc/apt/sources.list.d/ivshmem-pmd-deb-src.list || true
    fi
    mv "$src_list.tmp" "$src_list"
    apt_updated=0
  fi
  [ $apt_updated -eq 1 ] || apt-get update -qq >&2
  rm -rf "$1"; mkdir -p "$1"
  (cd "$1" && apt-get source --download-only -qq "dpdk=$ver" >/dev/null)
  ls "$1"/dpdk_*.orig.tar.* | head -1
}
ver=$(dpkg-query -W -f='${Version}' libdpdk-dev)

# --- DPDK driver-SDK headers ------------------------------------------------
sdk="$top/.deps/dpdk-sdk/include"
dpdk_inc=$(pkg-config --variable=includedir libdpdk)
# A DPDK built from source with the SDK has the headers; pmdinfogen.py is
# never installed, so it always comes from the source package.
if [ -f "$top/.deps/dpdk-sdk/buildtools/pmdinfogen.py" ] && [ -f "$top/.deps/dpdk-sdk/buildtools/coff.py" ] &&
   { [ -f "$dpdk_inc/ethdev_driver.h" ] || [ -f "$sdk/ethdev_driver.h" ]; }; then
  log "driver SDK headers and pmdinfogen present"
else
  log "fetching DPDK $ver source package for the driver SDK headers"
  work="$top/.deps/dpdk-src"
  tarball=$(fetch_dpdk_source "$work")
  mkdir -p "$work/x"
  tar -xf "$tarball" -C "$work/x" --wildcards '*/lib/*.h' '*/drivers/bus/pci/*.h' \
      '*/drivers/bus/vdev/*.h' '*/buildtools/pmdinfogen.py' '*/buildtools/coff.py'
  # pmdinfogen (not packaged by Debian) embeds the PMD info dpdk-pmdinfo.py reads.
  mkdir -p "$top/.deps/dpdk-sdk/buildtools"
  cp "$(find "$work/x" -name pmdinfogen.py | head -1)" "$(find "$work/x" -name coff.py | head -1)" "$top/.deps/dpdk-sdk/buildtools/"
  mkdir -p "$sdk"
  for h in ethdev_driver.h ethdev_pci.h ethdev_vdev.h bus_driver.h dev_driver.h \
           bus_pci_driver.h bus_vdev_driver.h; do
    f=$(find "$work/x" -name "$h" | head -1)
    [ -n "$f" ] || { echo "setup: $h not in $tarball" >&2; exit 1; }
    cp "$f" "$sdk/"
  done
  # Headers those include that Debian also omits (private ones).
  for h in $(grep -ho '#include "[a-z_]*\.h"\|#include <[a-z_]*\.h>' "$sdk"/*.h | sed 's/.*[<"]\(.*\)[>"]/\1/' | sort -u); do
    [ -f "$dpdk_inc/$h" ] || [ -f "$sdk/$h" ] || [ -f "/usr/include/$h" ] && continue
    f=$(find "$work/x" -name "$h" | head -1)
    [ -n "$f" ] && cp "$f" "$sdk/"
  done
  rm -rf "$work"
  log "driver SDK headers in $sdk"
fi

# --- DPDK example programs (tests/dpdk-apps) ----------------------------------
# l2fwd, l3fwd and l3fwd-power from the same source package, built with their own
# Makefiles (pkg-config libdpdk) into $DPDK_EXAMPLES_DIR/bin once.
examples="${DPDK_EXAMPLES_DIR:-$top/.deps/dpdk-examples}"
example_names=(l2fwd l3fwd l3fwd-power)
if [ -x "$examples/bin/dpdk-l2fwd" ] && [ -x "$examples/bin/dpdk-l3fwd" ] &&
   [ -x "$examples/bin/dpdk-l3fwd-power" ]; then
  log "DPDK examples present in $examples/bin"
else
  log "building DPDK $ver examples ${example_names[*]} into $examples/bin"
  tarball=$(fetch_dpdk_source "$examples/src")
  patterns=('*/examples/common/*')
  for ex in "${example_names[@]}"; do patterns+=("*/examples/$ex/*"); done
  tar -xf "$tarball" -C "$examples/src" --wildcards "${patterns[@]}"
  mkdir -p "$examples/bin"
  for ex in "${example_names[@]}"; do
    d=$(ls -d "$examples"/src/*/examples/$ex)
    make -s -C "$d" -j2 >/dev/null
    cp "$d/build/$ex-shared" "$examples/bin/dpdk-$ex"
  done
  rm -rf "$examples/src"
fi

# --- configure ---------------------------------------------------------------
if [ ! -f build/build.ninja ]; then
  log "configuring build/"
  meson setup build --werror >/dev/null
fi
