#!/usr/bin/env python3
"""ivshmem-server fairness (issue 13 item 5): a client that floods its
socket with bytes (clients have nothing to say in this protocol) must not
keep the server from greeting another client. The server reads at most
64 KiB per client per poll round. Real server, real flooding process."""
import atexit, os, socket, struct, subprocess, sys, time

SERVER = sys.argv[1]
SOCK = f"/tmp/server-flood-{os.getpid()}.sock"
VECTORS = 4

p = subprocess.Popen([SERVER, "-F", "-S", SOCK, "-n", str(VECTORS)],
                     stderr=subprocess.DEVNULL)
atexit.register(lambda: p.poll() is None and p.kill())
deadline = time.monotonic() + 10
while not os.path.exists(SOCK):
    assert p.poll() is None and time.monotonic() < deadline
    time.sleep(0.01)

# two flooders in child processes: they write as fast as the kernel takes it
flooders = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(SOCK)
        junk = b"\xa5" * 65536
        try:
            while True:
                s.sendall(junk)
        except OSError:
            os._exit(0)
    flooders.append(pid)
atexit.register(lambda: [os.kill(f, 9) for f in flooders])
time.sleep(0.3)  # (not a sync: the flood is under way)

for attempt in range(5):
    t0 = time.monotonic()
    good = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    good.connect(SOCK)
    good.settimeout(5)
    got = []
    while len(got) < 3 + VECTORS:
        data, fds, _, _ = socket.recv_fds(good, 8, 1)
        assert len(data) == 8, f"greeting cut after {len(got)} messages"
        got.append(struct.unpack("<q", data)[0])
        for f in fds:
            os.close(f)
    took = time.monotonic() - t0
    assert got[0] == 0 and got[2] == -1, got
    assert took < 2.0, f"greeting took {took:.2f} s beside two flooding clients"
    good.close()
print(f"ok 5 clients greeted beside two flooders (last in {took * 1000:.0f} ms)")
assert p.poll() is None, "server died"
p.terminate()
