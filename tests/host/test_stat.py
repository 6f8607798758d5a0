#!/usr/bin/env python3
"""ivshmem-stat: prints a live region exactly (peers, MACs, generations,
heads, tails, fill, wake token), leaves it byte-identical, reads it through
a real ivshmem-server too, shows heartbeat ages and per-channel rates of a
running peer, and refuses garbage, blank, half-formatted, corrupt and
too-small regions with a clear message and exit 1 (a crash would be < 0)."""
import atexit, hashlib, json, os, subprocess, sys, time

STAT, FIXTURE, SERVER = sys.argv[1:4]
TAG = f"stat-{os.getpid()}"
SHM = f"/dev/shm/{TAG}"
SOCK = f"/tmp/{TAG}.sock"
STARTED = []


def cleanup():
    for p in STARTED:
        if p.poll() is None:
            p.kill()
            p.wait()
    for f in (SHM, SOCK, SHM + "-srv"):
        if os.path.exists(f):
            os.unlink(f)


atexit.register(cleanup)


def region(size=4 << 20, data=None):
    with open(SHM, "wb") as f:
        if data is not None:
            f.write(data)
        f.truncate(size if data is None else len(data))


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def stat(*args):
    return subprocess.run([STAT, *args], capture_output=True, text=True, timeout=30)


def fixture(mode, path=SHM):
    subprocess.run([FIXTURE, mode, path], check=True, capture_output=True, timeout=30)


def check_live(doc):
    assert doc["format_state"] == "ready" and doc["version_major"] == 3, doc
    assert doc["version_minor"] == 0, doc
    assert doc["geometry"] == {"max_peers": 2, "queues": 1, "ring_size": 1024,
                               "buf_size": 1536, "inline_size": 128}, doc["geometry"]
    peers = doc["peers"]
    assert [(p["id"], p["state"], p["generation"], p["heartbeat"], p["mac"]) for p in peers] == [
        (0, "up", 1, 1, "02:00:00:00:00:10"), (1, "up", 1, 1, "02:00:00:00:00:11")], peers
    # nothing moves in a region nobody runs: no age, only how long we watched
    assert all(p["heartbeat_age_ms"] is None and p["heartbeat_watched_ms"] >= 90
               for p in peers), peers
    ch = {(c["producer"], c["consumer"], c["queue"]): c for c in doc["channels"]}
    assert sorted(ch) == [(0, 1, 0), (1, 0, 0)], ch
    c01, c10 = ch[(0, 1, 0)], ch[(1, 0, 0)]
    assert (c01["head"], c01["tail"], c01["fill"], c01["prod_gen"], c01["ack_gen"],
            c01["need_wakeup"]) == (5, 3, 2, 1, 1, 0), c01
    # peer 0 armed on 1->0: token of its vector 0, nobody produces there
    assert (c10["head"], c10["tail"], c10["fill"], c10["prod_gen"], c10["need_wakeup"]) == \
        (0, 0, 0, 0, 1), c10


def test_live_shm():
    region()
    fixture("live")
    before = sha(SHM)
    r = stat("--shm", SHM, "--json")
    assert r.returncode == 0, r.stderr
    check_live(json.loads(r.stdout))
    r = stat("--shm", SHM)
    assert r.returncode == 0, r.stderr
    for text in ("layout 3.0, ready",
                 "max_peers 2, queues 1, ring_size 1024, buf_size 1536, inline_size 128",
                 "02:00:00:00:00:11", "vector 0", "2/1024"):
        assert text in r.stdout, (text, r.stdout)
    assert sha(SHM) == before, "ivshmem-stat changed the region"


def test_channel_addresses():
    # each of the 12 channels of 3 peers x 2 queues has its own frame count,
    # written through the lib's own channel addressing
    region()
    fixture("multi")
    r = stat("--shm", SHM, "--json", "--sample-ms", "0")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    got = {(c["producer"], c["consumer"], c["queue"]): c["head"] for c in doc["channels"]}
    want = {(p, c, q): 1 + 6 * p + 2 * c + q
            for p in range(3) for c in range(3) for q in range(2) if p != c}
    assert got == want, (got, want)
    assert [p["state"] for p in doc["peers"]] == ["up"] * 3


