#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the benchmark guests' '@@BENCH variant round metric value' lines into
bench/results.md and a plot.

Usage: bench_report.py ICOUNT_LOG WALL_LOG RESULTS_MD PLOT_PNG KERNEL_VERSION [CONFIG]

ICOUNT_LOG is the instruction-counted run (primary figures), WALL_LOG the
wall-clock SMP run (secondary; may be missing). Every round measures each
workload once on each build, so each round gives one paired ratio Rust/C
(bench/guest.sh: a pass per build, or PAIRED, each workload on each build
in turn); the table shows
the median of those ratios and their range (min-max). C and Rust columns
are medians over rounds of the instruction-counted run."""
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
from collections import defaultdict

LOWER_IS_BETTER = ("latency", "bytes", "_kb", "cpu_us", "ctxsw")
# Rust holds at most event_queue_limit (65,536) queued events for a stalled
# subscriber, ~4.3 MiB (server.rst); anything below 8 MiB is bounded.
STALLED_BOUND_KB = 8 * 1024


def parse(log):
    """{metric: {variant: {round: value}}}, {workload: [seconds]}, guest
    seconds, guest clocksource, CPUs online in the guest."""
    data = defaultdict(lambda: defaultdict(dict))
    times = defaultdict(list)
    guest = clock = cpus = None
    if not log or not os.path.exists(log):
        return data, times, guest, clock, cpus
    for line in open(log, errors="replace"):
        m = re.match(r"^@@BENCH (\S+) (\d+) (\S+) (\S+)", line)
        if m:
            data[m.group(3)][m.group(1)][int(m.group(2))] = float(m.group(4))
        m = re.match(r"^@@BENCHTIME (\S+) (\d+) (\S+) (\S+)", line)
        if m:
            times[m.group(3)].append(float(m.group(4)))
        m = re.match(r"^@@BENCH-GUEST-SECONDS (\d+)", line)
        if m:
            guest = int(m.group(1))
        m = re.match(r"^@@BENCH-CLOCKSOURCE (\S+)", line)
        if m:
            clock = m.group(1)
        m = re.match(r"^@@BENCH-CPUS (\d+)", line)
        if m:
            cpus = int(m.group(1))
    return data, times, guest, clock, cpus


def natural(s):
    """Sort key: 'subs8' before 'subs64'."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)]


def med(v):
    return statistics.median(v) if v else float("nan")


class Mode:
    """The figures of one guest run."""

    def __init__(self, log):
        self.data, self.times, self.guest, self.clock, self.cpus = parse(log)

    def values(self, metric, variant):
        return list(self.data.get(metric, {}).get(variant, {}).values())

    def median(self, metric, variant):
        return med(self.values(metric, variant))

    def ratios(self, metric):
        """Per-round paired ratios Rust/C."""
        d = self.data.get(metric, {})
        c, r = d.get("c", {}), d.get("rust", {})
        return [r[k] / c[k] for k in sorted(c) if k in r and c[k]]

    def ratio(self, metric):
        return med(self.ratios(metric))


def fmt(v):
    if v != v:
        return "-"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3f}"


def fmt_ratio(mode, metric):
    rs = mode.ratios(metric)
    if not rs:
        return "-"
    if len(rs) == 1:
        return f"{rs[0]:.3f}"
    return f"{med(rs):.3f} ({min(rs):.3f}-{max(rs):.3f})"


