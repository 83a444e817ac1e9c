#!/usr/bin/env python3
"""SparseLab's PyTorch baseline: the plain eager loop a researcher would write for the models the trainer is
benchmarked on (bench/trainer-vs-pytorch.sh runs it alternately with the trainer, in fresh processes).

Same data (Fashion-MNIST IDX files of Debian's dataset-fashion-mnist, pixels / 255), model, batch, optimizer
(SGD lr 0.05, momentum 0.9) and thread count as TrainingThroughput; a shuffled pass per epoch; the first epoch
warms up, the rest are timed. Prints one RESULT line.

  pytorch_loops.py [--model lenet300|wide|lenet5] [--batch N] [--epochs N] [--subset N] [--threads N]
"""
import argparse, gzip, resource, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def images(path):
    with gzip.open(path, "rb") as f:
        buf = f.read()
    n, rows, cols = np.frombuffer(buf[4:16], ">i4")
    return np.frombuffer(buf[16:], np.uint8).reshape(n, rows * cols)


def labels(path):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read()[8:], np.uint8)


def build(name):
    if name == "lenet300":
        return nn.Sequential(nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(), nn.Linear(100, 10))
    if name == "wide":
        return nn.Sequential(nn.Linear(784, 4096), nn.ReLU(), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 10))
    if name == "lenet5":
        return nn.Sequential(nn.Unflatten(1, (1, 28, 28)), nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120),
                             nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    raise SystemExit("unknown model " + name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="lenet300")
    ap.add_argument("--batch", type=int)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--subset", type=int)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--datasets", default="/usr/share/datasets")
    a = ap.parse_args()
    batch = a.batch or (1024 if a.model == "wide" else 128)
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    d = a.datasets + "/fashion-mnist/"
    x = torch.from_numpy(images(d + "train-images-idx3-ubyte.gz").astype(np.float32) / 255.0)
    y = torch.from_numpy(labels(d + "train-labels-idx1-ubyte.gz").astype(np.int64))
    if a.subset:
        x, y = x[:a.subset], y[:a.subset]
    model = build(a.model)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    n = x.shape[0]
    per_epoch = []
    for _ in range(a.epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(n)
        for start in range(0, n, batch):
            ix = perm[start:start + batch]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x[ix]), y[ix])
            loss.backward()
            opt.step()
        per_epoch.append(n / (time.perf_counter() - t0))
    steady = sum(per_epoch[1:]) / max(1, len(per_epoch) - 1) if len(per_epoch) > 1 else per_epoch[0]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"RESULT impl=pytorch-{torch.__version__} model={a.model} batch={batch} epochs={a.epochs} "
          f"threads={torch.get_num_threads()} samples_per_second_after_warmup={steady:.0f} "
          f"per_epoch={[round(v) for v in per_epoch]} maxrss_mb={rss}")


if __name__ == "__main__":
    main()
