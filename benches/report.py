#!/usr/bin/env python3
"""Prints one Markdown table of medians and ratios (Spindle / peer) from criterion's output.

Reads <target>/criterion/<group>/<bench>/new/{estimates,benchmark}.json, plus the delivery
records and the thread-scaling results the benches write beside them. <target> is
$CARGO_TARGET_DIR, else the workspace's target/ (or pass the criterion directory as argv[1]).

    cargo bench -p spindle-benches && python3 benches/report.py
"""
import json
import os
import sys
from pathlib import Path

OURS = "spindle"
# What Spindle's number in each group is compared with, and the target ratio (ours / that).
TARGETS = {
    ("pair_sampled", "fastrace"): 0.25,
    ("pair_sampled", "opentelemetry_sdk"): 0.25,
    ("pair_sampled", "floor/pair_floor"): 2.5,
    ("pair_unsampled", "fastrace"): 0.5,
    ("root_99_children", "fastrace"): 0.5,
}
GROUP_ORDER = ["pair_sampled", "pair_unsampled", "root_99_children", "floor", "propagation", "encode"]


def criterion_dir():
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    target = os.environ.get("CARGO_TARGET_DIR")
    root = Path(__file__).resolve().parent.parent
    return Path(target) / "criterion" if target else root / "target" / "criterion"


def load(crit):
    """{group: {bench: (median_ns, elements or None)}}"""
    out = {}
    for est in sorted(crit.glob("*/*/new/estimates.json")):
        bench_dir = est.parent.parent
        group, bench = bench_dir.parent.name, bench_dir.name
        median = json.loads(est.read_text())["median"]["point_estimate"]
        elements = None
        meta = est.parent / "benchmark.json"
        if meta.exists():
            throughput = json.loads(meta.read_text()).get("throughput") or {}
            elements = throughput.get("Elements")
        out.setdefault(group, {})[bench] = (median, elements)
    return out


def fmt_time(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.1f} ns"


def delivery(crit, group, bench):
    f = crit / "delivery" / f"{group}__{bench}.json"
    if not f.exists():
        return ""
    d = json.loads(f.read_text())
    if d["created"] == 0:
        return f"{d['delivered']} of 0 (unsampled)"
    return f"{100.0 * d['delivered'] / d['created']:.2f}% of {d['created']:,}"


def main():
    crit = criterion_dir()
    data = load(crit)
    if not data:
        sys.exit(f"no criterion results under {crit}")
    floor = data.get("floor", {}).get("pair_floor", (None,))[0]
    rows = []
    groups = sorted(data, key=lambda g: (GROUP_ORDER.index(g) if g in GROUP_ORDER else 99, g))
    for group in groups:
        benches = data[group]
        ours = benches.get(OURS, (None,))[0]
        order = sorted(benches, key=lambda b: (b != OURS, benches[b][0]))
        for bench in order:
            median, elements = benches[bench]
            per = ""
            if elements:
                per_ns = median / elements
                per = f"{fmt_time(per_ns)} ({1e9 / per_ns / 1e6:.2f} M/s)"
            ratio, target = "", ""
            if group == "encode" and elements:
                rate = elements * 1e9 / median
                target = f"≥ 1 M/s {'met' if rate >= 1e6 else 'MISSED'}"
            if ours is not None and bench != OURS:
                r = ours / median
                ratio = f"{r:.2f}x"
                t = TARGETS.get((group, bench))
                if t is not None:
                    target = f"≤ {t}x {'met' if r <= t else 'MISSED'}"
            rows.append((group, bench, fmt_time(median), per, ratio, target, delivery(crit, group, bench)))
        if group == "pair_sampled" and ours is not None and floor:
            r = ours / floor
            t = TARGETS[("pair_sampled", "floor/pair_floor")]
            rows.append((group, "(floor/pair_floor)", fmt_time(floor), "", f"{r:.2f}x",
                         f"≤ {t}x {'met' if r <= t else 'MISSED'}", ""))
    print("| group | benchmark | median | per span / element | spindle ÷ this | target | delivered |")
    print("| --- | --- | ---: | ---: | ---: | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")

    threads = sorted((crit / "threads").glob("*.json")) if (crit / "threads").exists() else []
    if threads:
        print()
        print("| producers | tracer | created spans/s | delivered spans/s | delivered | 2 threads ÷ 1 (delivered/s) |")
        print("| --- | --- | ---: | ---: | ---: | ---: |")
        results = {}
        for f in threads:
            d = json.loads(f.read_text())
            tracer = d["name"].split("/")[1]
            results[(tracer, d["threads"])] = d
        for (tracer, n), d in sorted(results.items()):
            rate = d["delivered"] / d["seconds"]
            scaling = ""
            one = results.get((tracer, 1))
            if n == 2 and one:
                s = rate / (one["delivered"] / one["seconds"])
                scaling = f"{s:.2f}x" + (" (≥ 1.7x " + ("met" if s >= 1.7 else "MISSED") + ")" if tracer == OURS else "")
            print(f"| {n} | {tracer} | {d['created'] / d['seconds'] / 1e6:.2f} M | {rate / 1e6:.2f} M "
                  f"| {100.0 * d['delivered'] / max(d['created'], 1):.1f}% | {scaling} |")

    process_tables(crit)
    rounds_tables(crit)


