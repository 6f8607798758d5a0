#!/usr/bin/env python3
"""Who may connect to ivshmem-server (issue 20 item 6). With
--socket-mode/--socket-group the socket's node has exactly that mode and
group, whatever the server's umask, and is never seen wider while it
starts; a client of another user (not root: root ignores the mode) is
refused by the socket, one in the group gets its id; the verbose log
names each client's uid, gid and pid (SO_PEERCRED) exactly. A non-root
server that may not give the socket to a group says so, exits 1 and
leaves no socket. Without the options the umask decides, as before.
Clients run as uid/gid 65534 through setpriv; the group is a spare
numeric gid (no user or group is created). With QEMU installed, the same
for a paused QEMU as uid 65534 (the libvirt-qemu case).
usage: test_server_access.py SERVER CLIENT"""
import grp, os, re, shutil, stat, subprocess, sys, threading, time
from server_harness import Server, wait_until

SERVER, CLIENT = sys.argv[1], sys.argv[2]
TAG = f"ivshm-access-{os.getpid()}"
SOCK = f"/tmp/{TAG}.sock"
NOBODY = 65534

if os.geteuid() != 0:
    print("SKIP: needs root (clients of other uids through setpriv)")
    sys.exit(77)


def spare_gid():
    gid = 40000 + os.getpid() % 20000
    while True:
        try:
            grp.getgrgid(gid)
            gid += 1
        except KeyError:
            return gid


GID = spare_gid()


def as_nobody(groups, *cmd):
    ids = [f"--reuid={NOBODY}", f"--regid={NOBODY}"]
    ids += [f"--groups={groups}"] if groups is not None else ["--clear-groups"]
    return ["setpriv", *ids, *cmd]


class Log:
    """The server's verbose stdout, read as it comes (never a full pipe)."""

    def __init__(self, pipe):
        self.lines = []
        threading.Thread(target=self._read, args=(pipe,), daemon=True).start()

    def _read(self, pipe):
        for line in pipe:
            self.lines.append(line.rstrip("\n"))

    def find(self, pattern, secs=10):
        found = []

        def seen():
            found[:] = [m for m in map(re.compile(pattern).fullmatch, list(self.lines)) if m]
            return bool(found)
        wait_until(seen, secs)
        return found


def node(path):
    st = os.lstat(path)
    assert stat.S_ISSOCK(st.st_mode), f"{path} is not a socket"
    return stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid


def start(*args, umask=0o022):
    return Server(SERVER, SOCK, "-v", *args, stdout=subprocess.PIPE, text=True,
                  preexec_fn=lambda: os.umask(umask))


def stop(srv):
    srv.p.terminate()
    assert srv.p.wait(timeout=10) == 0, f"server exit {srv.p.returncode}"
    assert not os.path.exists(SOCK), "socket left at exit"


# 1. mode and group as asked, under a umask that would give 0777
srv = start("--socket-mode=0660", f"--socket-group={GID}", umask=0)
log = Log(srv.p.stdout)
assert node(SOCK) == (0o660, 0, GID), f"socket node {node(SOCK)}"
assert log.find(rf"listening on {SOCK} \(mode 0660, uid 0 gid {GID}\), .*"), log.lines

# 2. a client not in the group: refused by the socket (EACCES), never seen
r = subprocess.run(as_nobody(None, CLIENT, "-S", SOCK), capture_output=True, text=True,
                   stdin=subprocess.DEVNULL, timeout=10)
assert r.returncode == 1 and \
    f"ivshmem-client: cannot connect to {SOCK}: Permission denied" in r.stderr, r
probe = ("import socket, sys\n"
         "s = socket.socket(socket.AF_UNIX)\n"
         "try:\n    s.connect(sys.argv[1]); print('connected')\n"
         "except PermissionError as e:\n    print('refused', e.errno)\n")
r = subprocess.run(as_nobody(None, sys.executable, "-c", probe, SOCK), capture_output=True,
                   text=True, timeout=10)
assert r.stdout == "refused 13\n", r

