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

    /** IMP's number of pruning rounds: ceil(log(1 - S) / log(1 - rate)). */
    public static int impRounds(SparsitySpec s) {
        return s.target() <= 0 ? 0 : (int) Math.ceil(Math.log(1 - s.target()) / Math.log(1 - s.rate()) - 1e-9);
    }

    /** Epochs after the training phase: fine-tuning (magnitude, Wanda, L1, structured) or IMP's retraining. */
    public static int extraEpochs(ExperimentSpec run) {
        SparsitySpec s = run.sparsity();
        if (s == null) {
            return 0;
        }
        if (SparsitySpec.IMP.equals(s.method())) {
            return impRounds(s) * run.training().epochs();
        }
        return s.finetuneEpochs() == null ? 0 : s.finetuneEpochs();
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
        if (SparsitySpec.GMP.equals(s.method())) {
            steps.add(s.beginStep());
            steps.add(gmpEnd(s, trainSteps));
        }
        if (SparsitySpec.IMP.equals(s.method())) {
            for (int r = 1; r <= impRounds(s); r++) {
                steps.add(r * trainSteps);
                steps.add(Math.min(allSteps, r * trainSteps + 1));
            }
        }
        List<Point> points = new ArrayList<>();
        for (long t : steps) {
            int epoch = (int) Math.min(total, Math.max(1, (t + spe - 1) / spe));
            points.add(new Point(t, epoch, sparsityAt(s, t, trainSteps), updateFraction(s, t, trainSteps, spe)));
        }
        return new Plan(epochs, total, spe, allSteps, points);
    }

    static long gmpEnd(SparsitySpec s, long trainSteps) {
        return s.endStep() != null ? s.endStep() : Math.max(1, Math.round(0.75 * trainSteps));
    }

    /** The weight sparsity the method's schedule sets after step t. */
    static double sparsityAt(SparsitySpec s, long t, long trainSteps) {
        switch (s.method()) {
            case SparsitySpec.DENSE_METHOD, SparsitySpec.TOPK_ACTIVATION, SparsitySpec.RELU_THRESHOLD:
                return 0;
            case SparsitySpec.RANDOM, SparsitySpec.SET, SparsitySpec.RIGL, SparsitySpec.SNFS, SparsitySpec.SRIGL,
                 SparsitySpec.NM:
                return s.target();
            case SparsitySpec.GMP: {
                long begin = s.beginStep();
                long end = gmpEnd(s, trainSteps);
                if (t < begin) {
                    return s.initialSparsity();
                }
                double p = end <= begin ? 1.0 : Math.min(1.0, (double) (t - begin) / (end - begin));
                return s.target() + (s.initialSparsity() - s.target()) * Math.pow(1.0 - p, 3);
            }
            case SparsitySpec.IMP: {
                int round = (int) Math.min(impRounds(s), t / Math.max(1, trainSteps));
                return round >= impRounds(s) ? s.target() : 1 - Math.pow(1 - s.rate(), round);
            }
            default: // pruned once, after the training phase
                return t < trainSteps ? 0 : s.target();
        }
    }

    static Double updateFraction(SparsitySpec s, long t, long trainSteps, long spe) {
        if (SparsitySpec.RIGL.equals(s.method()) || SparsitySpec.SRIGL.equals(s.method())) {
            long end = (long) Math.floor(s.stopFraction() * trainSteps);
            return t > 0 && t < end ? s.alpha() / 2 * (1 + Math.cos(Math.PI * t / end)) : 0.0;
        }
        if (SparsitySpec.SET.equals(s.method())) {
            return t > 0 && t < trainSteps ? s.zeta() : 0.0;
        }
        return null;
    }
}
