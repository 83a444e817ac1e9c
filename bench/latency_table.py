#!/usr/bin/env python3
"""Prints docs/evaluation.md's table for one experiment: per run, the theoretical FLOP reduction against the
realized latency speed-up of each sparse kernel at each batch size.

usage: latency_table.py BASE_URL EXPERIMENT_ID   (through clients/python; the token: $SPARSELAB_TOKEN or .sparselab/admin-token)
"""
import sys

from lab import client



def main():
    base, exp_id = sys.argv[1].rstrip('/'), sys.argv[2]
    lab = client(base)
    exp = lab.experiment(exp_id)
    print("| sparsity | accuracy | FLOP reduction (theory) | batch | dense ms | COO ms (speed-up) "
          "| CSR ms (speed-up) | best sparse (speed-up) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in exp["runs"]:
        run = lab.show(r['id'])
        e = run["evaluation"]
        reduction = e["cost"]["denseFlops"] / e["cost"]["sparseFlops"]
        for lat in e["latency"]:
            d = lat["denseMs"]
            print(f"| {e['sparsity']:.2f} | {e['testAccuracy']:.4f} | {reduction:.1f}x | {lat['batch']} | {d:.3f} "
                  f"| {lat['cooMs']:.3f} ({d / lat['cooMs']:.2f}x) | {lat['csrMs']:.3f} ({d / lat['csrMs']:.2f}x) "
                  f"| {lat['sparseMs']:.3f} ({lat['speedup']:.2f}x) |")


if __name__ == "__main__":
    main()
