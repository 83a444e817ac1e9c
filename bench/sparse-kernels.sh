#!/usr/bin/env bash
# The sparse engine's kernels (issue 18) against the masked-dense engine's GEMMs through DJL, one linear layer's
# training-step compute, alternating in one JVM (C2 on: the kernels rely on the JIT's SIMD).
#   bench/sparse-kernels.sh [out=4096] [in=4096] [batch=128] [sparsities=0.9,0.95,0.98,0.99] [reps=20]
exec "$(dirname "$0")/core-main.sh" dev.sparselab.core.bench.SparseKernelThroughput sparse-kernels "$@"
