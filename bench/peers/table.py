#!/usr/bin/env python3
"""The table of jobq beside its peers, from the raw JSON of one run of ../shared/peers-bench
(bench.py --raw DIR): medians over the runs of each row, jobq's CPU per job (server and workers,
from /proc, as the harness records it), and B as ratios to the peers the targets name.

    python3 bench/peers/table.py /tmp/peers-raw
"""
import glob
import json
import os
import statistics
import sys

# What issue 10's targets compare B with.
BASES = ("bullmq-aof-always", "beanstalkd-binlog-f0", "gearman-mem", "celery-rdb")


def load(raw):
    rows = {}
    for path in sorted(glob.glob(os.path.join(raw, "*.json"))):
        name, _, run = os.path.basename(path)[:-5].rpartition("-")
        if not run.isdigit():
            continue
        with open(path) as f:
            rows.setdefault(name, []).append(json.load(f))
    return rows


def median(runs, phase, field):
    values = [r[phase][field] for r in runs if isinstance(r.get(phase), dict) and r[phase].get(field) is not None]
    return statistics.median(values) if values else None


def per_job_us(runs, phase, field, jobs_field="jobs", samples=False):
    values = []
    for r in runs:
        p = r.get(phase) or {}
        n = p.get("samples" if samples else jobs_field)
        if p.get(field) is not None and n:
            values.append(p[field] / n * 1e6)
    return statistics.median(values) if values else None


def fmt(v, nd=0):
    if v is None:
        return "—"
    return f"{v:,.{nd}f}"


def main():
    raw = sys.argv[1] if len(sys.argv) > 1 else "/tmp/peers-raw"
    rows = load(raw)
    if not rows:
        sys.exit(f"no runs in {raw}")
    b = {name: median(runs, "B", "rate") for name, runs in rows.items()}
    print("| system | runs | A /s | A-bulk /s | B /s | C p50 / p99 ms | jobqd µs/job A / B / C | "
          "workers µs/job B / C | B ÷ " + " / ".join(base for base in BASES if base in b) + " |")
    print("|---|---:|---:|---:|---:|---|---|---|---|")
    for name, runs in rows.items():
        jobq = runs[0].get("peer") == "jobq"
        server = " / ".join(fmt(per_job_us(runs, ph, "server_cpu_s", samples=ph == "C")) for ph in ("A", "B", "C")) \
            if jobq else ""
        workers = " / ".join(fmt(per_job_us(runs, ph, "workers_cpu_s", samples=ph == "C")) for ph in ("B", "C")) \
            if jobq else ""
        ratios = " / ".join(fmt(b[name] / b[base], 2) if b[name] and b[base] else "—"
                            for base in BASES if base in b)
        c = f"{fmt(median(runs, 'C', 'p50_ms'), 2)} / {fmt(median(runs, 'C', 'p99_ms'), 2)}"
        print(f"| {name} | {len(runs)} | {fmt(median(runs, 'A', 'rate'))} | {fmt(median(runs, 'A_bulk', 'rate'))} | "
              f"{fmt(b[name])} | {c} | {server} | {workers} | {ratios} |")


if __name__ == "__main__":
    main()
