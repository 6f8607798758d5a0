#!/usr/bin/env python3
"""ivshmem-server as a careful daemon (issue 21 item 9, issue 22 item 7).
Real server binary; every case asserts what the old server got wrong:
pidfiles through symlinks and FIFOs, -S over a live socket or a regular
file, a socket removed that is not ours, a -M -k object left by a failed
start, a daemon holding the caller's stderr, sizes QEMU cannot map."""
import os, shutil, signal, socket, stat, struct, subprocess, sys, tempfile, time

SERVER = sys.argv[1]
work = tempfile.mkdtemp(prefix="srv-paths-")
tag = f"srvpaths{os.getpid()}"
procs = []


def run(*args, timeout=5):
    """Runs the server to completion (a start that must fail, or a daemon
    parent): (exit status, stderr)."""
    r = subprocess.run([SERVER, *args], capture_output=True, text=True,
                       timeout=timeout)
    return r.returncode, r.stderr


def start(*args):
    p = subprocess.Popen([SERVER, "-F", *args], stderr=subprocess.PIPE, text=True)
    procs.append(p)
    return p


def wait_for(cond, what, secs=10):
    end = time.monotonic() + secs
    while not cond():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.01)


def whole_line(path):
    """A pidfile's content once complete (it is removed, created empty,
    then written), else None."""
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        return None
    return text if text.endswith("\n") else None


def greeted(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    data, fds, _, _ = socket.recv_fds(s, 8, 1)
    for f in fds:
        os.close(f)
    s.close()
    return len(data) == 8 and struct.unpack("<q", data)[0] == 0


def refused(args, reason, code=None):
    rc, err = run(*args)
    assert rc != 0, f"{args}: accepted"
    assert code is None or rc == code, f"{args}: exit {rc}, not {code}"
    assert reason in err, f"{args}: no '{reason}' in: {err.strip()}"


def p(name):
    return os.path.join(work, name)


try:
    # pidfile through a symlink: refused, target untouched
    with open(p("target"), "w") as f:
        f.write("precious\n")
    os.symlink(p("target"), p("link.pid"))
    refused(["-F", "-S", p("a.sock"), "-p", p("link.pid")], "not a regular file")
    assert open(p("target")).read() == "precious\n"
    assert not os.path.exists(p("a.sock")), "socket left after a failed start"

    # pidfile that is a FIFO: refused at once, not blocked in open
    os.mkfifo(p("fifo.pid"))
    refused(["-F", "-S", p("a.sock"), "-p", p("fifo.pid")], "not a regular file")

    # pidfile naming a live process: refused; naming a dead one: replaced
    with open(p("live.pid"), "w") as f:
        f.write(f"{os.getpid()}\n")
    refused(["-F", "-S", p("a.sock"), "-p", p("live.pid")], "is running")
    with open(p("stale.pid"), "w") as f:
        f.write("2147483646\n")
    srv = start("-S", p("a.sock"), "-p", p("stale.pid"))
    wait_for(lambda: os.path.exists(p("a.sock")), "the socket")
    # the pidfile is written once the socket listens (after the fork of a
    # daemon): wait for it, then it must name this server
    wait_for(lambda: whole_line(p("stale.pid")) not in (None, "2147483646\n"),
             "the stale pidfile replaced")
    assert whole_line(p("stale.pid")) == f"{srv.pid}\n"

    # -S on a live server's socket: refused, the live one keeps serving
    refused(["-F", "-S", p("a.sock")], "another server is listening")
    assert greeted(p("a.sock")), "the first server stopped greeting"

    # -S on a regular file: refused, the file kept
    open(p("file.sock"), "w").close()
    refused(["-F", "-S", p("file.sock")], "not a socket")
    assert stat.S_ISREG(os.lstat(p("file.sock")).st_mode)

    # the server removes its socket and pidfile at exit, but not a
    # pidfile someone replaced meanwhile
    os.unlink(p("stale.pid"))
    with open(p("stale.pid"), "w") as f:
        f.write("someone else's\n")
    srv.terminate()
    assert srv.wait(timeout=10) == 0
    assert not os.path.exists(p("a.sock")), "own socket left at exit"
    assert open(p("stale.pid")).read() == "someone else's\n"

    # a crashed server's socket (nobody listening) is replaced
    srv = start("-S", p("b.sock"))
    wait_for(lambda: os.path.exists(p("b.sock")), "the socket")
    srv.kill(); srv.wait()
    srv = start("-S", p("b.sock"))
    def greets_b():
        try:
            return greeted(p("b.sock"))
        except OSError:  # the stale socket, until the new server replaced it
            return False
    wait_for(greets_b, "a greeting on the replaced socket")
    srv.terminate(); srv.wait(timeout=10)

    # -M name -k with a failed start leaves no object behind
    refused(["-F", "-S", p("file.sock"), "-M", tag, "-k"], "not a socket")
    assert not os.path.exists("/dev/shm/" + tag), "-M -k object left by a failed start"

    # a daemon does not hold the caller's stderr: $(server 2>&1) returns
    t0 = time.monotonic()
    r = subprocess.run(f"x=$({SERVER} -S {p('d.sock')} -p {p('d.pid')} 2>&1); echo ok",
                       shell=True, capture_output=True, text=True, timeout=10)
    assert r.stdout.strip() == "ok", r
    took = time.monotonic() - t0
    dpid = int(open(p("d.pid")).read())
    assert greeted(p("d.sock"))
    os.kill(dpid, signal.SIGTERM)
    wait_for(lambda: not os.path.exists(p("d.pid")), "the daemon to leave")

    # what QEMU cannot map, or options that cannot work
    refused(["-F", "-S", p("c.sock"), "-l", "3M"], "power of two", code=2)
    refused(["-F", "-S", p("c.sock"), "-l", "100"], "use -l 128", code=2)
    refused(["-F", "-S", p("c.sock"), "-m", p("nonexistent")], "No such file", code=2)
    refused(["-F", "-S", p("c.sock"), "-m", p("target")], "not a directory", code=2)
    refused(["-S", p("c.sock"), "-v"], "-v needs -F", code=2)
    srv = start("-S", p("c.sock"), "-m", work)
    wait_for(lambda: os.path.exists(p("c.sock")), "the socket")
    srv.terminate(); srv.wait(timeout=10)
    assert "shmem pages of 4096 bytes" in srv.stderr.read(), "page size not said"
    print(f"ok 19 path and option cases (daemon start returned in {took * 1000:.0f} ms)")
finally:
    for q in procs:
        if q.poll() is None:
            q.kill()
    shutil.rmtree(work, ignore_errors=True)
    if os.path.exists("/dev/shm/" + tag):
        os.unlink("/dev/shm/" + tag)
