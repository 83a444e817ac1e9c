package dev.sparselab.core.train;

/** Decides when to checkpoint and stores checkpoints (e.g. as artifacts). */
public interface Checkpointer {
    /**
     * Asked after every step: whether to checkpoint now.
     *
     * @param epochsDone epochs completed
     * @param position   steps done in the current epoch (0 when {@code epochEnd})
     * @param epochEnd   the step completed an epoch (its end-of-epoch hooks have run)
     */
    boolean due(int epochsDone, int position, long step, boolean epochEnd);

    void save(Checkpoint checkpoint);
}
