#!/usr/bin/python3
"""Summary of scripts/bench-compare.sh: the machine line, then per driver,
size, layout and workload the median, the best round and the spread, and
each net_ivshmem driver's ratios of medians to the other drivers (and to the first net_ivshmem driver, e.g. zero-copy
against copy). Also
writes OUT/summary.tsv (one row per table row, for scripts and tests).
Usage: bench-summary.py OUT ROUNDS SIZES DRIVERS PARTS LAYOUTS WORKLOADS"""
import json
import os
import statistics as st
import sys

out, rounds = sys.argv[1], int(sys.argv[2])
sizes = [int(s) for s in sys.argv[3].split(",")]
drivers, parts = sys.argv[4].split(), sys.argv[5].split()
layouts, workloads = sys.argv[6].split(), sys.argv[7].split()
R = range(1, rounds + 1)
IVS = [d for d in drivers if d.startswith("ivshmem")]
OTHERS = [d for d in drivers if not d.startswith("ivshmem")]
tsv = open(os.path.join(out, "summary.tsv"), "w")
tsv.write("part\tworkload\tlayout\tsize\tdriver\tn\tmedian\tbest\tmin\tmax\tstatus\n")


def read_tsv(name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return []
    return [line.rstrip("\n").split("\t") for line in open(path) if line.strip()]


def load(name):
    path = "%s/%s.json" % (out, name)
    return json.load(open(path)) if os.path.exists(path) else None


def stats(xs, best=max):
    xs = [x for x in xs if x is not None and x == x]
    if not xs:
        return None
    return {"med": st.median(xs), "best": best(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


def fmt(s, digits=2):
    if s is None:
        return "-"
    f = "%%.%df" % digits
    return ("%s (best %s, %s..%s, n=%%d)" % (f, f, f, f)) % (s["med"], s["best"], s["min"], s["max"], s["n"])


failures = read_tsv("failures.tsv")


def failed(driver, part, workload="-", layout="-"):
    """The reasons a cell has no (or fewer) figures: failures of its runs."""
    return sorted({f[5] for f in failures if f[0] == driver and
                   (f[1] == "all" or (f[1] == part and f[2] in (workload, "-")
                                      and f[3] in (layout, "-")))})


def rows(title, part, workload, layout, per, higher_is_better=True):
    """per[driver][size] = list of per-round values; one row per size and driver."""
    print("\n== %s ==" % title)
    print("%6s %-15s %-40s %s" % ("size", "driver", "median (best, min..max, n)",
                                  "ratios of medians" if IVS and len(drivers) > 1 else ""))
    for size in sizes:
        cell = {d: stats(per[d].get(size, []), max if higher_is_better else min) for d in drivers}
        for d in drivers:
            s = cell[d]
            why = failed(d, part, workload, layout)
            status = "ok" if s and s["n"] == rounds else ("failed" if not s else "partial")
            line = "%6d %-15s %-40s" % (size, d, fmt(s) if s else "FAILED")
            if s and d in IVS:
                for o in OTHERS + ([IVS[0]] if d != IVS[0] else []):
                    if cell[o] and cell[o]["med"]:
                        r = s["med"] / cell[o]["med"] if higher_is_better else cell[o]["med"] / s["med"]
                        line += " %s/%s %.2f" % (d, o, r)
            if status != "ok" and why:
                line += "  [%s]" % "; ".join(why)
            print(line)
            vals = [s[k] if s else "" for k in ("n", "med", "best", "min", "max")]
            tsv.write("%s\t%s\t%s\t%d\t%s\t%s\t%s\n" % (
                part, workload, layout, size, d,
                "\t".join("%.4f" % v if isinstance(v, float) else str(v) for v in vals), status))


print(open(os.path.join(out, "machine.txt")).read().strip())
skipped = [f for f in failures if f[1] == "all"]
for f in skipped:
    print("%s: %s" % (f[0], f[5]))
for d, note in read_tsv("notes.tsv"):
    print("%s: %s" % (d, note))

if "perf" in parts:
    print("\n== ivshmem-perf 1-packet RTT (ns; best = lowest round) ==")
    for d in drivers:
        runs = [load("%s-lat-%d" % (d, r)) for r in R]
        runs = [x["latency"] for x in runs if x]
        lat = {q: stats([x["packet"][q] for x in runs], min) for q in ("p50_ns", "p99_ns")}
        raw = stats([x["raw"]["p50_ns"] for x in runs if "raw" in x], min)
        why = failed(d, "perf", "lat")
        print("%-15s p50 %s  p99 %s%s%s" % (d, fmt(lat["p50_ns"], 0), fmt(lat["p99_ns"], 0),
              "  raw floor p50 %s" % fmt(raw, 0) if raw else "", "  [%s]" % "; ".join(why) if why else ""))
        if raw and lat["p50_ns"]:
            print("%-15s p50 / raw floor: median %.2fx, best %.2fx" % (
                d, lat["p50_ns"]["med"] / raw["med"], lat["p50_ns"]["best"] / raw["best"]))
    for mode, title in (("tput", "ivshmem-perf one way (Mpps)"),
                        ("bidir", "ivshmem-perf both ways (Mpps)")):
        per = {d: {} for d in drivers}
        for d in drivers:
            for r in R:
                j = load("%s-%s-%d" % (d, mode, r))
                for x in (j or {}).get("throughput", []):
                    per[d].setdefault(x["size"], []).append(x["mpps"])
        rows(title, "perf", mode, "-", per)

if "testpmd" in parts:
    results = read_tsv("results.tsv")
    for wl in workloads:
        for layout in layouts:
            per = {d: {} for d in drivers}
            for part, w, lay, d, r, size, mpps in results:
                if part == "testpmd" and w == wl and lay == layout and d in per:
                    per[d].setdefault(int(size), []).append(float(mpps))
            what = {"rxonly": "stock dpdk-testpmd txonly -> rxonly",
                    "csum": "ivshmem-fwd txonly --udp-cksum -> stock dpdk-testpmd csum (sw)"}
            rows("%s, layout %s, Mpps at the receiver" % (what.get(wl, wl), layout),
                 "testpmd", wl, layout, per)
tsv.close()
