package dev.sparselab.contracts.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The planned course of a run, known before it trains: how many epochs and steps it takes, and its
 * weight sparsity (and, for dynamic methods, the fraction of connections each mask update moves) over the
 * steps, as the method's schedule sets them. What the UI previews and what ASHA aligns rungs on.
 */
public final class SparsitySchedule {
    private SparsitySchedule() {
    }

    /**
     * One planned point.
     *
     * @param updateFraction RigL/SRigL: alpha_t at an update step; SET: zeta at an epoch end; else null
     */
    public record Point(long step, int epoch, double sparsity, Double updateFraction) {
    }

    /** A run's plan: epochs of the training phase, all epochs (with fine-tuning or retraining), steps. */
    public record Plan(int trainEpochs, int totalEpochs, long stepsPerEpoch, long totalSteps, List<Point> points) {
    }

    /** Training examples of the run's dataset (the subset if it asks for one). */
    public static long trainSize(ExperimentSpec run) {
        long full = DatasetSpec.SYNTHETIC.equals(run.dataset().name()) ? 4000 : 60000;
        return run.dataset().trainSubset() == null ? full : Math.min(full, run.dataset().trainSubset());
    }

    public static long stepsPerEpoch(ExperimentSpec run) {
        int batch = run.training().batchSize();
        return (trainSize(run) + batch - 1) / batch;
    }

    /** Epochs after the training phase: fine-tuning (magnitude, Wanda, L1, structured) or IMP's retraining. */
    public static int extraEpochs(ExperimentSpec run) {
        return run.sparsity() == null ? 0 : run.sparsity().extraEpochs(run.training().epochs());
    }

    public static int totalEpochs(ExperimentSpec run) {
        return run.training().epochs() + extraEpochs(run);
    }

    /** The plan of a run (defaults applied), with at most about {@code maxPoints} points. */
    public static Plan of(ExperimentSpec run, int maxPoints) {
        int epochs = run.training().epochs();
        long spe = stepsPerEpoch(run);
        long trainSteps = epochs * spe;
        int total = totalEpochs(run);
        long allSteps = total * spe;
        TreeSet<Long> steps = new TreeSet<>();
        long stride = Math.max(1, allSteps / Math.max(1, maxPoints));
        for (long t = 0; t <= allSteps; t += stride) {
            steps.add(t);
        }
        steps.add(allSteps);
        // the points where the schedule bends or jumps
        steps.add(Math.max(0, trainSteps - 1));
        steps.add(trainSteps);
        steps.add(Math.min(allSteps, trainSteps + 1));
        SparsitySpec s = run.sparsity() == null ? SparsitySpec.DENSE : run.sparsity();
        for (long bend : s.scheduleBends(trainSteps)) {
            steps.add(Math.min(allSteps, bend));
        }
        List<Point> points = new ArrayList<>();
        for (long t : steps) {
            int epoch = (int) Math.min(total, Math.max(1, (t + spe - 1) / spe));
            points.add(new Point(t, epoch, s.sparsityAt(t, trainSteps), s.updateFraction(t, trainSteps)));
        }
        return new Plan(epochs, total, spe, allSteps, points);
    }
}
