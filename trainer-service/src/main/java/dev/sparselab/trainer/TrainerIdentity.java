package dev.sparselab.trainer;

import ai.djl.engine.Engine;
import dev.sparselab.core.train.Engines;
import java.lang.management.ManagementFactory;
import org.springframework.stereotype.Component;

/** This trainer's name (in events and leases), its device and its number of slots. */
@Component
class TrainerIdentity {
    private final String name;
    private final int slots;
    private final String device;

    TrainerIdentity(TrainerProperties props) {
        this.name = props.name() != null ? props.name() : ManagementFactory.getRuntimeMXBean().getName();
        this.device = Engines.device().toString();
        int gpus = Engine.getEngine(Engines.ENGINE).getGpuCount();
        this.slots = props.slots() != null ? props.slots() : Math.max(1, gpus);
    }

    String name() {
        return name;
    }

    int slots() {
        return slots;
    }

    String device() {
        return device;
    }
}
