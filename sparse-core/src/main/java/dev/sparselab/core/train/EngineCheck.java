package dev.sparselab.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Loads the training engine and computes one matrix product on the device it would train on; prints what it
 * found. Container images run it at build time (which also unpacks PyTorch's native libraries into
 * {@code DJL_CACHE_DIR}, so pods start without writing them) and admins run it to check a GPU node:
 * {@code java -cp trainer.jar -Dloader.main=dev.sparselab.core.train.EngineCheck
 * org.springframework.boot.loader.launch.PropertiesLauncher}. Exit status 0 when the engine works, 1 if not.
 */
public final class EngineCheck {
    private EngineCheck() {
    }

    /** One line describing the engine, its version and devices, after a checked product on {@link Engines#device()}. */
    public static String check() {
        Engine engine = Engines.engine();
        try (NDManager manager = NDManager.newBaseManager(Engines.device())) {
            NDArray a = manager.arange(6f).reshape(2, 3);
            float[] product = a.matMul(a.transpose()).toFloatArray(); // [[5, 14], [14, 50]]
            if (product[0] != 5f || product[1] != 14f || product[3] != 50f) {
                throw new IllegalStateException("matrix product on " + Engines.device() + " gave a wrong result");
            }
        }
        return "engine " + engine.getEngineName() + " " + engine.getVersion() + ", device " + Engines.device()
                + ", GPUs " + engine.getGpuCount();
    }

    public static void main(String[] args) {
        try {
            System.out.println(check());
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            System.err.println("engine check failed: " + e);
            System.exit(1);
        }
    }
}
