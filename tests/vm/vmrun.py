#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Runs one VM test scenario: boots TCG QEMU guests (PVH vmlinux + test
initramfs) with ivshmem devices, runs the host side, checks the result.

  vmrun.py --build-root BUILD SCENARIO       run a scenario (meson does this)
  vmrun.py --build-root BUILD --list         list scenarios
  vmrun.py --build-root BUILD --shell plain|doorbell
                                              interactive guest shell

Exit status: 0 pass, 1 fail, 77 skip (reason printed). Everything started is
torn down on exit (QEMU, servers, host peers, shm files, sockets), also on
failure, timeout or Ctrl-C.
"""
import argparse
import fcntl
import glob
import hashlib
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import mkimage  # noqa: E402  (the Cpio writer, for per-guest overlays)
SKIP = 77
# init.sh's first line; a guest that has not printed it this long after QEMU
# started is stuck in the kernel (boot to userspace takes ~2 s on an idle host)
BOOT_SENTINEL = "@@VMTEST-BOOT@@"
BOOT_SECONDS = 30
DEBIAN_PMDS = "/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0"


class Skip(Exception):
    pass


class Fail(Exception):
    pass


def log(msg):
    print("[vmrun %6.2fs] %s" % (time.monotonic() - T0, msg), flush=True)


T0 = time.monotonic()


# ---- resources, always released ----------------------------------------------

class Resources:
    """Everything a scenario creates, released in reverse order."""

    def __init__(self):
        self.procs = []
        self.paths = []
        self.closers = []

    def spawn(self, argv, name, **kw):
        log("start %s: %s" % (name, " ".join(argv)))
        proc = subprocess.Popen(argv, start_new_session=True, **kw)
        proc.vm_name = name
        self.procs.append(proc)
        return proc

    def path(self, path):
        self.paths.append(path)
        return path

    def release(self):
        for close in reversed(self.closers):
            close()
        self.closers = []
        for proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=3)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    proc.wait()
        self.procs = []
        for path in reversed(self.paths):
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            elif os.path.lexists(path):
                os.unlink(path)
        self.paths = []


RES = Resources()


def on_signal(signum, _frame):
    RES.release()
    sys.exit(128 + signum)


# ---- images -----------------------------------------------------------------

class Build:
    def __init__(self, root):
        self.root = os.path.abspath(root)
        self.cache = os.path.join(self.root, "tests", "vm", "cache")

    def file(self, *rel):
        return os.path.join(self.root, *rel)

    def require(self, what, *rel):
        path = self.file(*rel)
        if not os.path.exists(path):
            raise Skip("%s not built yet (%s missing)" % (what, path))
        return path


def kernel_image():
    kernels = sorted(glob.glob("/boot/vmlinuz-*"), key=os.path.getmtime)
    return kernels[-1] if kernels else None


def stamp(paths):
    h = hashlib.sha256()
    for p in sorted(paths):
        st = os.stat(p)
        h.update(("%s %d %d\n" % (p, st.st_mtime_ns, st.st_size)).encode())
    return h.hexdigest()[:16]


def optional_binaries(build):
    """Binaries put in the image when they exist: (src, dest) pairs."""
    wanted = [
        (("tests", "vm", "regscript"), "/usr/bin/regscript"),
        (("tests", "dpdk", "ivshmem-traffic"), "/usr/bin/ivshmem-traffic"),
        (("apps", "ivshmem-perf"), "/usr/bin/ivshmem-perf"),
        (("drivers", "librte_net_ivshmem.so"), "/usr/lib/vmtest/librte_net_ivshmem.so"),
    ]
    return [(build.file(*rel), dest) for rel, dest in wanted
            if os.path.exists(build.file(*rel))]


def images(build):
    """(vmlinux, initrd) paths, rebuilt when an input changed. Several tests
    run in parallel: one builds, the others wait on the lock."""
    kernel = kernel_image()
    if kernel is None or not shutil.which("qemu-system-x86_64"):
        raise Skip("qemu-system-x86_64 or /boot/vmlinuz-* missing")
    os.makedirs(build.cache, exist_ok=True)
    mkimage = os.path.join(HERE, "mkimage.py")
    py = "/usr/bin/python3"
    with open(os.path.join(build.cache, "lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        vmlinux = os.path.join(build.cache, "vmlinux-%s" % stamp([kernel]))
        if not os.path.exists(vmlinux):
            log("extracting vmlinux from %s" % kernel)
            for old in glob.glob(os.path.join(build.cache, "vmlinux-*")):
                os.unlink(old)
            subprocess.run([py, mkimage, "vmlinux", "--kernel", kernel, "--out",
                            vmlinux], check=True)
        bins = optional_binaries(build)
        plugins = [os.path.join(DEBIAN_PMDS, "librte_mempool_ring.so")]
        guest = sorted(glob.glob(os.path.join(HERE, "guest", "*.sh")))
        inputs = [kernel, mkimage, os.path.join(HERE, "init.sh")] + guest + \
            [src for src, _ in bins] + [p for p in plugins if os.path.exists(p)]
        initrd = os.path.join(build.cache, "initrd-%s.gz" % stamp(inputs))
        if not os.path.exists(initrd):
            log("building initramfs with %s" % ", ".join(d for _, d in bins))
            for old in glob.glob(os.path.join(build.cache, "initrd-*")):
                os.unlink(old)
            argv = [py, mkimage, "initrd", "--out", initrd,
                    "--kver", os.path.basename(kernel).split("-", 1)[1]]
            argv += ["--bin=%s:%s" % b for b in bins]
            argv += ["--plugin=%s" % p for p in plugins if os.path.exists(p)]
            argv += ["--file=%s:/scenarios/%s" % (g, os.path.basename(g))
                     for g in guest]
            subprocess.run(argv, check=True)
    return vmlinux, initrd


# ---- QEMU -------------------------------------------------------------------

class Plain:
    """ivshmem-plain over a /dev/shm file."""

    def __init__(self, shm, size="4M"):
        self.shm, self.size = shm, size

    def args(self, idx, slot):
        return ["-object", "memory-backend-file,id=hm%d,share=on,mem-path=%s,"
                "size=%s" % (idx, self.shm, self.size),
                "-device", "ivshmem-plain,memdev=hm%d,addr=%#x" % (idx, slot)]


class Doorbell:
    """ivshmem-doorbell connected to an ivshmem-server socket."""

    def __init__(self, sock, vectors):
        self.sock, self.vectors = sock, vectors

    def args(self, idx, slot):
        return ["-chardev", "socket,path=%s,id=ivc%d" % (self.sock, idx),
                "-device", "ivshmem-doorbell,chardev=ivc%d,vectors=%d,addr=%#x"
                % (idx, self.vectors, slot)]


def bdf(index):
    """PCI address of the index-th ivshmem device (slots 4, 5, ...)."""
    return "0000:00:%02x.0" % (4 + index)


class Guest:
    def __init__(self, ctx, name, scenario, devices, bind=(), args=(),
                 huge=64, mem=512, smp=1, kernel_args=()):
        self.ctx, self.name = ctx, name
        self.log = os.path.join(ctx.workdir, name + ".console.log")
        # no_timer_check: Linux's boot-time test of the IO-APIC timer counts
        # ticks against a busy loop; under TCG on a loaded host the ticks come
        # late and, with interrupt remapping (which vfio needs), the kernel
        # panics ("timer doesn't work through Interrupt-remapped IO-APIC").
        # The timer works; the test is what fails. panic=-1: a panic reboots at
        # once, and -no-reboot turns that into QEMU's exit, seen in a second.
        cmdline = ["console=ttyS0", "intel_iommu=on", "no_timer_check",
                   "panic=-1", "quiet", "loglevel=1",
                   "vmtest.scenario=%s" % scenario, "vmtest.huge=%d" % huge]
        cmdline += kernel_args
        if bind:
            cmdline.append("vmtest.bind=" + ",".join("%s@%s" % b for b in bind))
        if ctx.shell:
            cmdline.append("vmtest.shell=1")
        self.argv = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max",
                     "-M", "q35", "-nodefaults", "-m", str(mem),
                     "-smp", str(smp),
                     "-device", "intel-iommu,intremap=on,aw-bits=48",
                     "-kernel", ctx.vmlinux, "-initrd", self.overlay(args),
                     "-append", " ".join(cmdline), "-display", "none",
                     "-no-reboot"]
        if ctx.shell:
            self.argv += ["-serial", "mon:stdio"]
        else:
            self.argv += ["-serial", "file:" + self.log]
        for i, dev in enumerate(devices):
            self.argv += dev.args(i, 4 + i)
        self.proc = None
        self.started = None

    def overlay(self, args):
        """The shared initramfs plus a small cpio with this guest's script
        arguments (any characters, one per line): the kernel unpacks
        concatenated archives in order."""
        cpio = mkimage.Cpio()
        cpio.add_file("/etc/vmtest/args", "".join(a + "\n" for a in args).encode())
        path = os.path.join(self.ctx.workdir, self.name + ".initrd.gz")
        with open(self.ctx.initrd, "rb") as src, open(path, "wb") as out:
            shutil.copyfileobj(src, out)
            out.write(mkimage.gzip.compress(cpio.finish(), mtime=0))
        return path

    def start(self):
        self.started = time.monotonic()
        self.proc = RES.spawn(self.argv, "guest " + self.name,
                              stdin=None if self.ctx.shell else subprocess.DEVNULL)
        return self

    def console(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read().replace("\r", "")
        except FileNotFoundError:
            return ""

    def check_boot(self, text):
        """Fails at once, in one line, on a kernel panic or a guest that has
        not reached userspace (init's first line) BOOT_SECONDS after start."""
        m = re.search(r"Kernel panic - not syncing: (.*)", text)
        if m:
            self.dump()
            raise Fail("guest %s: kernel panic at boot: %s"
                       % (self.name, m.group(1).strip()))
        if BOOT_SENTINEL in text:
            return
        if self.proc.poll() is not None:
            self.dump()
            raise Fail("guest %s: QEMU exited (status %d) before userspace"
                       % (self.name, self.proc.returncode))
        if time.monotonic() - self.started > BOOT_SECONDS:
            self.dump()
            last = [l for l in text.splitlines() if l.strip()][-1:] or ["(none)"]
            raise Fail("guest %s: no userspace %d s after start (last console "
                       "line: %s)" % (self.name, BOOT_SECONDS, last[0].strip()))

    def wait_line(self, pattern, deadline):
        """Waits until the console shows a line matching pattern."""
        rx = re.compile(pattern, re.M)
        while time.monotonic() < deadline:
            text = self.console()
            m = rx.search(text)
            if m:
                return m
            self.check_boot(text)
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        m = rx.search(self.console())
        if m:
            return m
        raise Fail("guest %s: no line /%s/ on the console" % (self.name, pattern))

    def finish(self, deadline):
        """Waits for poweroff; returns the guest scenario's exit status."""
        while self.proc.poll() is None:
            self.check_boot(self.console())
            if time.monotonic() > deadline:
                self.dump()
                raise Fail("guest %s: deadline passed, QEMU killed" % self.name)
            time.sleep(0.05)
        self.check_boot(self.console())
        log("guest %s: QEMU exited after %.2fs (status %d)"
            % (self.name, time.monotonic() - self.started, self.proc.returncode))
        text = self.console()
        self.extract_files(text)
        found = re.findall(r"^@@VMTEST-EXIT (\d+)@@$", text, re.M)
        if not found:
            self.dump()
            raise Fail("guest %s: no exit sentinel on the console" % self.name)
        return int(found[-1])

    def extract_files(self, text):
        for name, body in re.findall(
                r"^@@VMTEST-FILE (\S+)@@\n(.*?)^@@VMTEST-END \1@@$", text,
                re.M | re.S):
            with open(os.path.join(self.ctx.workdir, self.name + "." + name),
                      "w") as f:
                f.write(body)

    def file(self, name):
        path = os.path.join(self.ctx.workdir, self.name + "." + name)
        if not os.path.exists(path):
            raise Fail("guest %s did not send %s" % (self.name, name))
        with open(path) as f:
            return f.read()

    def dump(self, lines=60):
        text = self.console().splitlines()
        print("---- console of %s (last %d lines, full log %s) ----"
              % (self.name, lines, self.log))
        print("\n".join(text[-lines:]))
        print("---- end of console ----", flush=True)


# ---- scenario context -----------------------------------------------------------

class Ctx:
    def __init__(self, build, name, shell=False, keep=False):
        self.build, self.name, self.shell = build, name, shell
        self.tag = "vmt-%s-%d" % (name, os.getpid())
        self.workdir = os.path.join(build.root, "tests", "vm", "work", name)
        shutil.rmtree(self.workdir, ignore_errors=True)
        os.makedirs(self.workdir)
        # Sockets need short paths (108 bytes): a private dir in /tmp.
        self.tmp = tempfile.mkdtemp(prefix=self.tag + "-")
        if not keep:
            RES.path(self.tmp)
        self.vmlinux = self.initrd = None

    def boot_images(self):
        self.vmlinux, self.initrd = images(self.build)

    def shm(self, suffix="", size=4 << 20):
        """A fresh /dev/shm file, removed at exit."""
        path = RES.path("/dev/shm/%s%s" % (self.tag, suffix))
        with open(path, "wb") as f:
            f.truncate(size)
        return path

    def server(self, vectors, size="4M", suffix=""):
        """Starts our ivshmem-server in the foreground; returns its socket."""
        exe = self.build.require("ivshmem-server (host/)", "host",
                                 "ivshmem-server")
        sock = os.path.join(self.tmp, "srv%s.sock" % suffix)
        shmname = "%s-srv%s" % (self.tag, suffix)
        RES.path("/dev/shm/" + shmname)
        RES.path(sock)
        self.server_log = os.path.join(self.workdir, "server%s.log" % suffix)
        proc = RES.spawn([exe, "-F", "-v", "-S", sock, "-M", shmname, "-l", size,
                          "-n", str(vectors)], "ivshmem-server",
                         stdout=open(self.server_log, "w"),
                         stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not os.path.exists(sock):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise Fail("ivshmem-server did not create %s" % sock)
            time.sleep(0.02)
        return sock

    def wait_server_peer(self, peer_id, timeout=20):
        """Waits until the server logged that peer_id connected: fixes who
        gets which id when several peers start."""
        deadline = time.monotonic() + timeout
        line = "peer %d connected" % peer_id
        while time.monotonic() < deadline:
            with open(self.server_log) as f:
                if line in f.read():
                    return
            time.sleep(0.02)
        raise Fail("ivshmem-server never logged '%s'" % line)

    def guest(self, name, scenario, devices, **kw):
        return Guest(self, name, scenario, devices, **kw)

    def pmd(self):
        return self.build.require("the PMD (drivers/)", "drivers",
                                  "librte_net_ivshmem.so")

    def traffic_app(self):
        return self.build.require("ivshmem-traffic (tests/dpdk/)", "tests",
                                  "dpdk", "ivshmem-traffic")

    def host_dpdk(self, name, app, vdev, app_args):
        """Starts a DPDK app on the host with our PMD as a vdev; its output
        goes to WORKDIR/name.log."""
        prefix = "%s-%s" % (self.tag, name)
        RES.path("/var/run/dpdk/" + prefix)
        # EAL refuses -d paths under a world-writable directory (a clone in
        # /tmp): load the PMD by soname through LD_LIBRARY_PATH instead.
        pmd = self.pmd()
        env = dict(os.environ)
        env["LD_LIBRARY_PATH"] = os.path.dirname(pmd) + (
            ":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
        argv = [app, "-l", "1", "--no-huge", "-m", "64", "--no-pci",
                "--file-prefix", prefix, "-d", os.path.basename(pmd),
                "--log-level=pmd.net.ivshmem,info", "--vdev", vdev, "--"]
        out = open(os.path.join(self.workdir, name + ".log"), "w")
        proc = RES.spawn(argv + list(app_args), "host " + name, stdout=out,
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         env=env)
        proc.log = out.name
        return proc

    def host_finish(self, proc, deadline):
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise Fail("%s: still running at the deadline" % proc.vm_name)
        with open(proc.log) as f:
            text = f.read()
        if proc.returncode != 0:
            print("---- %s ----\n%s---- end ----" % (proc.log, text))
            raise Fail("%s exited with %d" % (proc.vm_name, proc.returncode))
        return text


# ---- scenarios ------------------------------------------------------------------

class Witness:
    """A bare protocol-v0 peer on a server: learns its id and keeps its own
    eventfds, to count the doorbells others ring on it."""

    def __init__(self, sock_path, vectors):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(sock_path)
        RES.closers.append(self.close)
        self.vectors = vectors
        self.id = None
        self.msgs = []
        self.own_fds = []
        deadline = time.monotonic() + 5
        while len(self.own_fds) < vectors:
            if time.monotonic() > deadline:
                raise Fail("witness: setup incomplete: %s" % self.msgs)
            self.receive(0.1)

    def receive(self, timeout):
        self.sock.settimeout(timeout)
        try:
            data, fds, _, _ = socket.recv_fds(self.sock, 8, 1)
        except socket.timeout:
            return
        if len(data) != 8:
            raise Fail("witness: short message from the server")
        value = struct.unpack("<q", data)[0]
        self.msgs.append((value, len(fds)))
        if len(self.msgs) == 2:
            self.id = value
        if self.id is not None and value == self.id and fds:
            os.set_blocking(fds[0], False)
            self.own_fds.append(fds[0])
        else:
            for fd in fds:
                os.close(fd)

    def counts(self):
        """Doorbells received per own vector since the last call."""
        out = []
        for fd in self.own_fds:
            try:
                out.append(struct.unpack("<Q", os.read(fd, 8))[0])
            except BlockingIOError:
                out.append(0)
        return out

    def close(self):
        for fd in self.own_fds:
            os.close(fd)
        self.own_fds = []
        self.sock.close()


def compare(what, got, expected_path):
    with open(expected_path) as f:
        expected = f.read()
    if got == expected:
        log("%s: identical to %s" % (what, os.path.relpath(expected_path, HERE)))
        return
    import difflib
    sys.stdout.writelines(difflib.unified_diff(
        expected.splitlines(True), got.splitlines(True),
        os.path.relpath(expected_path, HERE), what))
    raise Fail("%s differs from %s" % (what, expected_path))


def regs_common(ctx, kind, device, host_argv):
    ctx.boot_images()
    g = ctx.guest("g0", "regs", [device], args=[bdf(0)], huge=0).start()
    status = g.finish(time.monotonic() + 60)
    if status != 0:
        g.dump()
        raise Fail("guest script failed with status %d" % status)
    got = g.file("regs.txt")
    compare("QEMU %s BAR0 (guest)" % kind, got,
            os.path.join(HERE, "expected", "regs-%s.txt" % kind))
    host_model = ctx.build.file("tests", "vm", "regscript-host")
    if not os.path.exists(host_model):
        log("regscript-host not built (host/ivshm_device.h not landed): "
            "compared against the written-down expectation only")
        return
    out = subprocess.run([host_model] + host_argv(), capture_output=True,
                         text=True, timeout=30, check=False)
    if out.returncode != 0:
        raise Fail("regscript-host failed: %s" % out.stderr)
    with open(os.path.join(ctx.workdir, "host.regs.txt"), "w") as f:
        f.write(out.stdout)
    if out.stdout != got:
        import difflib
        sys.stdout.writelines(difflib.unified_diff(
            got.splitlines(True), out.stdout.splitlines(True), "QEMU", "model"))
        raise Fail("host device model differs from QEMU")
    log("host device model: identical to QEMU (%s)" % kind)


def scenario_regs_plain(ctx):
    shm = ctx.shm()
    regs_common(ctx, "plain", Plain(shm),
                lambda: ["--shm", ctx.shm("-host"), "--size", str(4 << 20), "--id", "0"])


def scenario_regs_doorbell(ctx):
    """The witness joins first (id 0), so the guest is peer 1 and its
    doorbells to peer 0 can be counted."""
    sock = ctx.server(vectors=2)
    witness = Witness(sock, 2)
    host = {}

    def host_argv():
        # A fresh server and witness, so the model is peer 1 too.
        host["sock"] = ctx.server(vectors=2, suffix="-host")
        host["witness"] = Witness(host["sock"], 2)
        return ["--server", host["sock"], "--vectors", "2", "--peer", "0"]
    regs_common(ctx, "doorbell", Doorbell(sock, 2), host_argv)
    check_witness("QEMU", witness)
    if "witness" in host:
        check_witness("device model", host["witness"])


def check_witness(who, witness):
    """The script rings the other peer's vector 1 twice (1 and 0x101) and
    never its vector 0."""
    counts = witness.counts()
    if counts != [0, 2]:
        raise Fail("%s: witness saw doorbells %s per vector, expected [0, 2]"
                   % (who, counts))
    log("%s: witness peer %d saw doorbells %s per vector"
        % (who, witness.id, counts))


# ---- PMD scenarios ------------------------------------------------------------

GUEST_TRAFFIC = "/usr/bin/ivshmem-traffic"
PROBE_LINE = r"^.*net.ivshmem.*?(\S+): port (\d+), peer id (\d+) -> (\d+),.*$"


def check_traffic(who, text, count, received_count=None):
    """ivshmem-traffic's verdict: PASS, exactly count sent and count (or
    received_count) received."""
    m = re.search(r"^RESULT sent=(\d+) received=(\d+) lost=(\d+)", text, re.M)
    if not m or not re.search(r"^PASS$", text, re.M):
        print(text)
        raise Fail("%s: traffic check failed" % who)
    sent, received = int(m.group(1)), int(m.group(2))
    want_rx = count if received_count is None else received_count
    if sent != count or received != want_rx:
        raise Fail("%s: sent %d received %d, expected %d and %d"
                   % (who, sent, received, count, want_rx))
    log("%s: %s" % (who, m.group(0)))


def probes(text):
    """PMD probe lines: [(device name, own id, peer id)]."""
    return [(m.group(1), int(m.group(3)), int(m.group(4)))
            for m in re.finditer(PROBE_LINE, text, re.M)]


def expect_probe(who, text, name, own, peer):
    found = probes(text)
    if found != [(name, own, peer)]:
        print(text)
        raise Fail("%s: PMD probed %s, expected only %s as peer %d -> %d"
                   % (who, found, name, own, peer))
    log("%s: PMD probed %s as peer %d -> %d" % (who, name, own, peer))


def xstat(text, name):
    m = re.search(r"^XSTAT %s=(\d+)$" % re.escape(name), text, re.M)
    return int(m.group(1)) if m else 0


def msix_count(guest, vector):
    """Interrupts the guest kernel took on vfio MSI-X vector (sampled while
    the app ran; 0 if none were seen)."""
    try:
        text = guest.file("irq.txt")
    except Fail:
        return 0
    m = re.search(r"^\s*\d+:\s+(\d+)\s.*vfio-msix\[%d\]" % vector, text, re.M)
    return int(m.group(1)) if m else 0


def guest_app_log(guest, status):
    try:
        text = guest.file("app.log")
    except Fail:
        guest.dump()
        raise
    if status != 0:
        print("---- guest %s app.log ----\n%s---- end ----" % (guest.name, text))
        guest.dump(20)
        raise Fail("guest %s: app exited with %d" % (guest.name, status))
    return text


def traffic_args(count, *extra):
    return ["--", "--count", str(count), "--timeout", "60"] + list(extra)


def guest_traffic(ctx, name, devices, bind, eal, count, *extra):
    return ctx.guest(name, "dpdk", devices, bind=bind,
                     args=[GUEST_TRAFFIC] + eal + traffic_args(count, *extra))


def scenario_plain_host(ctx):
    """1. ivshmem-plain: guest PMD (vfio-pci) <-> host PMD, same shm file."""
    count = 3000
    app = ctx.traffic_app()
    ctx.boot_images()
    shm = ctx.shm()
    host = ctx.host_dpdk("peer", app, "net_ivshmem0,shm=%s,size=4M,id=1" % shm,
                         traffic_args(count)[1:])
    g = guest_traffic(ctx, "g0", [Plain(shm)], [(bdf(0), "vfio-pci")],
                      ["-a", bdf(0)], count).start()
    deadline = time.monotonic() + 90
    gtext = guest_app_log(g, g.finish(deadline))
    htext = ctx.host_finish(host, deadline)
    expect_probe("guest", gtext, bdf(0), 0, 1)
    check_traffic("guest", gtext, count)
    check_traffic("host", htext, count)


def scenario_doorbell_host(ctx):
    """2. ivshmem-doorbell with our server: the host peer joins first (id 0),
    the guest gets id 1 and reads it from IVPOSITION; the guest sleeps on
    MSI-X Rx interrupts and the host rings them."""
    count, back = 2000, 200
    app = ctx.traffic_app()
    ctx.boot_images()
    sock = ctx.server(vectors=2)
    # The guest answers with fewer packets and so is soon idle; the host
    # paces its bursts, so the guest sleeps between them and every run
    # exercises the doorbell -> MSI-X -> wake-up path.
    host = ctx.host_dpdk("peer", app, "net_ivshmem0,server=%s" % sock,
                         traffic_args(count, "--expect", str(back),
                                      "--pace-us", "5000")[1:])
    ctx.wait_server_peer(0)
    g = guest_traffic(ctx, "g0", [Doorbell(sock, 2)], [(bdf(0), "vfio-pci")],
                      ["-a", bdf(0)], back, "--expect", str(count),
                      "--rx-intr").start()
    ctx.wait_server_peer(1)
    deadline = time.monotonic() + 90
    gtext = guest_app_log(g, g.finish(deadline))
    htext = ctx.host_finish(host, deadline)
    expect_probe("guest", gtext, bdf(0), 1, 0)
    check_traffic("guest", gtext, back, count)
    check_traffic("host", htext, count, back)
    check_wakeups("host", rung=xstat(htext, "tx_doorbells"), guest=g,
                  must_sleep=True)


def check_wakeups(ringer, rung, guest, must_sleep=False):
    """Doorbells rung on a sleeping guest must arrive as MSI-X interrupts on
    vector 1 (Rx queue 0). Unless the sender was paced (must_sleep), whether
    the guest slept at all depends on timing: then there may be nothing to
    check."""
    irqs = msix_count(guest, 1)
    if must_sleep and rung == 0:
        raise Fail("%s was paced but rang no doorbell: guest %s never slept"
                   % (ringer, guest.name))
    # irq.txt is sampled while the app runs: a single doorbell (one per
    # arming since layout 2.0) rung near the end can land after the sample
    if rung > 1 and irqs == 0:
        raise Fail("%s rang %d doorbells but guest %s took no MSI-X interrupt"
                   % (ringer, rung, guest.name))
    if rung == 0:
        log("note: guest %s never slept (no doorbell rung), wake-up path not "
            "exercised in this run" % guest.name)
    else:
        log("%s rang the sleeping guest %s %d times; it took %d MSI-X "
            "interrupts on vector 1" % (ringer, guest.name, rung, irqs))


def finish_guest_pair(g0, g1, count):
    """Two guests at 0000:00:04.0 as peers 0 <-> 1, count checked packets
    each way: returns their app logs."""
    deadline = time.monotonic() + 120
    t0 = guest_app_log(g0, g0.finish(deadline))
    t1 = guest_app_log(g1, g1.finish(deadline))
    expect_probe("g0", t0, bdf(0), 0, 1)
    expect_probe("g1", t1, bdf(0), 1, 0)
    check_traffic("g0", t0, count)
    check_traffic("g1", t1, count)
    return t0, t1


def scenario_two_guests(ctx):
    """3. Two guests on one server, guest <-> guest (short); g0 sleeps on Rx
    interrupts, g1 polls."""
    count = 500
    ctx.traffic_app()
    ctx.boot_images()
    sock = ctx.server(vectors=2)
    g0 = guest_traffic(ctx, "g0", [Doorbell(sock, 2)], [(bdf(0), "vfio-pci")],
                       ["-a", bdf(0)], count, "--rx-intr").start()
    ctx.wait_server_peer(0)
    g1 = guest_traffic(ctx, "g1", [Doorbell(sock, 2)], [(bdf(0), "vfio-pci")],
                       ["-a", bdf(0)], count).start()
    ctx.wait_server_peer(1)
    _, t1 = finish_guest_pair(g0, g1, count)
    check_wakeups("g1", rung=xstat(t1, "tx_doorbells"), guest=g0)


PEER_STATES = {0: "ABSENT", 1: "UP", 2: "LEFT"}


def peer_table(path, count):
    """[(state, generation, mac)] of the first count peers of a formatted
    region (doc/bar2-layout.md: header fields, 128-byte peer entries)."""
    with open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack_from("<I", data, 0)
    peers_off, = struct.unpack_from("<Q", data, 48)
    if magic != 0x4d485649:
        raise Fail("%s: region not formatted (magic %#x)" % (path, magic))
    table = []
    for i in range(count):
        state, gen = struct.unpack_from("<II", data, peers_off + 128 * i)
        mac = ":".join("%02x" % b for b in data[peers_off + 128 * i + 8:
                                                peers_off + 128 * i + 14])
        table.append((PEER_STATES.get(state, str(state)), gen, mac))
    return table


def scenario_plain_guests(ctx):
    """8. Two guests share one ivshmem-plain memory backend (no server: both
    read IVPOSITION 0); g1 takes id 1 with the devarg id=1. Checked traffic
    both ways, then the shm file's peer table must show both ids attached
    once and detached cleanly, each with the MAC derived from its id."""
    count = 300
    ctx.traffic_app()
    ctx.boot_images()
    shm = ctx.shm()
    g0 = guest_traffic(ctx, "g0", [Plain(shm)], [(bdf(0), "vfio-pci")],
                       ["-a", bdf(0)], count).start()
    g1 = guest_traffic(ctx, "g1", [Plain(shm)], [(bdf(0), "vfio-pci")],
                       ["-a", bdf(0) + ",id=1"], count).start()
    finish_guest_pair(g0, g1, count)
    want = [("LEFT", 1, "02:69:76:00:00:00"), ("LEFT", 1, "02:69:76:00:00:01")]
    got = peer_table(shm, 2)
    if got != want:
        raise Fail("peer table %s, expected %s" % (got, want))
    log("peer table of the shm file: %s" % got)


def scenario_doorbell_id(ctx):
    """9. On ivshmem-doorbell the server assigns the id: a devarg id= that
    disagrees with IVPOSITION is refused with a message naming both."""
    ctx.traffic_app()
    ctx.boot_images()
    sock = ctx.server(vectors=2)
    g = guest_traffic(ctx, "g0", [Doorbell(sock, 2)], [(bdf(0), "vfio-pci")],
                      ["-a", bdf(0) + ",id=5"], 1).start()
    ctx.wait_server_peer(0)
    status = g.finish(time.monotonic() + 60)
    text = g.file("app.log")
    said = re.search(r"%s: devarg id=5 disagrees with IVPOSITION 0: on "
                     r"ivshmem-doorbell the server assigns the id"
                     % re.escape(bdf(0)), text)
    if status == 0 or not said or probes(text):
        print(text)
        raise Fail("guest: id=5 on ivshmem-doorbell was not refused as expected "
                   "(exit status %d)" % status)
    log("guest: refused (exit status %d): %s" % (status, said.group(0)))


def scenario_uio_poll(ctx):
    """4. uio_pci_generic on ivshmem-doorbell: BARs map, MSI-X is out of
    reach; the PMD must say so and work by polling."""
    count = 2000
    app = ctx.traffic_app()
    ctx.boot_images()
    sock = ctx.server(vectors=2)
    host = ctx.host_dpdk("peer", app, "net_ivshmem0,server=%s" % sock,
                         traffic_args(count)[1:])
    ctx.wait_server_peer(0)
    g = guest_traffic(ctx, "g0", [Doorbell(sock, 2)],
                      [(bdf(0), "uio_pci_generic")],
                      ["--iova-mode=pa", "-a", bdf(0)], count).start()
    deadline = time.monotonic() + 90
    gtext = guest_app_log(g, g.finish(deadline))
    htext = ctx.host_finish(host, deadline)
    said = re.search(r"%s: no doorbell interrupts \(uio_pci_generic, \d+ MSI-X "
                     r"vectors\): polling only" % re.escape(bdf(0)), gtext)
    if not said:
        print(gtext)
        raise Fail("guest PMD did not say it has no interrupts under uio")
    log("guest: %s" % said.group(0))
    expect_probe("guest", gtext, bdf(0), 1, 0)
    check_traffic("guest", gtext, count)
    check_traffic("host", htext, count)


def all_zero(path):
    with open(path, "rb") as f:
        return not any(f.read())


def scenario_allow_list(ctx):
    """5. Two ivshmem-plain devices; `-a` names the second one with devargs:
    only it is probed, and the first one's memory is never touched."""
    count = 500
    app = ctx.traffic_app()
    ctx.boot_images()
    shm_a, shm_b = ctx.shm("-a"), ctx.shm("-b")
    host = ctx.host_dpdk("peer", app, "net_ivshmem0,shm=%s,size=4M,id=1" % shm_b,
                         traffic_args(count)[1:])
    g = guest_traffic(ctx, "g0", [Plain(shm_a), Plain(shm_b)],
                      [(bdf(0), "vfio-pci"), (bdf(1), "vfio-pci")],
                      ["-a", bdf(1) + ",peer=1"], count).start()
    deadline = time.monotonic() + 90
    gtext = guest_app_log(g, g.finish(deadline))
    htext = ctx.host_finish(host, deadline)
    expect_probe("guest", gtext, bdf(1), 0, 1)
    if bdf(0) in gtext:
        print(gtext)
        raise Fail("guest log mentions the device that was not allow-listed")
    if not all_zero(shm_a):
        raise Fail("the device that was not allow-listed had its memory written")
    log("guest: %s untouched, its shared memory still all zero" % bdf(0))
    check_traffic("guest", gtext, count)
    check_traffic("host", htext, count)


def scenario_perf_latency(ctx):
    """7. ivshmem-perf latency: host initiator, guest reflector in Rx
    interrupt mode over ivshmem-doorbell; the report must be complete. (The
    reflector spins a while before it sleeps, so under back-to-back pings it
    may never sleep: wake-ups are logged, not required.)"""
    samples = 300
    app = ctx.build.require("ivshmem-perf (apps/)", "apps", "ivshmem-perf")
    ctx.boot_images()
    sock = ctx.server(vectors=2)
    # ivshmem-perf asks for 1024 descriptors: the region is formatted with
    # ring_size=1024 (the default) and 1 KiB buffers.
    host = ctx.host_dpdk("initiator", app,
                         "net_ivshmem0,server=%s,ring_size=1024,buf_size=1024" % sock,
                         ["--role=initiator", "--mode=latency",
                          "--samples=%d" % samples, "--warmup=20",
                          "--timeout=60"])
    ctx.wait_server_peer(0)
    g = ctx.guest("g0", "dpdk", [Doorbell(sock, 2)], bind=[(bdf(0), "vfio-pci")],
                  args=["/usr/bin/ivshmem-perf", "-a", bdf(0) + ",ring_size=1024,buf_size=1024", "--",
                        "--role=reflector", "--rx-intr", "--timeout=60"]).start()
    deadline = time.monotonic() + 90
    guest_text = guest_app_log(g, g.finish(deadline))
    htext = ctx.host_finish(host, deadline)
    report = re.search(r"^==== ivshmem-perf:.*", htext, re.M | re.S)
    if not report:
        print(htext)
        raise Fail("initiator printed no report")
    print(report.group(0))
    row = re.search(r"^packet\s+(\d+)\s+(\d+)\s", htext, re.M)
    if not row or int(row.group(1)) != samples or int(row.group(2)) != 0:
        raise Fail("initiator: expected %d samples, none lost" % samples)
    wake = re.search(r"sleeps (\d+),? wakeups (\d+)", guest_text)
    irqs = msix_count(g, 1)  # a wake-up may also be an epoll timeout
    log("guest reflector: %s; %d MSI-X interrupts on vector 1"
        % (wake.group(0) if wake else "?", irqs))


def scenario_boot_panic(ctx):
    """A guest whose kernel cannot start userspace (no such init) must fail
    the run at once with the panic's reason, not at a scenario deadline."""
    ctx.boot_images()
    g = ctx.guest("g0", "none", [], huge=0,
                  kernel_args=["rdinit=/vmtest-no-such-init",
                               "root=/dev/vmtest-none"]).start()
    try:
        g.finish(time.monotonic() + 60)
    except Fail as e:
        took = time.monotonic() - g.started
        if "kernel panic at boot" not in str(e):
            raise Fail("expected a kernel panic report, got: %s" % e)
        if took > BOOT_SECONDS:
            raise Fail("panic reported after %.1f s, not at once" % took)
        log("reported in %.1f s as: %s" % (took, e))
        return
    raise Fail("a guest without init finished normally")


SCENARIOS = {
    "regs-plain": scenario_regs_plain,
    "regs-doorbell": scenario_regs_doorbell,
    "plain-host": scenario_plain_host,
    "doorbell-host": scenario_doorbell_host,
    "two-guests": scenario_two_guests,
    "uio-poll": scenario_uio_poll,
    "allow-list": scenario_allow_list,
    "perf-latency": scenario_perf_latency,
    "plain-guests": scenario_plain_guests,
    "doorbell-id": scenario_doorbell_id,
    "boot-panic": scenario_boot_panic,
}


def shell(ctx, kind):
    ctx.boot_images()
    if kind == "plain":
        dev = Plain(ctx.shm())
    else:
        dev = Doorbell(ctx.server(vectors=4), 4)
    g = ctx.guest("shell", "none", [dev], bind=[(bdf(0), "vfio-pci")]).start()
    g.proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build-root", required=True)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--shell", choices=["plain", "doorbell"])
    ap.add_argument("scenario", nargs="?")
    args = ap.parse_args()
    if args.list:
        print("\n".join(SCENARIOS))
        return 0
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    build = Build(args.build_root)
    try:
        if args.shell:
            shell(Ctx(build, "shell", shell=True), args.shell)
            return 0
        if args.scenario not in SCENARIOS:
            ap.error("unknown scenario %r (see --list)" % args.scenario)
        ctx = Ctx(build, args.scenario)
        SCENARIOS[args.scenario](ctx)
        log("PASS %s in %.1fs" % (args.scenario, time.monotonic() - T0))
        return 0
    except Skip as e:
        print("SKIP: %s" % e, flush=True)
        return SKIP
    except Fail as e:
        print("FAIL: %s" % e, flush=True)
        return 1
    finally:
        RES.release()


if __name__ == "__main__":
    sys.exit(main())
