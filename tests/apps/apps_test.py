#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Functional tests of ivshmem-fwd and ivshmem-perf over net_null, net_ring,
net_memif and (when built) net_ivshmem. Usage: apps_test.py BUILD_DIR CASE.
Each process gets its own --file-prefix; syncs wait on conditions with
deadlines; processes, sockets, shm files and /var/run/dpdk dirs are removed
even on failure."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build-apps"
FWD = os.path.join(BUILD, "apps", "ivshmem-fwd")
PERF = os.path.join(BUILD, "apps", "ivshmem-perf")
PMD_DIR = os.path.join(BUILD, "drivers")
TAG = "at%d" % os.getpid()
EAL = ["--no-huge", "-m", "256", "--no-pci", "--log-level=warning"]

procs, paths, prefixes = [], [], []


def cleanup():
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    for path in paths:
        if os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.exists(path):
            os.unlink(path)
    for pre in prefixes:
        shutil.rmtree("/var/run/dpdk/" + pre, ignore_errors=True)


def eal(name, lcores, vdevs):
    pre = "%s-%s" % (TAG, name)
    prefixes.append(pre)
    args = ["--lcores", lcores, "--file-prefix", pre] + EAL
    for v in vdevs:
        args += ["--vdev", v]
    if any(v.startswith("net_ivshmem") for v in vdevs):
        args += ["-d", "librte_net_ivshmem.so"]
    return args


def env():
    e = dict(os.environ)
    e["LD_LIBRARY_PATH"] = os.path.abspath(PMD_DIR) + ":" + e.get("LD_LIBRARY_PATH", "")
    return e


def start(cmd):
    out = tempfile.TemporaryFile(mode="w+")
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env())
    p.out = out
    procs.append(p)
    return p


def finish(p, timeout):
    try:
        p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGINT)
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    p.out.seek(0)
    return p.returncode, p.out.read()


