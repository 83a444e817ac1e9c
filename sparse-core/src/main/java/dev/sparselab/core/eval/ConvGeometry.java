package dev.sparselab.core.eval;

/**
 * The geometry of a 2-D convolution on one example: input {@code channels x height x width}, a square-or-not
 * kernel, stride and zero padding, and the output size they give.
 */
public record ConvGeometry(int channels, int height, int width, int kernelH, int kernelW, int stride, int padding) {
    public int outHeight() {
        return (height + 2 * padding - kernelH) / stride + 1;
    }

    public int outWidth() {
        return (width + 2 * padding - kernelW) / stride + 1;
    }

    public int positions() {
        return outHeight() * outWidth();
    }

    public int fanIn() {
        return channels * kernelH * kernelW;
    }

    /**
     * im2col: the input patches of a batch as a row-major matrix [batch * positions, fanIn], row
     * (b, oy, ox), column (c, ky, kx); out-of-image taps read 0.
     */
    public float[] im2col(float[] x, int batch) {
        int oh = outHeight();
        int ow = outWidth();
        int fan = fanIn();
        float[] cols = new float[batch * oh * ow * fan];
        int row = 0;
        for (int b = 0; b < batch; b++) {
            int xb = b * channels * height * width;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int o = row * fan;
                    for (int c = 0; c < channels; c++) {
                        for (int ky = 0; ky < kernelH; ky++) {
                            int iy = oy * stride - padding + ky;
                            for (int kx = 0; kx < kernelW; kx++) {
                                int ix = ox * stride - padding + kx;
                                cols[o++] = iy < 0 || iy >= height || ix < 0 || ix >= width ? 0f
                                        : x[xb + (c * height + iy) * width + ix];
                            }
                        }
                    }
                    row++;
                }
            }
        }
        return cols;
    }
}
