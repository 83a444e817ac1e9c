#!/usr/bin/env python3
"""The conditional-computation sweep of docs/conditional.md: one row per grid point (mean ± std over seeds).

usage: conditional_table.py [--url URL] (--submit SPEC.yaml | EXPERIMENT_ID)
  --submit  submits the spec, waits for every run and its evaluation, then prints the tables
The token: $SPARSELAB_TOKEN or .sparselab/admin-token (see lab.py). URL default http://localhost:8080.
"""
import argparse
import statistics
import sys
import time

from lab import client


def fmt(values, digits=3):
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.mean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def label(point):
    d = point.get("dataset", {})
    m = point.get("model", {})
    ffn = m.get("ffn", {}).get("kind", "dense")
    att = m.get("attention", {}).get("pattern", "dense")
    return d.get("name", "?"), ffn, att, m.get("context", 64)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://localhost:8080")
    ap.add_argument("--submit")
    ap.add_argument("experiment", nargs="?")
    a = ap.parse_args()
    lab = client(a.url)
    exp_id = a.experiment
    if a.submit:
        exp_id = lab.submit(a.submit)["id"]
        print(f"experiment {exp_id}", file=sys.stderr)
    started = time.time()
    lab.wait(exp_id, interval=10, progress=lambda runs: print(
        f"\r{sum(r['status'] in ('SUCCEEDED', 'FAILED', 'CANCELLED') for r in runs)}/{len(runs)} runs ended, "
        f"{time.time() - started:.0f} s", end="", file=sys.stderr))
    print(file=sys.stderr)
    exp = lab.experiment(exp_id)
    runs = {r["id"]: r for r in exp["runs"]}
    rows = []
    for group in exp["groups"]:
        done = [runs[i] for i in group["runs"] if runs[i]["status"] == "SUCCEEDED" and runs[i].get("evaluation")]
        if not done:
            print(f"no finished runs at {group['gridPoint']}", file=sys.stderr)
            continue
        details = [lab.show(r["id"]) for r in done]
        rows.append((label(group["gridPoint"]), done, details))
    print(f"experiment `{exp_id}`; {len(runs)} runs\n")
    print("| data | ffn | attention | context | seeds | test accuracy | bits/char | active params/token | total params "
          "| attention density | FLOPs/token routed / dense | max load / mean | dropped | latency b32 ms routed / dense "
          "| train s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (data, ffn, att, ctx), done, details in sorted(rows, key=lambda r: r[0]):
        ev = [r["evaluation"] for r in done]
        cond = [e["conditional"] for e in ev]
        lat = [d["evaluation"]["latency"][-1] for d in details]
        imb = [max(b["imbalance"] for b in c["blocks"]) if c["blocks"] else None for c in cond]
        drop = [max(b["droppedFraction"] for b in c["blocks"]) if c["blocks"] else None for c in cond]
        print(f"| {data} | {ffn} | {att} | {ctx} | {len(done)} | {fmt([e['testAccuracy'] for e in ev])} "
              f"| {fmt([c.get('bitsPerCharacter') for c in cond])} "
              f"| {cond[0]['activeParameters']:,} | {cond[0]['totalParameters']:,} "
              f"| {fmt([c.get('attentionDensity') for c in cond], 3)} "
              f"| {cond[0]['sparseFlops']:,} / {cond[0]['denseFlops']:,} | {fmt(imb, 2)} | {fmt(drop, 3)} "
              f"| {fmt([l['sparseMs'] for l in lat], 1)} / {fmt([l['denseMs'] for l in lat], 1)} "
              f"| {fmt([d['provenance']['trainMillis'] / 1000 for d in details], 0)} |")


if __name__ == "__main__":
    main()
