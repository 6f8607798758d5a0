#!/usr/bin/env python3
"""ivshmem-server out of fds (issue 13 item 5): with a low fd limit and
clients that never read, accept4 fails with EMFILE. The server must not
spin on the still-readable listener (CPU time over a window stays small)
and must accept a well-behaved client once fds free up. Real server."""
import atexit, os, resource, socket, struct, subprocess, sys, time

SERVER = sys.argv[1]
SOCK = f"/tmp/server-emfile-{os.getpid()}.sock"
HZ = os.sysconf("SC_CLK_TCK")


def limit_fds():
    resource.setrlimit(resource.RLIMIT_NOFILE, (48, 48))


p = subprocess.Popen([SERVER, "-F", "-S", SOCK, "-n", "4"], preexec_fn=limit_fds,
                     stderr=subprocess.PIPE, text=True)
atexit.register(lambda: p.poll() is None and p.kill())
deadline = time.monotonic() + 10
while not os.path.exists(SOCK):
    assert p.poll() is None and time.monotonic() < deadline
    time.sleep(0.01)


def cpu_ticks():
    f = open(f"/proc/{p.pid}/stat").read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])  # utime + stime


# silent clients until the server runs out of fds (each costs 5)
hogs = []
for _ in range(40):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(SOCK)
    hogs.append(s)
time.sleep(0.5)  # let the server hit EMFILE
before = cpu_ticks()
time.sleep(2.0)
used = (cpu_ticks() - before) / HZ
assert used < 0.3, f"server burnt {used:.2f} s CPU in 2 s: spinning on EMFILE"
print(f"ok no spin: {used:.2f} s CPU in 2 s")
for s in hogs:
    s.close()
# the server may still be refusing backlogged connections (a refusal is
# an immediate EOF); a well-behaved client gets its greeting within 5 s
deadline = time.monotonic() + 5
while True:
    good = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    good.connect(SOCK)
    good.settimeout(5)
    data, fds, _, _ = socket.recv_fds(good, 8, 1)
    if len(data) == 8:
        break
    good.close()
    assert time.monotonic() < deadline, "no greeting within 5 s"
    time.sleep(0.05)
assert struct.unpack("<q", data)[0] == 0, data
print("ok well-behaved client greeted after fds freed")
p.terminate()
err = p.communicate(timeout=10)[1]
assert err.count("cannot accept (Too many open files)") >= 1, err
print("ok logged:", err.splitlines()[0])
