package dev.sparselab.core.engine;

/**
 * Index arrays in a checkpoint, whose tensors hold floats: each int is stored as the float with the same bits
 * ({@link Float#intBitsToFloat}), which the checkpoint's byte format keeps exactly (non-negative indices are never NaN
 * patterns).
 */
final class EngineCheckpoints {
    private EngineCheckpoints() {
    }

    static float[] intBits(int[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.intBitsToFloat(values[i]);
        }
        return out;
    }

    static int[] ints(float[] bits) {
        int[] out = new int[bits.length];
        for (int i = 0; i < bits.length; i++) {
            out[i] = Float.floatToRawIntBits(bits[i]);
        }
        return out;
    }
}
