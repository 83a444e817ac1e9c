#!/usr/bin/env python3
"""Prints a markdown table of one sweep: one row per grid point, mean ± std over seeds.

usage: methods_table.py BASE_URL EXPERIMENT_ID   (through clients/python; the token: $SPARSELAB_TOKEN or .sparselab/admin-token)
"""
import statistics
import sys

from lab import client



def main():
    base, exp_id = sys.argv[1].rstrip('/'), sys.argv[2]
    lab = client(base)
    exp = lab.experiment(exp_id)
    runs = {r["id"]: r for r in exp["runs"]}
    print("| grid point | runs | test accuracy (mean ± std) | weight sparsity: sparsified layers / all weights (mean) "
          "| activation sparsity (mean) | train time s (mean) |")
    print("|---|---|---|---|---|---|")
    for group in exp["groups"]:
        point = ", ".join(f"{k}={v}" for k, v in group["gridPoint"].items()) or "(base)"
        done = [runs[i] for i in group["runs"] if runs[i]["status"] == "SUCCEEDED"]
        failed = [runs[i] for i in group["runs"] if runs[i]["status"] == "FAILED"]
        if not done:
            reasons = "; ".join(sorted({r.get("reason") or "" for r in failed}))
            print(f"| {point} | 0/{len(group['runs'])} | — | — | — | — | {reasons}")
            continue
        acc = [r["evaluation"]["testAccuracy"] for r in done]
        sp = [r["evaluation"]["sparsity"] for r in done]
        sp_all = [r["evaluation"].get("allWeights", {}).get("sparsity", r["evaluation"]["sparsity"]) for r in done]
        details = [lab.show(r['id']) for r in done]
        secs = [d["provenance"]["trainMillis"] / 1000 for d in details]
        acts = [statistics.mean(a["sparsity"] for a in d["evaluation"]["activations"])
                for d in details if d["evaluation"].get("activations")]
        act = f"{statistics.mean(acts):.4f}" if acts else "—"
        std = statistics.stdev(acc) if len(acc) > 1 else 0.0
        print(f"| {point} | {len(done)}/{len(group['runs'])} | {statistics.mean(acc):.4f} ± {std:.4f} "
              f"| {statistics.mean(sp):.4f} / {statistics.mean(sp_all):.4f} | {act} | {statistics.mean(secs):.1f} |")


if __name__ == "__main__":
    main()