# 3. a client in the group (supplementary): connected, given an id, logged
cl = subprocess.Popen(as_nobody(GID, CLIENT, "-S", SOCK), stdin=subprocess.PIPE,
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
first = cl.stdout.readline()
m = re.fullmatch(r"connected: own id (\d+)\n", first)
assert m, f"client in the group: {first!r} {cl.stderr.read() if not first else ''}"
own_id = int(m.group(1))
lines = log.find(rf"peer {own_id} connected: uid {NOBODY} gid {NOBODY} pid {cl.pid}")
assert len(lines) == 1, f"no exact log line for pid {cl.pid}: {log.lines}"
cl.stdin.write("list\n")
cl.stdin.close()
out = cl.stdout.read()
assert cl.wait(timeout=10) == 0, out
assert f"own id {own_id}, shm 4194304 bytes, 1 vectors" in out, out
assert [x for x in log.lines if f"uid {NOBODY}" in x] == [m.group(0) for m in lines], \
    f"the refused clients reached the server: {log.lines}"
print(f"ok mode 0660 gid {GID}: uid {NOBODY} refused, in the group peer {own_id} "
      f"logged with pid {cl.pid}")

# 3b. the libvirt case with a real QEMU (paused, no guest): as uid 65534
# it is refused, with the socket's group it joins and is logged
qemu = shutil.which("qemu-system-x86_64")
if qemu:
    def run_qemu(groups):
        q = subprocess.Popen(as_nobody(groups, qemu, "-accel", "tcg", "-M", "q35",
                                       "-nodefaults", "-display", "none", "-S", "-m", "64",
                                       "-monitor", "stdio",
                                       "-chardev", f"socket,id=c,path={SOCK}",
                                       "-device", "ivshmem-doorbell,chardev=c,vectors=1"),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        out, err = q.communicate("info pci\nquit\n", timeout=60)
        return q, out + err
    q, out = run_qemu(None)
    assert q.returncode == 1 and \
        f"Failed to connect to '{SOCK}': Permission denied" in out, out
    q, out = run_qemu(GID)
    assert q.returncode == 0 and "BAR2: 64 bit prefetchable memory" in out, out
    assert log.find(rf"peer \d+ connected: uid {NOBODY} gid {NOBODY} pid {q.pid}"), log.lines
    print(f"ok QEMU as uid {NOBODY}: refused, then with gid {GID} joined (pid {q.pid} logged)")
stop(srv)

# 4. never wider than asked while starting: watch the node from before it
# exists (umask 0, so a bind-then-chmod would show 0777 for a moment)
seen = set()
for _ in range(15):
    done = threading.Event()

    def watch():
        while not done.is_set():
            try:
                st = os.lstat(SOCK)
                seen.add((stat.S_IMODE(st.st_mode), st.st_gid))
            except FileNotFoundError:
                pass
    t = threading.Thread(target=watch)
    t.start()
    srv = start("--socket-mode=0640", f"--socket-group={GID}", umask=0)
    done.set()
    t.join()
    stop(srv)
wider = [(oct(mo), g) for mo, g in seen if mo & ~0o640 or (mo & 0o070 and g != GID)]
assert not wider, f"socket seen wider than 0640 group {GID}: {wider}"
assert (0o640, GID) in seen, seen
print(f"ok starting 15 times, the node was only ever {sorted((oct(mo), g) for mo, g in seen)}")

# 5. a group alone means the group may connect: 0660; a mode alone keeps
# the server's group; neither: the umask, as QEMU's server does
for args, umask, want in (((f"-g{GID}",), 0o077, (0o660, 0, GID)),
                          (("--socket-mode=0606",), 0o022, (0o606, 0, 0)),
                          ((), 0o077, (0o700, 0, 0)),
                          ((), 0o022, (0o755, 0, 0))):
    srv = start(*args, umask=umask)
    got = node(SOCK)
    stop(srv)
    assert got == want, f"{args} umask {oct(umask)}: {got}, want {want}"
print("ok -g alone 0660, a mode alone, and the umask default")

# 6. a server that may not give the socket away (not root, not a member)
r = subprocess.run(as_nobody(None, SERVER, "-F", "-S", SOCK, f"--socket-group={GID}"),
                   capture_output=True, text=True, timeout=10)
assert r.returncode == 1, r
assert (f"cannot give socket {SOCK} to group {GID}: Operation not permitted "
        "(a server not run as root must be a member of that group)") in r.stderr, r.stderr
assert not os.path.exists(SOCK), "socket left after the refused chown"
print("ok a non-root server not in the group: clear error, exit 1, no socket left")
