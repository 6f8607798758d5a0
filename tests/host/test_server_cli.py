#!/usr/bin/env python3
"""ivshmem-server's command line (issue 22 item 7): -l must be a power of
two (a PCI BAR is; QEMU refuses the device otherwise), -m must be an
existing directory and the page size it got is said, -v needs -F (a
daemon's stdout is /dev/null). Before, each of these started silently.
With QEMU installed: QEMU accepts a region of the refused size's
suggestion (paused with -S, quit through its monitor; no kernel)."""
import os, shutil, subprocess, sys
from server_harness import Server

BIN = sys.argv[1]
SOCK = f"/tmp/server-cli-{os.getpid()}.sock"


def refused(*args):
    r = subprocess.run([BIN, "-S", SOCK, *args], capture_output=True, text=True, timeout=5)
    assert r.returncode == 2, f"{args}: exit {r.returncode}, {r.stderr}"
    assert not os.path.exists(SOCK), f"{args}: socket left"
    return r.stderr


err = refused("-F", "-l", "3M")
assert "not a power of two" in err and "use -l 4194304" in err, err
err = refused("-F", "-m", f"/nonexistent-{os.getpid()}")
assert "No such file or directory" in err, err
err = refused("-F", "-m", "/etc/hostname")
assert "not a directory" in err, err
err = refused("-v")
assert "-v needs -F" in err, err
srv = Server(BIN, SOCK, "-m", "/dev/shm", "-l", "4M", "-n", "2",
             stderr=subprocess.PIPE, text=True)
qemu = shutil.which("qemu-system-x86_64")
if qemu:
    r = subprocess.run([qemu, "-accel", "tcg", "-M", "q35", "-nodefaults", "-display", "none",
                        "-S", "-m", "64", "-monitor", "stdio",
                        "-chardev", f"socket,id=c,path={SOCK}",
                        "-device", "ivshmem-doorbell,chardev=c,vectors=2"],
                       input="info pci\nquit\n", capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "BAR2: 64 bit prefetchable memory" in r.stdout, r.stdout
    print("ok QEMU accepted the 4 MiB region")
srv.p.terminate()
err = srv.p.communicate(timeout=10)[1]
assert "-m /dev/shm: memfd:ivshmem (shmem pages of 4096 bytes)" in err, err
print("ok -l, -m and -v checked")
