#!/usr/bin/python3
"""Summary of scripts/bench-compare.sh: median, best round and spread per
driver and size, and ratios of net_ivshmem to each other driver."""
import json
import os
import statistics as st
import sys

out, rounds, sizes, drivers, parts = sys.argv[1], int(sys.argv[2]), \
    [int(s) for s in sys.argv[3].split(",")], sys.argv[4].split(), sys.argv[5].split()
R = range(1, rounds + 1)


def load(name):
    path = "%s/%s.json" % (out, name)
    return json.load(open(path)) if os.path.exists(path) else None


def stats(xs, best=max):
    xs = [x for x in xs if x == x and x is not None]
    if not xs:
        return None
    return {"med": st.median(xs), "best": best(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


def fmt(s, unit=""):
    if s is None:
        return "-"
    return "%.2f%s (best %.2f, %.2f..%.2f, n=%d)" % (s["med"], unit, s["best"], s["min"], s["max"], s["n"])


def ratio(a, b, key):
    return "%.2f" % (a[key] / b[key]) if a and b and b[key] else "-"


def table(title, per_driver, higher_is_better=True):
    print("\n== %s ==" % title)
    others = [d for d in drivers if d != "ivshmem"]
    hdr = "%6s " % "size" + " ".join("%-44s" % d for d in drivers)
    if "ivshmem" in drivers:
        hdr += " " + " ".join("ivs/%s med,best" % o for o in others)
    print(hdr)
    for i, size in enumerate(sizes):
        row = {d: stats([x[i] if x and i < len(x) else None for x in per_driver[d]],
                        max if higher_is_better else min) for d in drivers}
        line = "%6d " % size + " ".join("%-44s" % fmt(row[d]) for d in drivers)
        if "ivshmem" in drivers:
            for o in others:
                a, b = (row["ivshmem"], row[o]) if higher_is_better else (row[o], row["ivshmem"])
                line += "  %s,%s" % (ratio(a, b, "med"), ratio(a, b, "best"))
        print(line)


if "perf" in parts:
    print("== ivshmem-perf 1-packet RTT (ns; best = lowest round) ==")
    lat = {}
    for d in drivers:
        runs = [load("%s-lat-%d" % (d, r)) for r in R]
        runs = [x["latency"] for x in runs if x]
        lat[d] = {q: stats([x["packet"][q] for x in runs], min) for q in ("p50_ns", "p99_ns")}
        raw = stats([x["raw"]["p50_ns"] for x in runs if "raw" in x], min)
        print("%-8s p50 %s  p99 %s%s" % (d, fmt(lat[d]["p50_ns"]), fmt(lat[d]["p99_ns"]),
              "  raw floor p50 %s" % fmt(raw) if raw else ""))
        if raw and lat[d]["p50_ns"]:
            print("%-8s p50 / raw floor: median %.2fx, best %.2fx" % (
                d, lat[d]["p50_ns"]["med"] / raw["med"], lat[d]["p50_ns"]["best"] / raw["best"]))
    for mode, title in (("tput", "ivshmem-perf one way (Mpps)"), ("bidir", "ivshmem-perf both ways (Mpps)")):
        per = {}
        for d in drivers:
            per[d] = []
            for r in R:
                j = load("%s-%s-%d" % (d, mode, r))
                per[d].append([x["mpps"] for x in j["throughput"]] if j else None)
        table(title, per)
if "testpmd" in parts:
    per = {}
    for d in drivers:
        per[d] = []
        for r in R:
            path = "%s/%s-tp-%d.pps" % (out, d, r)
            vals = [float(v) / 1e6 for v in open(path).read().split()] if os.path.exists(path) else []
            per[d].append(vals if len(vals) == len(sizes) else None)
    table("stock dpdk-testpmd txonly -> rxonly (Mpps)", per)
