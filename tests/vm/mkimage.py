#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Builds what a VM test boots: an uncompressed vmlinux (for QEMU's PVH entry)
and a busybox initramfs holding the test binaries with their library closure.

  mkimage.py vmlinux --out FILE [--kernel /boot/vmlinuz-X]
  mkimage.py initrd  --out FILE.cpio.gz [--bin PATH[:DEST]]... [--plugin PATH]...
                     [--file SRC:DEST]... [--kver X]

Only the Python standard library; runs as any user (device nodes are written
into the cpio archive, never created on disk).
"""
import argparse
import glob
import gzip
import lzma
import os
import re
import shutil
import stat
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
MODULES = ["uio", "uio_pci_generic", "vfio", "vfio_iommu_type1", "vfio-pci"]
PLUGIN_DIR = "/usr/lib/vmtest"   # not Debian's pmds dir: EAL would load all of it
EXTRA_LIBS = ["libgcc_s.so.1"]   # dlopen'ed by pthread_cancel, invisible to ldd


def newest_kernel():
    kernels = sorted(glob.glob("/boot/vmlinuz-*"), key=os.path.getmtime)
    return kernels[-1] if kernels else None


# ---- vmlinux ---------------------------------------------------------------

def _try_xz(blob, at):
    return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(blob[at:])


def _try_gzip(blob, at):
    return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(blob[at:])


def _try_zstd(blob, at):
    zstd = shutil.which("zstd")
    if zstd is None:
        raise ValueError("zstd payload but no zstd program")
    return subprocess.run([zstd, "-dc"], input=blob[at:], capture_output=True,
                          check=False).stdout


# The bzImage's payload is one compressed stream somewhere after the setup
# code; scanning for each format's magic finds it without parsing headers.
MAGICS = [(b"\xfd7zXZ\x00", _try_xz), (b"\x1f\x8b\x08", _try_gzip),
          (b"\x28\xb5\x2f\xfd", _try_zstd)]


def extract_vmlinux(bzimage):
    with open(bzimage, "rb") as f:
        blob = f.read()
    for magic, decompress in MAGICS:
        at = blob.find(magic)
        while at >= 0:
            try:
                out = decompress(blob, at)
            except (lzma.LZMAError, zlib.error, EOFError, ValueError):
                out = b""
            if out[:4] == b"\x7fELF":
                return out
            at = blob.find(magic, at + 1)
    raise SystemExit("no ELF payload found in %s" % bzimage)


def cmd_vmlinux(args):
    kernel = args.kernel or newest_kernel()
    if kernel is None:
        raise SystemExit("no /boot/vmlinuz-*")
    data = extract_vmlinux(kernel)
    tmp = args.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, args.out)


# ---- cpio newc -------------------------------------------------------------

class Cpio:
    def __init__(self):
        self.parts = []
        self.ino = 1
        self.names = set()

    def _entry(self, name, mode, data=b"", rdev=(0, 0)):
        name = name.lstrip("/")
        if name in self.names:
            return
        self.names.add(name)
        fields = [self.ino, mode, 0, 0, 1, 0, len(data), 0, 0,
                  rdev[0], rdev[1], len(name) + 1, 0]
        hdr = b"070701" + b"".join(b"%08X" % v for v in fields)
        self.ino += 1
        blob = hdr + name.encode() + b"\0"
        blob += b"\0" * (-len(blob) % 4)
        self.parts.append(blob + data + b"\0" * (-len(data) % 4))

    def mkdirs(self, path):
        parts = path.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            self._entry("/".join(parts[:i]), stat.S_IFDIR | 0o755)

    def add_dir(self, path):
        self.mkdirs(path)

    def add_file(self, dest, data, mode=0o644):
        self.mkdirs(os.path.dirname(dest))
        self._entry(dest, stat.S_IFREG | mode, data)

    def add_symlink(self, dest, target):
        self.mkdirs(os.path.dirname(dest))
        self._entry(dest, stat.S_IFLNK | 0o777, target.encode())

    def add_chardev(self, dest, major, minor):
        self.mkdirs(os.path.dirname(dest))
        self._entry(dest, stat.S_IFCHR | 0o600, rdev=(major, minor))

    def add_host_file(self, src, dest=None):
        """Copies a host file; a symlink is kept as a link plus its target."""
        dest = dest or src
        if os.path.islink(src) and dest == src:
            target = os.readlink(src)
            self.add_symlink(dest, target)
            self.add_host_file(os.path.join(os.path.dirname(src), target))
            return
        with open(src, "rb") as f:
            data = f.read()
        self.add_file(dest, data, os.stat(src).st_mode & 0o777)

    def finish(self):
        self._entry("TRAILER!!!", 0)
        return b"".join(self.parts)


# ---- contents --------------------------------------------------------------

LDD_LINE = re.compile(r"(?:=>\s*)?(/\S+)\s+\(0x")


def ldd_closure(path):
    out = subprocess.run(["ldd", path], capture_output=True, text=True,
                         check=False).stdout
    return [m.group(1) for m in map(LDD_LINE.search, out.splitlines()) if m]


def find_lib(name):
    for d in ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"]:
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    return None


def module_order(kver):
    """Module files in load order (dependencies first) from modules.dep."""
    base = "/lib/modules/%s" % kver
    deps = {}
    with open(base + "/modules.dep") as f:
        for line in f:
            mod, _, rest = line.partition(":")
            deps[mod] = rest.split()
    by_name = {os.path.basename(m).split(".ko")[0].replace("-", "_"): m
               for m in deps}
    order = []

    def visit(mod):
        for d in reversed(deps[mod]):
            visit(d)
        if mod not in order:
            order.append(mod)
    for name in MODULES:
        visit(by_name[name.replace("-", "_")])
    return [(m, base + "/" + m) for m in order]


def add_binary(cpio, src, dest):
    cpio.add_host_file(src, dest)
    for lib in ldd_closure(src):
        cpio.add_host_file(lib)


def cmd_initrd(args):
    kver = args.kver or os.path.basename(newest_kernel()).split("-", 1)[1]
    cpio = Cpio()
    for d in ["dev", "proc", "sys", "tmp", "run", "var/run", "mnt/huge", "etc",
              "root"]:
        cpio.add_dir(d)
    cpio.add_chardev("/dev/console", 5, 1)
    cpio.add_chardev("/dev/null", 1, 3)
    cpio.add_host_file(shutil.which("busybox") or "/bin/busybox", "/bin/busybox")
    cpio.add_symlink("/bin/sh", "busybox")
    with open(os.path.join(HERE, "init.sh"), "rb") as f:
        cpio.add_file("/init", f.read(), 0o755)
    mods = []
    for rel, path in module_order(kver):
        dest = "/lib/modules/%s/%s" % (kver, rel)
        cpio.add_host_file(path, dest)
        mods.append(dest)
    cpio.add_file("/etc/vmtest/modules", ("\n".join(mods) + "\n").encode())
    for lib in EXTRA_LIBS:
        path = find_lib(lib)
        if path:
            cpio.add_host_file(path)
    for spec in args.bin:
        src, _, dest = spec.partition(":")
        add_binary(cpio, src, dest or "/usr/bin/" + os.path.basename(src))
    for src in args.plugin:
        add_binary(cpio, src, PLUGIN_DIR + "/" + os.path.basename(src))
    for spec in args.file:
        src, _, dest = spec.partition(":")
        cpio.add_host_file(src, dest)
    data = gzip.compress(cpio.finish(), compresslevel=6, mtime=0)
    tmp = args.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, args.out)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("vmlinux")
    v.add_argument("--out", required=True)
    v.add_argument("--kernel")
    i = sub.add_parser("initrd")
    i.add_argument("--out", required=True)
    i.add_argument("--kver")
    i.add_argument("--bin", action="append", default=[])
    i.add_argument("--plugin", action="append", default=[])
    i.add_argument("--file", action="append", default=[])
    args = ap.parse_args()
    {"vmlinux": cmd_vmlinux, "initrd": cmd_initrd}[args.cmd](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
