package dev.sparselab.core.train;

import java.util.LinkedHashMap;
import java.util.Map;

/** For tests: takes a checkpoint at every epoch's end and at step 7 of every epoch, and keeps it as bytes. */
public final class RecordingCheckpointer implements Checkpointer {
    /** Checkpoint bytes by "epochsDone:position". */
    public final Map<String, byte[]> saved = new LinkedHashMap<>();

    @Override
    public boolean due(int epochsDone, int position, long step, boolean epochEnd) {
        return epochEnd || position == 7;
    }

    @Override
    public void save(Checkpoint c) {
        saved.put(c.epochsDone() + ":" + c.position(), c.toBytes());
    }
}
