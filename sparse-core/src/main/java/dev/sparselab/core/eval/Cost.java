package dev.sparselab.core.eval;

import java.util.List;

/**
 * What a model costs, per example and in storage, counted as docs/evaluation.md describes.
 *
 * <p>FLOPs: a multiply-add counts as 2 FLOPs (as the RigL paper counts them). A Linear layer costs
 * 2 * in * out dense and 2 * nnz sparse; a conv layer costs 2 * (in * kh * kw) * out * positions dense and
 * 2 * nnz * positions sparse, positions = output height * width. Biases, activations and pooling are not
 * counted (under 1% for the models here).
 *
 * <p>Sizes in bytes, fp32 values: dense = 4 N; CSR = 4 nnz values + 4 nnz column indices + 4 (rows + 1)
 * row pointers; bitmask = ceil(N / 8) + 4 nnz; biases (4 per output) are added to every format. The
 * compressed size is the smaller of CSR and bitmask.
 *
 * @param layers per-layer figures, in forward order
 */
public record Cost(long denseFlops, long sparseFlops, long denseBytes, long csrBytes, long bitmaskBytes,
                   long compressedBytes, String compressedFormat, List<LayerCost> layers) {

    /** One layer's figures. */
    public record LayerCost(String name, long positions, long denseFlops, long sparseFlops, long denseBytes,
                            long csrBytes, long bitmaskBytes) {
    }

    /** The theoretical inference speed-up: dense FLOPs over sparse FLOPs. */
    public double flopReduction() {
        return sparseFlops == 0 ? Double.POSITIVE_INFINITY : (double) denseFlops / sparseFlops;
    }

    /**
     * Counts one layer.
     *
     * @param rows      output units (rows of the weight read as [out, fanIn])
     * @param fanIn     inputs times kernel positions
     * @param nonZero   non-zero weights
     * @param positions output positions per example (1 for a Linear layer)
     */
    public static LayerCost layer(String name, long rows, long fanIn, long nonZero, long positions) {
        long n = rows * fanIn;
        long bias = 4 * rows;
        long csr = 4 * nonZero + 4 * nonZero + 4 * (rows + 1) + bias;
        long bitmask = (n + 7) / 8 + 4 * nonZero + bias;
        return new LayerCost(name, positions, 2 * n * positions, 2 * nonZero * positions, 4 * n + bias, csr, bitmask);
    }

    public static Cost of(List<LayerCost> layers) {
        long df = 0;
        long sf = 0;
        long db = 0;
        long csr = 0;
        long bm = 0;
        for (LayerCost l : layers) {
            df += l.denseFlops();
            sf += l.sparseFlops();
            db += l.denseBytes();
            csr += l.csrBytes();
            bm += l.bitmaskBytes();
        }
        return new Cost(df, sf, db, csr, bm, Math.min(csr, bm), csr <= bm ? "csr" : "bitmask", List.copyOf(layers));
    }
}
