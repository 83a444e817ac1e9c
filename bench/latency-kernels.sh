#!/usr/bin/env bash
# The evaluator's latency of one Linear layer: dense (DJL), PyTorch COO, SparseLab's two CSR kernels and what the
# evaluator reports (the faster), at batch 1 and 256, in one JVM (C2 on).
#   bench/latency-kernels.sh [out=300] [in=784] [sparsities=0.9,0.99]
exec "$(dirname "$0")/core-main.sh" dev.sparselab.core.eval.LatencyKernels latency-kernels "$@"