def wait_for(cond, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


def check(cond, msg, out=""):
    if not cond:
        raise AssertionError(msg + ("\n--- output ---\n" + out if out else ""))


def summary(out):
    """Parses ivshmem-fwd's final summary into {'port N': {...}, 'total': {...}}."""
    res = {}
    for line in out.splitlines():
        m = re.match(r"^(port \d+|lcore \d+|total): (.*)$", line)
        if m and "=" in m.group(2):
            res[m.group(1)] = {k: int(v) for k, v in
                               re.findall(r"([\w-]+)=(\d+)", m.group(2))}
    check("total" in res, "no final summary", out)
    return res


def have_ivshmem():
    return os.path.exists(os.path.join(PMD_DIR, "librte_net_ivshmem.so"))


# ---- port pairs: (server-side vdev, client-side vdev), wait condition ----
def memif_pair(name):
    sock = "/run/%s-%s.sock" % (TAG, name)
    paths.append(sock)
    return ("net_memif0,role=server,socket-abstract=no,socket=" + sock,
            "net_memif0,role=client,socket-abstract=no,socket=" + sock,
            lambda: os.path.exists(sock))


def ivshmem_pair(name):
    shm = "/dev/shm/%s-%s" % (TAG, name)
    paths.append(shm)
    return ("net_ivshmem0,shm=%s,size=4M,id=0" % shm,
            "net_ivshmem0,shm=%s,size=4M,id=1" % shm,
            lambda: os.path.exists(shm))


PAIRS = {"memif": memif_pair, "ivshmem": ivshmem_pair}


# ---- fwd cases ----------------------------------------------------------
def fwd_modes_null():
    """Every mode moves traffic between two net_null ports in one process."""
    for mode in ["io", "mac", "macswap", "rxonly", "txonly", "flowgen"]:
        p = start([FWD] + eal("null-" + mode, "0,1", ["net_null0", "net_null1"])
                  + ["--", "--forward-mode=" + mode, "--duration=0.5",
                     "--stats-period=1", "--txpkts=64,128"])
        rc, out = finish(p, 20)
        check(rc == 0, "fwd %s exited %s" % (mode, rc), out)
        s = summary(out)
        t = s["total"]
        if mode == "rxonly":
            check(t["rx"] > 0 and t["tx"] == 0, "rxonly counts", out)
        elif mode == "txonly":
            check(t["tx"] > 0 and t["rx"] == 0, mode + " counts", out)
        elif mode == "flowgen":  # sends, and drains Rx like testpmd's
            check(t["tx"] > 0 and t["rx"] > 0, mode + " counts", out)
        else:
            check(t["rx"] > 0 and t["rx"] == t["tx"] + t["tx-dropped"],
                  mode + ": rx != tx + dropped", out)
            for port in ("port 0", "port 1"):
                check(s[port]["app-tx"] > 0, mode + ": nothing sent on " + port, out)


def fwd_ring_single_port():
    """A lone net_ring port forwards to itself; total-num-pkts stops it."""
    p = start([FWD] + eal("ring", "0,1", ["net_ring0"])
              + ["--", "--forward-mode=txonly", "--total-num-pkts=500"])
    rc, out = finish(p, 20)
    check(rc == 0, "fwd txonly on ring exited %s" % rc, out)
    s = summary(out)
    check(s["total"]["tx"] == 500, "txonly must send exactly 500", out)
    check("port 0 queue 0 -> port 0 queue 0" in out, "lone port pairs itself", out)


def tx_to_rx(kind, name, n, rx_args, txpkts):
    """txonly of n packets in one process -> rxonly in another; both must
    exit 0 and txonly send exactly n. Returns the two summaries."""
    srv, cli, ready = PAIRS[kind](name)
    rx = start([FWD] + eal(name + "-rx", "0,1", [srv]) +
               ["--", "--forward-mode=rxonly", "--total-num-pkts=%d" % n,
                "--duration=20"] + rx_args)
    wait_for(ready, 10, "the server side")
    tx = start([FWD] + eal(name + "-tx", "1@1,2@0", [cli]) +
               ["--", "--forward-mode=txonly", "--total-num-pkts=%d" % n,
                "--txpkts=" + txpkts])
    rc_rx, out_rx = finish(rx, 25)
    rc_tx, out_tx = finish(tx, 10)
    check(rc_rx == 0 and rc_tx == 0, "exit codes %s/%s" % (rc_rx, rc_tx),
          out_rx + out_tx)
    srx, stx = summary(out_rx), summary(out_tx)
    check(stx["total"]["tx"] == n, "txonly sent %d" % stx["total"]["tx"], out_tx)
    return srx, stx, out_rx


def fwd_tx_rx(kind):
    """txonly in one process -> rxonly in another: every accepted packet
    arrives (rxonly rx == txonly tx; txonly counts only accepted ones)."""
    srx, stx, out_rx = tx_to_rx(kind, "txrx", 300000, [], "64,1000")
    check(srx["total"]["rx"] == stx["total"]["tx"],
          "rxonly got %d of %d" % (srx["total"]["rx"], stx["total"]["tx"]),
          out_rx)


def output_of(p):
    p.out.seek(0)
    return p.out.read()


def fwd_io_bounce(kind, mode="io"):
    """flowgen -> peer forwarding on its single port back to the sender;
    the forwarder's rx == tx + drops and flowgen's Rx sees the echo. Once
    traffic flows, the forwarder stops, then flowgen; the forwarder closes
    its port once flowgen has left."""
    srv, cli, ready = PAIRS[kind]("bounce-" + mode)
    fw = start([FWD] + eal("fw-" + mode, "0,1", [srv]) +
               ["--", "--forward-mode=" + mode, "--duration=30",
                "--stats-period=1", "--linger-ms=15000"])
    wait_for(ready, 10, "the server side")
    gen = start([FWD] + eal("gen-" + mode, "1@1,2@0", [cli]) +
                ["--", "--forward-mode=flowgen", "--duration=30",
                 "--linger-ms=0"])
    wait_for(lambda: re.search(r"port 0: rx [0-9.]*[1-9]", output_of(fw)), 20,
             "traffic through the forwarder")
    # net_memif (22.11) segfaults when its peer's disconnect arrives while it
    # polls (rx_burst) or while its own dev_stop runs (its interrupt thread
    # and dev_stop both unmap the regions). So: the forwarder stops polling
    # and waits for its peer to leave (--linger-ms); only then flowgen
    # stops and leaves at once (--linger-ms=0), and the forwarder closes
    # after it.
    fw.send_signal(signal.SIGINT)
    wait_for(lambda: "==== ivshmem-fwd summary" in output_of(fw), 20,
             "the forwarder to stop polling")
    gen.send_signal(signal.SIGINT)
    rc_g, out_g = finish(gen, 20)
    rc_f, out_f = finish(fw, 20)
    check(rc_f == 0 and rc_g == 0,
          "exit codes: forwarder %s, flowgen %s" % (rc_f, rc_g), out_f + out_g)
    sf, sg = summary(out_f), summary(out_g)
    t = sf["total"]
    check(t["rx"] > 0, mode + ": forwarder received nothing", out_f + out_g)
    check(t["rx"] == t["tx"] + t["tx-dropped"], mode + ": rx != tx + drops", out_f)
    check(t["tx"] > 0, mode + ": forwarder sent nothing back", out_f)
    check(sg["total"]["tx"] >= t["rx"], "forwarder got more than was sent", out_g)
    check(0 < sg["total"]["rx"] <= t["tx"], "flowgen's Rx must see the echo", out_g)


def fwd_bad_args():
    """Every bad argument, including those only the machine can refute (no
    such port, too few lcores), exits 2 with a message (doc/apps.md)."""
    for bad, msg in [(["--forward-mode=bogus"], "unknown mode"),
                     (["--burst=0"], "out of range"),
                     (["--rxq=2", "--txq=1"], "must be >="),
                     (["--eth-peer=0,zz"], "--eth-peer"),
                     (["--nosuch"], "unknown"),
                     (["--portmask=0x4"], "no ports"),
                     (["--port-pairs=0:5"], "port 5 does not exist"),
                     (["--nb-cores=2"], "only 1 worker lcores"),
                     (["--txpkts=9001"], "out of range")]:
        p = start([FWD] + eal("bad", "0,1", ["net_null0"]) + ["--"] + bad)
        rc, out = finish(p, 20)
        check(rc == 2, "%s: exit %s, want 2" % (bad, rc), out)
        check(msg in out, "no clear message for %s" % bad, out)


def fwd_jumbo(kind):
    """txonly of 9000 B frames -> rxonly asked for them (--max-frame): both
    raise the MTU, every accepted frame arrives (before: 1514 B ports, the
    frames were clamped to one 2 KiB mbuf or dropped at Rx)."""
    n = 20000
    srx, _, out_rx = tx_to_rx(kind, "jumbo", n, ["--max-frame=9000"], "9000,64")
    check(srx["total"]["rx"] == n, "rxonly got %d of %d" % (srx["total"]["rx"], n),
          out_rx)
    check(srx["port 0"]["rx-errors"] == 0, "frames dropped at Rx", out_rx)


def fwd_jumbo_refused():
    """A port that cannot take the frames asked for is refused with the
    reason, exit 2: a region of 2 x 2 KiB descriptors carries 4096 B."""
    shm = "/dev/shm/%s-small" % TAG
    paths.append(shm)
    p = start([FWD] + eal("jref", "0,1",
                          ["net_ivshmem0,shm=%s,size=4M,id=0,ring_size=2,buf_size=2048" % shm])
              + ["--", "--forward-mode=txonly", "--txpkts=9000", "--duration=1"])
    rc, out = finish(p, 20)
    check(rc == 2, "exit %s, want 2" % rc, out)
    check("frames of 9000 B need MTU 8986, the port's largest is 4082" in out,
          "no reason given", out)


# ---- perf cases ---------------------------------------------------------
def perf_pair(kind, name, ini_args, ref_args, timeout=60):
    srv, cli, ready = PAIRS[kind](name)
    ref = start([PERF] + eal("ref-" + name, "1", [srv]) + ["--", "--role=reflector"]
                + ref_args)
    wait_for(ready, 10, "the reflector side")
    ini = start([PERF] + eal("ini-" + name, "0", [cli]) + ["--", "--role=initiator",
                "--timeout=30"] + ini_args)  # net_memif under load: its link took > 10 s once
    rc_i, out_i = finish(ini, timeout)
    rc_r, out_r = finish(ref, 10)
    check(rc_i == 0, "initiator exited %s" % rc_i, out_i + out_r)
    check(rc_r == 0, "reflector exited %s" % rc_r, out_r)
    return out_i, out_r


def tmpfile(suffix):
    path = "/tmp/%s%s" % (TAG, suffix)
    paths.append(path)
    return path


def perf_latency(kind):
    js, svg, raw = tmpfile(".json"), tmpfile(".svg"), "/dev/shm/%s-raw" % TAG
    if kind == "ivshmem":
        # the PMD's own region: the floor uses its unused last 4 KiB
        raw = "/dev/shm/%s-lat" % TAG
    else:
        paths.append(raw)
        with open(raw, "wb") as f:
            f.truncate(4 << 20)
    extra = ["--raw-shm=" + raw] if raw else []
    out, _ = perf_pair(kind, "lat", ["--samples=3000", "--warmup=200",
                                     "--json=" + js, "--svg=" + svg] + extra, extra)
    d = json.load(open(js))
    lat = d["latency"]["packet"]
    check(lat["samples"] + lat["lost"] == 3000, "sample count", out)
    check(0 < lat["min_ns"] <= lat["p50_ns"] <= lat["p99_ns"] <= lat["max_ns"],
          "percentiles not ordered", out)
    if raw:
        check(d["latency"]["raw"]["samples"] == 3000, "raw samples", out)
    root = ET.parse(svg).getroot()
    check(root.tag.endswith("svg"), "not an svg root", out)
    texts = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    check("p50" in texts and "p99" in texts and "round-trip" in texts,
          "SVG lacks markers/labels", texts)


def perf_throughput(kind, bidir=False):
    js = tmpfile(".json")
    args = ["--mode=throughput", "--sizes=64,1500", "--duration=0.5", "--json=" + js]
    if bidir:
        args.append("--bidir")
    out, _ = perf_pair(kind, "tput", args, [])
    d = json.load(open(js))
    rows = d["throughput"]
    check([r["size"] for r in rows] == [64, 1500], "sizes", out)
    for r in rows:
        check(r["fwd_rx"] > 0 and r["mpps"] > 0, "no traffic at %d" % r["size"], out)
        check(r["fwd_rx"] <= r["fwd_tx"], "received more than sent", out)
        if bidir:
            check(r["rev_rx"] > 0 and r["rev_rx"] <= r["rev_tx"], "bidir reverse", out)


def perf_jumbo(kind):
    """Sizes above 1514 B: the initiator raises its MTU, the reflector takes
    what the port can (Rx scatter): 9000 B frames arrive and echo (before:
    loss 100% over net_ivshmem, with no hint)."""
    js = tmpfile(".json")
    out, _ = perf_pair(kind, "jtput", ["--mode=throughput", "--sizes=64,9000",
                                       "--duration=0.5", "--json=" + js], [])
    rows = json.load(open(js))["throughput"]
    check([r["size"] for r in rows] == [64, 9000], "sizes", out)
    for r in rows:
        check(r["fwd_rx"] > 0, "nothing received at %d B" % r["size"], out)
        check(r["fwd_rx"] <= r["fwd_tx"], "received more than sent", out)
    out, _ = perf_pair(kind, "jlat", ["--samples=300", "--warmup=10", "--size=9000",
                                      "--json=" + js], [])
    lat = json.load(open(js))["latency"]["packet"]
    check(lat["samples"] == 300 and lat["lost"] == 0, "9000 B echoes lost", out)


def perf_raw():
    raw = "/dev/shm/%s-rawonly" % TAG
    paths.append(raw)
    with open(raw, "wb") as f:
        f.truncate(1 << 20)
    js = tmpfile(".json")
    common = ["--mode=raw", "--raw-shm=" + raw]
    ref = start([PERF] + eal("rawr", "1", []) + ["--", "--role=reflector"] + common)
    ini = start([PERF] + eal("rawi", "0", []) + ["--", "--role=initiator",
                "--samples=20000", "--json=" + js] + common)
    rc_i, out_i = finish(ini, 30)
    rc_r, out_r = finish(ref, 10)
    check(rc_i == 0 and rc_r == 0, "raw exit codes", out_i + out_r)
    check(json.load(open(js))["latency"]["raw"]["samples"] == 20000, "raw samples", out_i)


def perf_bad_args():
    for bad, msg in [(["--mode=latency"], "--role"),
                     (["--role=boss"], "unknown value"),
                     (["--role=initiator", "--mode=raw"], "--raw-shm"),
                     (["--role=initiator", "--sizes=64,x"], "not a valid number"),
                     (["--role=initiator", "--mode=throughput", "--svg=/tmp/x.svg"],
                      "--svg"),
                     (["--role=initiator", "--port=3"], "does not exist"),
                     (["--role=initiator", "--sizes=64,9001"], "out of range")]:
        p = start([PERF] + eal("bad", "0", ["net_null0"]) + ["--"] + bad)
        rc, out = finish(p, 20)
        check(rc == 2, "%s: exit %s, want 2" % (bad, rc), out)
        check(msg in out, "no clear message for %s" % bad, out)


def pcap_frames(path):
    """The frames of a little-endian libpcap file (what net_pcap writes)."""
    data = open(path, "rb").read()
    check(len(data) >= 24 and data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"),
          "not a pcap file")  # micro- or nanosecond timestamps
    frames, off = [], 24
    while off + 16 <= len(data):
        caplen = int.from_bytes(data[off + 8:off + 12], "little")
        frames.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return frames


def inet_sum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(int.from_bytes(b[i:i + 2], "big") for i in range(0, len(b), 2))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def udp_cksum_ok(f):
    """IPv4/UDP frame: the UDP checksum over pseudo-header + datagram holds."""
    ihl = (f[14] & 0xf) * 4
    ip, udp = f[14:14 + ihl], f[14 + ihl:]
    pseudo = ip[12:20] + b"\0\x11" + len(udp).to_bytes(2, "big")
    return inet_sum(pseudo + udp) == 0xffff


def fwd_udp_cksum():
    """txonly --udp-cksum: every payload byte written (0xa5), every UDP
    checksum valid, sizes cycled; without it the checksum is 0 (testpmd's
    csum engine would then skip the payload)."""
    for opt in (["--udp-cksum"], []):
        pcap = tmpfile("%d.pcap" % len(opt))
        p = start([FWD] + eal("cksum%d" % len(opt), "0,1", ["net_pcap0,tx_pcap=" + pcap])
                  + ["--", "--forward-mode=txonly", "--txpkts=64,1500",
                     "--total-num-pkts=200"] + opt)
        rc, out = finish(p, 20)
        check(rc == 0, "txonly to pcap exited %s" % rc, out)
        frames = pcap_frames(pcap)
        check(len(frames) == 200, "%d frames in the pcap" % len(frames), out)
        check([len(f) for f in frames[:4]] == [64, 1500, 64, 1500], "sizes not cycled")
        for f in frames:
            if opt:
                check(f[42:] == b"\xa5" * (len(f) - 42), "payload not written")
                check(f[40:42] != b"\0\0" and udp_cksum_ok(f), "bad UDP checksum")
            else:
                check(f[40:42] == b"\0\0", "checksum set without --udp-cksum")


def needs_ivshmem(fn):
    def run(*a):
        if not have_ivshmem():
            print("SKIP: net_ivshmem not built")
            sys.exit(77)
        fn(*a)
    return run


CASES = {
    "fwd-modes-null": fwd_modes_null,
    "fwd-ring-single-port": fwd_ring_single_port,
    "fwd-txonly-rxonly-memif": lambda: fwd_tx_rx("memif"),
    "fwd-io-bounce-memif": lambda: fwd_io_bounce("memif", "io"),
    "fwd-macswap-bounce-memif": lambda: fwd_io_bounce("memif", "macswap"),
    "fwd-bad-args": fwd_bad_args,
    "fwd-udp-cksum-pcap": fwd_udp_cksum,
    "perf-latency-memif": lambda: perf_latency("memif"),
    "perf-throughput-memif": lambda: perf_throughput("memif"),
    "perf-bidir-memif": lambda: perf_throughput("memif", True),
    "perf-raw": perf_raw,
    "perf-bad-args": perf_bad_args,
    "fwd-txonly-rxonly-ivshmem": needs_ivshmem(lambda: fwd_tx_rx("ivshmem")),
    "fwd-io-bounce-ivshmem": needs_ivshmem(lambda: fwd_io_bounce("ivshmem")),
    "perf-latency-ivshmem": needs_ivshmem(lambda: perf_latency("ivshmem")),
    "perf-throughput-ivshmem": needs_ivshmem(lambda: perf_throughput("ivshmem")),
    "fwd-jumbo-ivshmem": needs_ivshmem(lambda: fwd_jumbo("ivshmem")),
    "fwd-jumbo-refused-ivshmem": needs_ivshmem(fwd_jumbo_refused),
    "perf-jumbo-ivshmem": needs_ivshmem(lambda: perf_jumbo("ivshmem")),
}

if __name__ == "__main__":
    case = sys.argv[2]
    try:
        CASES[case]()
        print("PASS " + case)
    except AssertionError as e:
        print("FAIL %s: %s" % (case, e))
        sys.exit(1)
    finally:
        cleanup()
