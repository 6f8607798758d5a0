#!/usr/bin/env python3
"""ivshmem-server under a stalled client plus join/leave churn (issue 13
item 5). Before: every queued announcement to the client that never reads
kept the announced peer's eventfds open, so churn used up the fd table
(here: 64) and new peers were refused. Now a departed peer's unsent fds
leave every queue: the server's open fds stay bounded, a new client is
still greeted with all its messages, and the stalled client is dropped
once its backlog passes what the current peers justify. Real server."""
import atexit, os, resource, socket, struct, subprocess, sys, time

SERVER = sys.argv[1]
SOCK = f"/tmp/server-churn-{os.getpid()}.sock"
VECTORS = 8


def limit_fds():
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))


p = subprocess.Popen([SERVER, "-F", "-S", SOCK, "-n", str(VECTORS)],
                     preexec_fn=limit_fds, stderr=subprocess.PIPE, text=True)
atexit.register(lambda: p.poll() is None and p.kill())
deadline = time.monotonic() + 10
while not os.path.exists(SOCK):
    assert p.poll() is None and time.monotonic() < deadline
    time.sleep(0.01)


def open_fds():
    return len(os.listdir(f"/proc/{p.pid}/fd"))


def settled_fds(limit, secs=5):
    """Open fds once the server has caught up (new clients in flight hold
    9 each for a moment): the count must fall under limit within secs."""
    end = time.monotonic() + secs
    while open_fds() >= limit and time.monotonic() < end:
        time.sleep(0.02)
    return open_fds()


def greeting(s, timeout=5):
    """Reads version, own id, shm fd and our own VECTORS eventfds."""
    s.settimeout(timeout)
    got, fds = [], []
    while len(got) < 3 + VECTORS:
        data, f, _, _ = socket.recv_fds(s, 8, 1)
        assert len(data) == 8, f"greeting cut after {len(got)} messages"
        got.append(struct.unpack("<q", data)[0])
        fds += f
    for f in fds:
        os.close(f)
    return got


stalled = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
stalled.connect(SOCK)  # never reads
for cycle in range(300):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(SOCK)
    s.close()
    if cycle % 50 == 0:
        n = settled_fds(48)
        assert n < 48, f"cycle {cycle}: server holds {n} fds"
n = settled_fds(48)
assert n < 48, f"server holds {n} fds after 300 join/leave cycles"
print(f"ok server holds {n} fds after 300 joins and leaves beside a stalled client")
# connections still in the listen backlog may be refused while fds are
# short (an immediate EOF); a well-behaved client is greeted within 5 s
deadline = time.monotonic() + 5
while True:
    good = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    good.connect(SOCK)
    try:
        g = greeting(good)
        break
    except AssertionError:
        good.close()
        assert time.monotonic() < deadline, "no whole greeting within 5 s"
        time.sleep(0.05)
assert g[0] == 0, g
print(f"ok a new client got its whole greeting (id {g[1]})")
p.terminate()
