#!/usr/bin/env python3
"""ivshmem-server's command line (issue 22 item 7): -l must be a power of
two (a PCI BAR is; QEMU refuses the device otherwise), -m must be an
existing directory and the page size it got is said, -v needs -F (a
daemon's stdout is /dev/null). Before, each of these started silently.
With QEMU installed: QEMU accepts a region of the refused size's
suggestion (paused with -S, quit through its monitor; no kernel).
Issue 18 item 6: --help and -h print usage on stdout and exit 0 (before:
`--help` was an invalid option), --version prints "NAME VERSION", unknown
options and bad values exit 2 with the reason, for the server and the
client tool; issue 20 item 6: bad --socket-mode/--socket-group values.
usage: test_server_cli.py SERVER CLIENT (env IVSHMEM_PMD_VERSION)"""
import os, re, shutil, subprocess, sys
from server_harness import Server

BIN, CLIENT = sys.argv[1], sys.argv[2]
VERSION = os.environ["IVSHMEM_PMD_VERSION"]
SOCK = f"/tmp/server-cli-{os.getpid()}.sock"


def run(binary, *args):
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=5,
                          stdin=subprocess.DEVNULL)


def check_help_and_version(binary, name, options):
    for flag in ("--help", "-h"):
        r = run(binary, flag)
        assert r.returncode == 0, f"{name} {flag}: exit {r.returncode}, {r.stderr}"
        assert r.stdout.startswith(f"Usage: {binary} ") and r.stderr == "", \
            f"{name} {flag}: stdout {r.stdout!r}, stderr {r.stderr!r}"
        for o in options:
            assert o in r.stdout, f"{name} {flag}: {o} not in the usage"
    r = run(binary, "--version")
    assert (r.returncode, r.stdout, r.stderr) == (0, f"{name} {VERSION}\n", ""), \
        f"{name} --version: {r}"
    for bad, said in (("--bogus", "unrecognized option '--bogus'"),
                      ("-x", "invalid option -- 'x'"),
                      ("stray", "unexpected argument 'stray'")):
        r = run(binary, "-S", SOCK, bad)
        assert r.returncode == 2 and r.stdout == "", f"{name} {bad}: {r}"
        assert said in r.stderr, f"{name} {bad}: {r.stderr!r}"
        assert not os.path.exists(SOCK), f"{name} {bad}: socket made"


check_help_and_version(BIN, "ivshmem-server",
                       ("--socket-mode=MODE", "--socket-group=GROUP", "--version", "-S sock"))
check_help_and_version(CLIENT, "ivshmem-client", ("-S socket", "--version"))
for bad in ("0", "65", "2x"):
    r = run(CLIENT, "-n", bad)
    assert r.returncode == 2 and f"-n must be 1..64, not '{bad}'" in r.stderr, r
print("ok --help, -h, --version and unknown options of server and client")


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
for mode in ("0668", "1777", "rw", "", "-660", "0o660"):
    err = refused("-F", f"--socket-mode={mode}")
    assert f"--socket-mode '{mode}': an octal mode 0000..0777 is needed" in err, err
for group in (f"no-such-group-{os.getpid()}", "12x", "", "4294967295"):
    err = refused("-F", "-g", group)
    assert f"--socket-group '{group}': no such group" in err, err
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