def main():
    icount_log, wall_log, md, png, kver = sys.argv[1:6]
    config = sys.argv[6] if len(sys.argv) > 6 else "plain"
    ic, wall = Mode(icount_log), Mode(wall_log)
    if not ic.data:
        sys.exit("bench: no figures in " + icount_log)

    stalled = next((m for m in ic.data if m.startswith("stalled_subscriber_kb")), None)

    def at_least(g):
        return lambda m: ic.ratio(m) >= g, lambda m: wall.ratio(m) >= 1.0

    def at_most_c(m):
        return ic.ratio(m) <= 1.0

    def events1(m):
        own = ic.median("publisher_events_per_s.subs0", "rust")
        return ic.ratio(m) >= 1.10 or ic.median(m, "rust") >= 0.95 * own

    # (metric, what, goal text, instruction-counted test, wall-clock test or None)
    goals = [
        ("delivered_events_per_s.subs8", "fan-out, 8 subscribers: events/s delivered",
         ">= 1.25", *at_least(1.25)),
        ("delivered_events_per_s.subs64", "fan-out, 64 subscribers: events/s delivered",
         ">= 1.25", *at_least(1.25)),
        ("delivered_events_per_s.subs1", "events, 1 subscriber: events/s delivered",
         ">= 1.10, or Rust >= 95% of the publisher's own rate", events1,
         lambda m: wall.ratio(m) >= 1.0),
        ("subscriptions_per_s.conns1", "subscriptions/s, 1 connection", ">= 1.10",
         *at_least(1.10)),
        ("subscriptions_per_s.conns100", "subscriptions/s, 100 connections", ">= 1.10",
         *at_least(1.10)),
        ("bytes_per_subscription", "kernel memory per subscription (bytes)", "<= 1.00",
         at_most_c, None),
        ("latency_us.p50", "latency bind -> event, p50 (µs)", "<= 1.00", at_most_c,
         lambda m: wall.ratio(m) <= 1.0),
        ("latency_us.p99", "latency bind -> event, p99 (µs)", "<= 1.00", at_most_c,
         lambda m: wall.ratio(m) <= 1.0),
    ]
    if stalled:
        goals.append((stalled, "memory held for a stalled subscriber (kB)",
                      f"Rust bounded (< {STALLED_BOUND_KB // 1024} MiB)",
                      lambda m: ic.median(m, "rust") < STALLED_BOUND_KB, None))

    rounds = max(len(v) for d in ic.data.values() for v in d.values())
    wrounds = max((len(v) for d in wall.data.values() for v in d.values()), default=0)
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
                         capture_output=True, text=True).stdout.strip()
    shortest = min((min(v) for k, v in ic.times.items()), default=float("nan"))
    wshortest = min((min(v) for k, v in wall.times.items()), default=float("nan"))
    took = os.environ.get("BENCH_SECONDS")
    cfg_text = {
        "plain": "the plain kernel (tinyconfig + configs/base.fragment: SLUB_TINY, -Os)",
        "distro": "the distribution-like kernel (configs/distro.fragment: SLUB, -O2, "
                  "Rust overflow checks)",
    }.get(config, config)

    lines = [
        "# Benchmarks: Rust topology server against upstream's C server",
        "",
        f"Run {datetime.date.today()} on Linux {kver}, {cfg_text}, in QEMU TCG, "
        f"host {platform.node()} ({cpu}, {subprocess.getoutput('nproc')} cores)"
        + (f"; `make bench` took {int(took) // 60} min {int(took) % 60} s" if took else "")
        + ".",
        "",
        "Method (bench/analysis.md):",
        "",
        f"- **Primary: instruction-counted** (`-icount shift=0,sleep=off`, one vCPU, guest "
        f"time counts executed instructions, so host load drops out): {rounds} "
        f"rounds, {ic.guest or '?'} s of guest time, clocksource {ic.clock}. **Secondary: wall "
        f"clock**, SMP (2 vCPUs on 2 host threads, host load included): {wrounds} rounds"
        + (f", {wall.guest} s, clocksource {wall.clock}" if wall.guest else "") + "."
        + f" CPUs online in the guests: {ic.cpus or '?'} instruction-counted, "
        f"{wall.cpus or '?'} wall clock."
        + (" **The wall-clock guest had fewer than 2 CPUs: it is not an SMP figure.**"
           if wall.guest and (wall.cpus or 0) < 2 else "")
        + (" **A guest timed with jiffies (4 ms steps): its latencies mean nothing.**"
           if "jiffies" in f"{ic.clock}{wall.clock}" else ""),
        "- Instruction-counted, each round is one pass per build, ordered C Rust | Rust C | ... "
        "(ABBA). A pass loads `tipc.ko`, runs every timed workload once as a discarded warm-up, "
        "then measures each "
        f"for at least 2 s of guest time (shortest measured: {shortest:.2f} s instruction-counted, "
        f"{wshortest:.2f} s wall clock), then the memory figures. Wall clock, a round takes "
        "each workload in turn and runs it on each build in the same ABBA order, each time on "
        "a freshly loaded `tipc.ko` after its own warm-up, so that the two figures of a pair "
        "are seconds apart rather than a pass.",
        "- **Rust/C** is the median of the per-round paired ratios (Rust and C of the same "
        "round), with their range (min-max) in parentheses. C and Rust are medians over "
        "rounds of the instruction-counted run.",
        "- Synchronisation uses a pre-bound name: a subscription on it is answered at once, "
        "so no figure waits for a timer tick.",
        "- Cost: guest CPU time (all CPUs, every non-idle state) and context switches, from "
        "`/proc/stat` deltas around each timed workload, per delivered event or per "
        "subscription.",
        "- A goal is MET when the instruction-counted ratio meets it and, for rates and "
        "latencies, the wall-clock median ratio is on the same side of 1.00 (>= 1.00 for "
        "rates, <= 1.00 for latencies).",
        "",
        "## Goals (issue 13)",
        "",
        "| figure | goal Rust/C | C | Rust | Rust/C instr.-counted | Rust/C wall clock | status |",
        "|---|---|---|---|---|---|---|",
    ]
    done = set()
    for metric, what, goal, test, wtest in goals:
        if metric not in ic.data:
            continue
        done.add(metric)
        ok = test(metric) and (wtest is None or not wall.data or wtest(metric))
        status = "MET" if ok else "MISSED"
        if metric == "delivered_events_per_s.subs1":
            own = ic.median("publisher_events_per_s.subs0", "rust")
            goal += f" (Rust: {ic.median(metric, 'rust') / own:.0%} of it)"
        lines.append(f"| {what} | {goal} | {fmt(ic.median(metric, 'c'))} | "
                     f"{fmt(ic.median(metric, 'rust'))} | {fmt_ratio(ic, metric)} | "
                     f"{fmt_ratio(wall, metric)} | {status} |")

    lines.extend(["", "Per-round paired ratios Rust/C, round 1 first (odd rounds ran C first, "
                  "even rounds Rust first):", "",
                  "| figure | instruction-counted | wall clock |", "|---|---|---|"])
    for metric, what, *_ in goals:
        if metric in ic.data:
            per = [" ".join(f"{x:.3f}" for x in m.ratios(metric)) or "-" for m in (ic, wall)]
            lines.append(f"| {what} | {per[0]} | {per[1]} |")

    def table(title, pick, note=""):
        ms = [m for m in sorted(ic.data, key=natural) if m not in done and pick(m)]
        if not ms:
            return
        lines.extend(["", f"## {title}", ""])
        if note:
            lines.extend([note, ""])
        lines.append("| figure | C | Rust | Rust/C instr.-counted | Rust/C wall clock |")
        lines.append("|---|---|---|---|---|")
        for m in ms:
            done.add(m)
            name = m + (" ↓" if any(k in m for k in LOWER_IS_BETTER) else "")
            lines.append(f"| {name} | {fmt(ic.median(m, 'c'))} | {fmt(ic.median(m, 'rust'))} | "
                         f"{fmt_ratio(ic, m)} | {fmt_ratio(wall, m)} |")

    table("Cost per event and per subscription",
          lambda m: m.startswith(("cpu_us", "ctxsw")),
          "Guest CPU microseconds (summed over CPUs) and context switches per delivered event "
          "(`subsN`: N subscribers, so N deliveries per published event; `subs0`: per "
          "published event, no subscriber) or per subscription (`connsN`). Lower is better.")
    table("Other figures", lambda m: True,
          "Context: the publisher's bind/unbind rate with N subscribers (subs0: alone), "
          "the slowest latency sample, memory per event queued for a stalled subscriber. "
          "↓: lower is better.")
    lines += ["", f"![events/s and CPU per event against subscribers, both servers]"
              f"({os.path.basename(png)})", ""]
    text = "\n".join(lines)
    print(text)
    open(md, "w").write(text)
    plot(ic, wall, png, kver, config)