# Targets checked in every round of the rounds tables: (group, peer) -> most Spindle / peer.
ROUND_TARGETS = {
    ("pair_sampled", "fastrace"): 0.25,
    ("pair_sampled", "opentelemetry_sdk"): 0.25,
    ("pair_sampled", "floor/pair_floor_tsc"): 2.5,
    ("pair_unsampled", "fastrace"): 0.5,
    ("root_99_children", "fastrace"): 0.5,
}
# Groups whose rows are per span (the median ÷ spans per iteration is shown too).
PER_SPAN = {"root_99_children": 100, "pair_sampled": 2, "pair_unsampled": 2}


def median(values):
    values = sorted(values)
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


def load_rounds(folder):
    """{round: {(group, bench): median_ns}} and {round: [load averages]} of one label."""
    medians, loads = {}, {}
    for round_dir in sorted(folder.iterdir(), key=lambda p: int(p.name)) if folder.exists() else []:
        r = int(round_dir.name)
        for f in round_dir.glob("*.json"):
            group, bench = f.stem.split("__", 1)
            medians.setdefault(r, {})[(group, bench)] = json.loads(f.read_text())["median"]["point_estimate"]
        loads[r] = [float(t.read_text().split()[0]) for t in round_dir.glob("load__*.txt")]
    return medians, loads


def rounds_tables(crit):
    """hot_path rounds (each tracer its own process): every round's median, the median of the
    rounds, and Spindle's ratio to each peer in every round; then the threads rounds."""
    base = crit / "rounds" / "hot_path"
    for label in ["idle", "loaded"]:
        medians, loads = load_rounds(base / label)
        if not medians:
            continue
        rounds = sorted(medians)
        all_loads = [x for r in rounds for x in loads.get(r, [])]
        print()
        print(f"hot_path, {label}{' (one CPU-bound thread per core competing)' if label == 'loaded' else ''}: "
              f"{len(rounds)} rounds, each tracer in its own process, 1-minute load average "
              f"{min(all_loads, default=0):.2f}-{max(all_loads, default=0):.2f} before each child")
        print()
        print("| group | benchmark | " + " | ".join(f"round {r}" for r in rounds)
              + " | median | spindle ÷ this, per round | target (every round) |")
        print("| --- | --- | " + " | ".join("---:" for _ in rounds) + " | ---: | --- | --- |")
        keys = sorted({k for r in rounds for k in medians[r]},
                      key=lambda k: (GROUP_ORDER.index(k[0]) if k[0] in GROUP_ORDER else 99,
                                     not k[1].startswith(OURS), k[1]))
        for group, bench in keys:
            values = [medians[r].get((group, bench)) for r in rounds]
            present = [v for v in values if v is not None]
            cells = [fmt_time(v) if v is not None else "" for v in values]
            ratios, target = [], ""
            floor_key = ("floor", "pair_floor_tsc")
            if bench != OURS:
                for r in rounds:
                    ours, theirs = medians[r].get((group, OURS)), medians[r].get((group, bench))
                    if ours and theirs:
                        ratios.append(ours / theirs)
            t = ROUND_TARGETS.get((group, bench))
            if t is not None and ratios:
                target = f"≤ {t}x {'met' if max(ratios) <= t else 'MISSED'} (worst {max(ratios):.2f}x)"
            per = f" ({fmt_time(median(present) / PER_SPAN[group])}/span)" if group in PER_SPAN else ""
            print(f"| {group} | {bench} | " + " | ".join(cells) + f" | {fmt_time(median(present))}{per} | "
                  + ", ".join(f"{x:.2f}x" for x in ratios) + f" | {target} |")
            if group == "pair_sampled" and bench == OURS:
                floor_ratios = [medians[r][(group, OURS)] / medians[r][floor_key]
                                for r in rounds if floor_key in medians[r] and (group, OURS) in medians[r]]
                if floor_ratios:
                    t = ROUND_TARGETS[("pair_sampled", "floor/pair_floor_tsc")]
                    floors = [medians[r][floor_key] for r in rounds if floor_key in medians[r]]
                    print(f"| {group} | (floor/pair_floor_tsc) | " + " | ".join("" for _ in rounds)
                          + f" | {fmt_time(median(floors))} | " + ", ".join(f"{x:.2f}x" for x in floor_ratios)
                          + f" | ≤ {t}x {'met' if max(floor_ratios) <= t else 'MISSED'} (worst {max(floor_ratios):.2f}x) |")
    threads_rounds(crit)


