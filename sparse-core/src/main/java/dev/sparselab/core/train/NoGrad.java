package dev.sparselab.core.train;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns PyTorch's (thread-local) autograd recording off for the calling thread until closed, then
 * restores it. A fresh thread records by default, and an in-place update of a parameter (a mask
 * multiply) while recording fails with "a leaf Variable that requires grad is being used in an in-place
 * operation"; DJL's GradientCollector switches recording on only for the steps it wraps.
 */
public final class NoGrad implements AutoCloseable {
    private final boolean previous;

    private NoGrad() {
        Engines.engine(); // loads the native library on first use
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    public static NoGrad enter() {
        return new NoGrad();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