def plot(ic, wall, png, kver, config):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    subs = sorted({int(m.group(1)) for k in ic.data
                   for m in [re.match(r"delivered_events_per_s\.subs(\d+)", k)] if m})
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.2))
    colors = {"c": "tab:blue", "rust": "tab:orange"}
    for variant, label in (("c", "C (topsrv.c)"), ("rust", "Rust")):
        for mode, style, tag in ((ic, "-", "instr.-counted"), (wall, "--", "wall clock")):
            if not mode.data:
                continue
            for axis, key in ((ax, "delivered_events_per_s.subs"), (bx, "cpu_us_per_event.subs")):
                vals = [mode.values(f"{key}{n}", variant) for n in subs]
                ys = [med(v) for v in vals]
                lo = [y - min(v) if v else 0 for y, v in zip(ys, vals)]
                hi = [max(v) - y if v else 0 for y, v in zip(ys, vals)]
                axis.errorbar(subs, ys, yerr=[lo, hi], marker="o", linestyle=style,
                              color=colors[variant], capsize=3, label=f"{label}, {tag}")
    for axis in (ax, bx):
        axis.set_xscale("log", base=2)
        axis.set_xticks(subs, [str(n) for n in subs])
        axis.set_xlabel("subscribers on the same type")
        axis.grid(True, alpha=0.3)
    ax.set_ylabel("events delivered per second (all subscribers)")
    ax.set_title("Delivery rate (higher is better)")
    bx.set_ylabel("guest CPU µs per delivered event")
    bx.set_title("Cost (lower is better)")
    ax.legend(fontsize=7)
    fig.suptitle(f"Topology events, Linux {kver.split()[0]} ({config}), QEMU TCG; "
                 "bars: min-max over rounds")
    fig.tight_layout()
    fig.savefig(png, dpi=100)


if __name__ == "__main__":
    main()