def test_server():
    name = TAG + "-srv"
    srv = subprocess.Popen([SERVER, "-F", "-S", SOCK, "-M", name, "-l", "4M", "-n", "1"],
                           stderr=subprocess.PIPE, text=True)
    STARTED.append(srv)
    deadline = time.monotonic() + 10
    while not (os.path.exists(SOCK) and os.path.exists("/dev/shm/" + name)):
        assert srv.poll() is None and time.monotonic() < deadline, "server did not start"
        time.sleep(0.01)
    fixture("live", "/dev/shm/" + name)
    before = sha("/dev/shm/" + name)
    r = stat("--server", SOCK, "--json")
    assert r.returncode == 0, r.stderr
    check_live(json.loads(r.stdout))
    assert sha("/dev/shm/" + name) == before, "ivshmem-stat changed the server's region"
    assert srv.poll() is None, "server died"
    srv.terminate()
    srv.wait(timeout=10)
    r = stat("--server", SOCK)
    assert r.returncode == 1 and SOCK in r.stderr, (r.returncode, r.stderr)


def test_running_peer():
    region()
    run = subprocess.Popen([FIXTURE, "run", SHM], stdout=subprocess.PIPE, text=True)
    STARTED.append(run)
    assert run.stdout.readline() == "ready\n"
    r = stat("--shm", SHM, "--json")
    assert r.returncode == 0, r.stderr
    peers = json.loads(r.stdout)["peers"]
    # peer 0 beats every millisecond, peer 1 not at all
    assert peers[0]["heartbeat_age_ms"] is not None and peers[0]["heartbeat_age_ms"] < 50, peers
    assert peers[1]["heartbeat_age_ms"] is None, peers
    r = stat("--shm", SHM, "--json", "--watch=0.2", "--count", "2")
    assert r.returncode == 0, r.stderr
    docs = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(docs) == 2, r.stdout
    for d in docs:
        c01 = [c for c in d["channels"] if c["producer"] == 0][0]
        # one frame per ms with the sleep's slack: clearly moving, not wild
        assert 100 <= c01["publish_per_s"] <= 1100, c01
        assert 100 <= c01["consume_per_s"] <= 1100, c01
        assert all("publish_per_s" in c for c in d["channels"])
    r = stat("--shm", SHM, "--watch=0.1", "--count", "1")
    assert r.returncode == 0 and "publish/s" in r.stdout, r
    run.terminate()
    run.wait(timeout=10)


def refused(expect, size=None, data=None, mode=None):
    region(size=size or 4 << 20, data=data)
    if mode:
        fixture(mode)
    before = sha(SHM)
    r = stat("--shm", SHM)
    assert r.returncode == 1, (expect, r.returncode, r.stderr)
    assert expect in r.stderr and r.stdout == "", (expect, r.stderr, r.stdout)
    assert sha(SHM) == before


def header_2_1():
    """The header a layout 2.1 peer writes for its default geometry (by hand,
    as that peer would: 2.1 had no inline fields)."""
    import struct
    h = struct.pack("<IHHIIQQIIIIQQQQQ", 0x4D485649, 2, 1, 2, 0, 4 << 20, 3174400,
                    2, 1, 1024, 1536, 256, 4096, 1585152, 192, 8384)
    return h + bytes(256 - len(h))


def test_bad_regions():
    refused("the region was formatted with BAR2 layout 2.1, this ivshmem-pmd speaks "
            "layout 3.0", data=header_2_1() + bytes((4 << 20) - 256))
    refused("restart both peers on the same release, or reformat the region",
            data=header_2_1() + bytes((4 << 20) - 256))
    refused("region is blank")
    refused("not an ivshmem-pmd region", data=os.urandom(1 << 20))
    refused("region is half-formatted", mode="half")
    refused("corrupt header: offsets or layout_size", mode="corrupt")
    refused("region too small: 100 bytes", data=os.urandom(100))
    refused("region is empty", data=b"")
    # a real layout cut short: header says 3 MiB, file has 1 MiB
    region()
    fixture("live")
    with open(SHM, "r+b") as f:
        f.truncate(1 << 20)
    r = stat("--shm", SHM)
    assert r.returncode == 1 and "region too small: layout needs" in r.stderr, r.stderr
    # cut short while --watch reads it: SIGBUS turned into a message, exit 1
    region()
    fixture("live")
    w = subprocess.Popen([STAT, "--shm", SHM, "--json", "--watch=0.05", "--count", "400"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    STARTED.append(w)
    assert json.loads(w.stdout.readline())["format_state"] == "ready"
    os.truncate(SHM, 0)
    _, err = w.communicate(timeout=20)
    assert w.returncode == 1 and "region shrank while being read" in err, (w.returncode, err)
    r = stat("--shm", SHM + "-missing")
    assert r.returncode == 1 and "No such file" in r.stderr, r.stderr
    for args in ([], ["--shm", SHM, "--server", SOCK], ["--shm", SHM, "--watch=0"]):
        r = stat(*args)
        assert r.returncode == 2, (args, r.returncode, r.stderr)


for name, fn in list(globals().items()):
    if name.startswith("test_"):
        fn()
        print(f"ok {name}")
