package dev.sparselab.core.train;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** The DJL engine this process trains with: PyTorch, on the first GPU when one is visible. */
public final class Engines {
    public static final String ENGINE = "PyTorch";

    private Engines() {
    }

    public static Engine engine() {
        return Engine.getEngine(ENGINE);
    }

    public static Device device() {
        return engine().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }
}
