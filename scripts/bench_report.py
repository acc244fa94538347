#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn '@@BENCH variant round metric value' lines into a table and a plot.

Usage: bench_report.py OUTPUT_LOG RESULTS_MD PLOT_PNG KERNEL_VERSION
For each metric: median of C, of Rust, Rust/C, the spread over rounds
(min-max as % of the median), and the noise floor C2/C (the C build run
twice in the same round)."""
import datetime
import platform
import re
import statistics
import subprocess
import sys
from collections import defaultdict

LOWER_IS_BETTER = ("latency", "bytes", "_kb")


def main():
    log, md, png, kver = sys.argv[1:5]
    data = defaultdict(lambda: defaultdict(list))
    for line in open(log, errors="replace"):
        m = re.match(r"^@@BENCH (\S+) (\d+) (\S+) (\S+)", line)
        if m:
            data[m.group(3)][m.group(1)].append(float(m.group(4)))
    if not data:
        sys.exit("bench: no figures in " + log)

    def med(v):
        return statistics.median(v) if v else float("nan")

    def spread(v):
        return 100 * (max(v) - min(v)) / med(v) if v and med(v) else float("nan")

    def goal(metric, c, r):
        """The issue's goal for this figure: 'met', 'MISSED' or '' (none)."""
        m = re.match(r"delivered_events_per_s\.subs(\d+)", metric)
        if m:
            n = int(m.group(1))
            pub = med(data[f"publisher_events_per_s.subs{n}"]["c"])
            # Per subscriber against the publisher's own rate.
            if c / n >= 0.75 * pub:
                return "met" if r / n >= 0.95 * pub else "MISSED"
            return "met" if r >= 1.25 * c else "MISSED"
        if metric.startswith("subscriptions_per_s"):
            return "met" if r >= 1.25 * c else "MISSED"
        if metric == "latency_us.p99":
            return "met" if r <= c else "MISSED"
        if metric.startswith("stalled_subscriber_kb"):
            # Bounded: far below what the default queue limit allows (7 MiB).
            return "met" if r < 7 * 1024 else "MISSED"
        return ""

    rows = []
    for metric in sorted(data):
        d = data[metric]
        c, r, c2 = med(d["c"]), med(d["rust"]), med(d["c2"])
        rows.append((metric, c, spread(d["c"]), r, spread(d["rust"]),
                     r / c if c else float("nan"), c2 / c if c else float("nan"),
                     any(k in metric for k in LOWER_IS_BETTER), goal(metric, c, r)))
    rounds = max(len(v) for d in data.values() for v in d.values())
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
                         capture_output=True, text=True).stdout.strip()
    head = ["metric", "C", "spread", "Rust", "spread", "Rust/C", "noise C/C", "goal"]
    lines = [
        "# Benchmarks: Rust topology server against upstream's C server",
        "",
        f"Run {datetime.date.today()} on Linux {kver}, plain kernel, QEMU TCG (2 vCPUs) on "
        f"{platform.node()} ({cpu}, {subprocess.getoutput('nproc')} cores). "
        f"{rounds} rounds, order alternated, medians; spread is (max-min)/median over rounds; "
        "'noise C/C' is the C build measured twice in the same round. "
        "Lower is better for latency and memory (marked ↓), higher for rates. "
        "'goal' is the project's target (issue: Rust >= 1.25x C on throughput and subscription "
        "rate, or >= 95% of the publisher's rate per subscriber where C is within 25% of it; "
        "p99 latency <= C; bounded memory for a stalled subscriber).",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for metric, c, cs, r, rs, ratio, noise, low, g in rows:
        name = metric + (" ↓" if low else "")
        lines.append(f"| {name} | {c:,.1f} | {cs:.0f}% | {r:,.1f} | {rs:.0f}% | {ratio:.2f} | {noise:.2f} | {g} |")
    lines += ["", "![events/s against subscribers](fanout.png)", ""]
    text = "\n".join(lines)
    print(text)
    open(md, "w").write(text)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    subs = sorted({int(m.group(1)) for k in data
                   for m in [re.match(r"delivered_events_per_s\.subs(\d+)", k)] if m})
    fig, ax = plt.subplots(figsize=(6, 4))
    for variant, label in (("c", "C (topsrv.c)"), ("rust", "Rust")):
        ys = [med(data[f"delivered_events_per_s.subs{n}"][variant]) for n in subs]
        ax.plot(subs, ys, marker="o", label=label)
    pub = [med(data[f"publisher_events_per_s.subs{n}"]["c"]) for n in subs]
    ax.plot(subs, pub, linestyle=":", color="gray", label="publisher rate (C run)")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("subscribers on the same type")
    ax.set_ylabel("events delivered per second (all subscribers)")
    ax.set_title(f"Topology events, Linux {kver.split()[0]}, QEMU TCG")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=100)


if __name__ == "__main__":
    main()
