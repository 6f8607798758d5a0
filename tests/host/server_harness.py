"""Shared by the ivshmem-server stress and path tests: start the real
server, read a greeting with a deadline, watch the server's RSS and fds."""
import atexit, os, socket, struct, subprocess, time

MSG = 8


class Server:
    def __init__(self, binary, sock, *args, **popen):
        self.sock = sock
        self.p = subprocess.Popen([binary, "-F", "-S", sock, *args], **popen)
        atexit.register(self.stop)
        deadline = time.monotonic() + 10
        while not self.accepts():  # a stale file at sock may predate it
            assert self.p.poll() is None, "server exited at start"
            assert time.monotonic() < deadline, "no socket within 10 s"
            time.sleep(0.01)

    def accepts(self):
        try:
            connect(self.sock).close()
            return True
        except OSError:
            return False

    def stop(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        if os.path.exists(self.sock):
            os.unlink(self.sock)

    def fds(self):
        return len(os.listdir(f"/proc/{self.p.pid}/fd"))

    def rss_kb(self):
        with open(f"/proc/{self.p.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def greeted_within(path, secs):
    """Seconds until version, own id and the shm fd arrived (None: not
    within secs, or refused). Closes the connection."""
    t0 = time.monotonic()
    s = connect(path)
    got = []
    try:
        while len(got) < 3:
            left = secs - (time.monotonic() - t0)
            if left <= 0:
                return None
            s.settimeout(left)
            data, fds, _, _ = socket.recv_fds(s, MSG, 1)
            for f in fds:
                os.close(f)
            if len(data) != MSG:
                return None
            got.append(struct.unpack("<q", data)[0])
    except (socket.timeout, ConnectionError):
        return None
    finally:
        s.close()
    assert got[0] == 0, f"protocol version {got[0]}"
    return time.monotonic() - t0


def wait_until(cond, secs):
    end = time.monotonic() + secs
    while not cond():
        if time.monotonic() > end:
            return False
        time.sleep(0.02)
    return True
