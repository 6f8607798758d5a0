#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""scripts/bench-compare.sh must not rot: one round of tiny windows for
ivshmem-shm and ivshmem-server (not memif: Debian 22.11's net_memif
segfaults now and then at start or teardown on a loaded machine, which the
script reports as FAILED for that round), both layouts, both testpmd
workloads. Checks the
machine line, that every requested row of summary.tsv is there with a rate
> 0, and that the script left no process files behind.
Usage: bench_compare_test.py SOURCE_ROOT BUILD_DIR"""
import glob
import os
import shutil
import subprocess
import sys

SRC, BUILD = sys.argv[1], sys.argv[2]
SIZES, DRIVERS = [64, 1500], ["ivshmem-shm", "ivshmem-server"]
LAYOUTS, WORKLOADS = ["one-core", "split"], ["rxonly", "csum"]


def fail(msg, out=""):
    print("FAIL bench-compare-short: " + msg + ("\n--- output ---\n" + out if out else ""))
    sys.exit(1)


def main():
    if not os.path.exists(os.path.join(BUILD, "drivers", "librte_net_ivshmem.so")):
        print("SKIP: net_ivshmem not built")
        sys.exit(77)
    env = dict(os.environ, ROUNDS="1", DURATION="0.2", WARMUP="0.1",
               SIZES=",".join(map(str, SIZES)), DRIVERS=" ".join(DRIVERS), PARTS="testpmd",
               LAYOUTS=" ".join(LAYOUTS), WORKLOADS=" ".join(WORKLOADS))
    p = subprocess.Popen([os.path.join(SRC, "scripts", "bench-compare.sh"), BUILD], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = p.communicate(timeout=85)
    except subprocess.TimeoutExpired:
        p.terminate()  # its exit trap cleans up
        out, _ = p.communicate()
        fail("timed out", out)
    tag = "bcmp%d" % p.pid
    raw = [ln.split(": ", 1)[1] for ln in out.splitlines() if ln.startswith("raw outputs: ")]
    try:
        if p.returncode != 0 or not raw:
            fail("exit %d" % p.returncode, out)
        lines = [ln for ln in out.splitlines() if ln.startswith("machine: ")]
        if not lines or not all(k in lines[0] for k in ("nproc", "kernel", "DPDK", "git")):
            fail("no machine line", out)
        rows = {}
        with open(os.path.join(raw[0], "summary.tsv")) as f:
            head = f.readline().rstrip("\n").split("\t")
            for ln in f:
                r = dict(zip(head, ln.rstrip("\n").split("\t")))
                rows[(r["workload"], r["layout"], int(r["size"]), r["driver"])] = r
        for key in [(w, la, s, d) for w in WORKLOADS for la in LAYOUTS for s in SIZES
                    for d in DRIVERS]:
            r = rows.get(key)
            if r is None:
                fail("no row for %s" % (key,), out)
            if r["status"] != "ok" or r["n"] != "1" or not float(r["median"]) > 0 \
                    or not float(r["best"]) > 0:
                fail("row %s: %s" % (key, r), out)
        left = glob.glob("/var/run/dpdk/%s-*" % tag) + glob.glob("/dev/shm/%s-*" % tag) \
            + glob.glob("/run/%s-*" % tag)
        if left:
            fail("left behind: %s" % left, out)
        if "ivshmem-server/ivshmem-shm" not in out:
            fail("no ratio of medians", out)
    finally:
        for d in raw:
            shutil.rmtree(d, ignore_errors=True)
    print("PASS bench-compare-short")


main()
