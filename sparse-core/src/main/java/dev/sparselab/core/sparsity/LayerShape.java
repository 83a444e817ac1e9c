package dev.sparselab.core.sparsity;

/**
 * What distributions need to know of a sparsifiable weight: its name and dimensions. For a Linear
 * layer {@code dims = [out, in]}; for a conv kernel {@code [out, in, kh, kw]} (ERK counts them all).
 */
public record LayerShape(String name, int[] dims) {
    public int count() {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    /** Output units (rows of the weight read as [out, fanIn]). */
    public int out() {
        return dims[0];
    }

    /** Fan-in: the weight read as [out, fanIn] (inputs times kernel positions for a conv). */
    public int fanIn() {
        return count() / dims[0];
    }

    /** ERK's raw density: sum of the dimensions over their product. */
    double erk() {
        double sum = 0;
        for (int d : dims) {
            sum += d;
        }
        return sum / count();
    }

    /** ER's raw density (SET): (n_in + n_out) / (n_in * n_out), over the first two dims. */
    double er() {
        return (double) (dims[0] + dims[1]) / ((double) dims[0] * dims[1]);
    }
}