def threads_rounds(crit):
    base = crit / "threads" / "rounds"
    if not base.exists():
        return
    runs = {}
    for round_dir in sorted(base.iterdir(), key=lambda p: int(p.name)):
        for f in round_dir.glob("*.json"):
            d = json.loads(f.read_text())
            tracer = d["name"].split("/")[1]
            runs.setdefault(tracer, {}).setdefault(int(round_dir.name), {})[d["threads"]] = d
    print()
    print("threads, each case in its own process (delivered spans/s; 2 threads ÷ 1 per round):")
    print()
    print("| tracer | round | load | 1 thread delivered/s (of created) | 2 threads delivered/s (of created) | counted drops (2) "
          "| producer CPU per span, 1 / 2 threads | process CPU per span, 1 / 2 | 2 ÷ 1 |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for tracer in sorted(runs, key=lambda t: t != OURS):
        scalings = []
        for r, by_threads in sorted(runs[tracer].items()):
            one, two = by_threads.get(1), by_threads.get(2)
            if not one or not two:
                continue
            rate = lambda d: d["delivered"] / d["seconds"]
            share = lambda d: f"{rate(d) / 1e6:.2f} M ({100.0 * d['delivered'] / max(d['created'], 1):.1f}%)"
            s = rate(two) / rate(one)
            scalings.append(s)
            counted = two.get("counted_drops")
            cpu = lambda d, key: fmt_time(d[key] / max(d["created"], 1)) if key in d else ""
            print(f"| {tracer} | {r} | {one.get('load', '').split(' ')[0]}, {two.get('load', '').split(' ')[0]} "
                  f"| {share(one)} | {share(two)} | {'not counted' if counted is None else f'{counted:,}'} "
                  f"| {cpu(one, 'producer_cpu_ns')} / {cpu(two, 'producer_cpu_ns')} "
                  f"| {cpu(one, 'process_cpu_ns')} / {cpu(two, 'process_cpu_ns')} | {s:.2f}x |")
        if scalings:
            mark = f" (≥ 1.7x {'met' if median(scalings) >= 1.7 else 'MISSED'}; worst {min(scalings):.2f}x)" if tracer == OURS else ""
            print(f"| {tracer} | median | | | | | | | {median(scalings):.2f}x{mark} |")


def process_tables(crit):
    """The whole-process runs of benches/process.rs: paced CPU per pair, and saturation."""
    runs = {}
    for f in sorted((crit / "process").glob("*.json")) if (crit / "process").exists() else []:
        d = json.loads(f.read_text())
        runs[(d["mode"], d["tracer"])] = d
    none = runs.get(("paced", "none"))
    paced = {t: d for (m, t), d in runs.items() if m == "paced" and t != "none"}
    if paced and none:
        cpu = {t: (d["cpu_ns"] - none["cpu_ns"]) / d["pairs"] for t, d in paced.items()}
        ours = cpu.get(OURS)
        print()
        print(f"Paced load ({none['pairs'] / none['seconds']:,.0f} pairs/s for {none['seconds']:.0f} s), "
              f"Zipkin JSON encoding included; CPU of the whole process per pair, less the "
              f"{none['cpu_ns'] / none['pairs']:.0f} ns of the same loop with no tracer:")
        print()
        print("| tracer | CPU per pair | delivered | spindle ÷ this | target |")
        print("| --- | ---: | ---: | ---: | --- |")
        for tracer in sorted(cpu, key=lambda t: (t != OURS, cpu[t])):
            d = paced[tracer]
            ratio, target = "", ""
            if ours is not None and tracer != OURS:
                r = ours / cpu[tracer]
                ratio, target = f"{r:.2f}x", f"≤ 0.3x {'met' if r <= 0.3 else 'MISSED'}"
            print(f"| {tracer} | {fmt_time(cpu[tracer])} | {100.0 * d['delivered'] / max(d['created'], 1):.1f}% "
                  f"| {ratio} | {target} |")
    saturated = {t: d for (m, t), d in runs.items() if m == "saturation"}
    if saturated:
        print()
        print("Saturation (one thread flat out, counting exporter, queues of 65,536 where sizable):")
        print()
        print("| tracer | seconds | created/s | delivered/s | delivered | counted drops | lost uncounted | peak RSS growth |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for tracer, d in sorted(saturated.items(), key=lambda kv: kv[0] != OURS):
            secs, created, delivered = d["seconds"], d["created"], d["delivered"]
            counted = d["counted_drops"]
            uncounted = created - delivered - (counted or 0)
            growth = (d["rss_peak_kib"] - d["rss_start_kib"]) / 1024
            mark = f" (≤ 64 MB {'met' if growth <= 64 else 'MISSED'})" if tracer == OURS else ""
            print(f"| {tracer} | {secs:.1f} | {created / secs / 1e6:.2f} M | {delivered / secs / 1e6:.2f} M "
                  f"| {100.0 * delivered / max(created, 1):.1f}% | {'not counted' if counted is None else f'{counted:,}'} "
                  f"| {uncounted:,} | {growth:.1f} MB{mark} |")


if __name__ == "__main__":
    main()
