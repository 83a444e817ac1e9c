#!/usr/bin/env python3
"""The PyTorch baseline of bench/sparse-engine-step.sh: one dense training step of an mlp 784-W-W-10 (ReLU, SGD with
momentum, cross-entropy) at batch 128 on random inputs (a step's time does not depend on the data); prints the median
step time after warm-up and the peak resident memory.

  sparse_step_pytorch.py HIDDEN(e.g. 4096,4096) [steps=10] [batch=128] [threads=2]
"""
import resource, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F


def main():
    hidden = [int(h) for h in sys.argv[1].split(",")]
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 128
    torch.set_num_threads(int(sys.argv[4]) if len(sys.argv) > 4 else 2)
    torch.manual_seed(42)
    widths = [784] + hidden
    layers = []
    for a, b in zip(widths, widths[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    model = nn.Sequential(*layers, nn.Linear(widths[-1], 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(batch, 784)
    y = torch.randint(0, 10, (batch,))
    times = []
    for s in range(steps + 2):
        t0 = time.perf_counter()
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
        if s >= 2:
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"RESULT impl=pytorch hidden={sys.argv[1]} batch={batch} steps={steps} threads={torch.get_num_threads()} "
          f"step_ms_median={times[len(times) // 2]:.1f} step_ms_min={times[0]:.1f} peak_rss_mb={peak}")


if __name__ == "__main__":
    main()
