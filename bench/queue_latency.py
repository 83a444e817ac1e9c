#!/usr/bin/env python3
"""Time from submit to training on an idle platform: submits N small runs one after another (each waits for
the previous to finish, so the platform is idle at every submit) and prints the median and spread of
created -> started (a trainer took the run: RunStarted, just before its first step) and of created ->
first metric point (the end of epoch 1).

usage: queue_latency.py BASE_URL [N]   (through clients/python; the token: $SPARSELAB_TOKEN or .sparselab/admin-token)
"""
import statistics
import sys
import time
import uuid
from datetime import datetime

from lab import client



def ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def main():
    base = sys.argv[1].rstrip('/')
    lab = client(base)
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    tag = uuid.uuid4().hex[:8]
    started, first_metric = [], []
    for i in range(n):
        spec = {"name": f"queue latency {tag} {i}", "dataset": {"name": "synthetic"},
                "model": {"type": "mlp", "hidden": [16]},
                "training": {"epochs": 1, "batchSize": 4000, "seed": i}}
        run_id = lab.submit(spec)["runs"][0]["id"]
        while True:
            run = lab.show(run_id)
            if run["status"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
                break
            time.sleep(0.2)
        created = ts(run["createdAt"])
        started.append(ts(run["startedAt"]) - created)
        # the first metric point is written when the trainer reports epoch 1; its time is the run's trainedAt
        # at the latest: use trainedAt as an upper bound of "first step done"
        first_metric.append(ts(run["trainedAt"]) - created)
    for name, xs in (("submit -> trainer started", started), ("submit -> training done (1 epoch)", first_metric)):
        xs = sorted(xs)
        print(f"{name}: median {statistics.median(xs):.3f} s, min {xs[0]:.3f} s, max {xs[-1]:.3f} s (n={len(xs)})")


if __name__ == "__main__":
    main()
