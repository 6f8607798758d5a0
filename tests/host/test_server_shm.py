#!/usr/bin/env python3
"""ivshmem-server's region: sealed memfd by default (a peer cannot resize
it), -M NAME still works but warns it is unsealable, and an existing -M
name is refused (never reused). Real server process, real sockets."""
import atexit, fcntl, os, socket, struct, subprocess, sys, time

SERVER = sys.argv[1]
TAG = f"server-shm-{os.getpid()}"
SOCK = f"/tmp/{TAG}.sock"
STARTED = []
atexit.register(lambda: [p.kill() for p in STARTED if p.poll() is None])
SEALS = fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SEAL


def start(*args):
    p = subprocess.Popen([SERVER, "-F", "-S", SOCK, "-n", "1", *args],
                         stderr=subprocess.PIPE, text=True)
    STARTED.append(p)
    deadline = time.monotonic() + 10
    while not os.path.exists(SOCK):
        assert p.poll() is None, f"server exited: {p.stderr.read()}"
        assert time.monotonic() < deadline, "no socket within 10 s"
        time.sleep(0.01)
    return p


def stop(p):
    p.terminate()
    _, err = p.communicate(timeout=10)
    return err


def region_fd():
    """Connects as a peer; returns (id, shm fd) from the greeting."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(SOCK)
    s.settimeout(5)
    got = []
    while len(got) < 3:
        data, fds, _, _ = socket.recv_fds(s, 8, 1)
        assert len(data) == 8
        got.append((struct.unpack("<q", data)[0], fds))
    assert got[0] == (0, []) and got[2][0] == -1 and len(got[2][1]) == 1, got
    return s, got[1][0], got[2][1][0]


def test_sealed_default():
    p = start("-l", "4M")
    s, peer, fd = region_fd()
    assert fcntl.fcntl(fd, fcntl.F_GET_SEALS) == SEALS
    size = os.fstat(fd).st_size
    assert size == 4 << 20, size
    for length in (0, size * 2):
        try:
            os.ftruncate(fd, length)
            raise AssertionError(f"ftruncate({length}) succeeded")
        except PermissionError:
            pass
    assert os.fstat(fd).st_size == size
    # a second peer still gets the same, intact region
    s2, peer2, fd2 = region_fd()
    assert (peer, peer2) == (0, 1)
    assert os.fstat(fd2).st_size == size
    for f in (fd, fd2):
        os.close(f)
    s.close(); s2.close()
    err = stop(p)
    assert "cannot be sealed" not in err, err
    print("ok sealed default: seals", hex(SEALS), "ftruncate EPERM")


def test_named():
    name = f"/{TAG}"
    path = f"/dev/shm/{TAG}"
    p = start("-M", TAG, "-l", "1M")
    s, _, fd = region_fd()
    assert os.path.exists(path)
    assert fcntl.fcntl(fd, fcntl.F_GET_SEALS) & fcntl.F_SEAL_SHRINK == 0
    os.close(fd); s.close()
    err = stop(p)
    assert f"-M {name} is a named POSIX object: it cannot be sealed" in err, err
    assert not os.path.exists(path)
    print("ok -M works and warns")
    # an existing name is refused, and left alone
    with open(path, "wb") as f:
        f.write(b"keep")
    try:
        r = subprocess.run([SERVER, "-F", "-S", SOCK, "-M", TAG], capture_output=True,
                           text=True, timeout=10)
        assert r.returncode != 0
        assert f"cannot create shared memory {name}: File exists" in r.stderr, r.stderr
        with open(path, "rb") as f:
            assert f.read() == b"keep"
    finally:
        os.unlink(path)
    print("ok existing -M name refused")


test_sealed_default()
test_named()
