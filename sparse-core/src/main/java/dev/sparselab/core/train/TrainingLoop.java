package dev.sparselab.core.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.events.MetricPoint;
import dev.sparselab.contracts.events.RunProvenance;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.artifact.ModelArtifact;
import dev.sparselab.core.data.Shuffle;
import dev.sparselab.core.sparsity.StepRandom;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The one training lifecycle of a run, over a {@link StepModel}: epochs of steps over a seeded shuffle of the
 * training split (a function of the seed and the epoch, so a resumed epoch sees the same batches), cancellation
 * before every step, ASHA's stop-early at epoch boundaries, checkpoints when the {@link Checkpointer} asks
 * (mid-epoch or at an epoch's end) and their restore with the checks that they belong to the run, divergence
 * (a non-finite loss fails the run with its reason), per-epoch metrics and the provenance of the result.
 *
 * <p>Each step's arrays live in a sub-manager closed at the end of the step; autograd recording is off except
 * inside the model's gradient collector. Not thread-safe: one instance trains one run on the calling thread.
 */
public final class TrainingLoop {
    /**
     * Steps between read-backs of a deferring model's totals: how late a diverged loss is noticed, at most (the
     * totals are also read at every epoch's end and before every checkpoint).
     */
    static final int DRAIN_EVERY = 100;
    private final ExperimentSpec spec;
    private final StepModel.Factory factory;
    private final TrainingListener listener;
    private final Device device;
    private BooleanSupplier cancelled = () -> false;
    private BooleanSupplier stopEarly = () -> false;
    private Checkpointer checkpointer;
    private Checkpoint resumeFrom;

    public TrainingLoop(ExperimentSpec spec, StepModel.Factory factory, TrainingListener listener, Device device) {
        this.spec = spec;
        this.factory = factory;
        this.listener = listener;
        this.device = device;
    }

    /** Stops training (with {@link TrainingCancelledException}) at the first step at which this says true. */
    public TrainingLoop cancelWhen(BooleanSupplier isCancelled) {
        this.cancelled = isCancelled;
        return this;
    }

    /**
     * Ends training early, at the next epoch boundary at which this says true (ASHA): the model is finished as
     * it is (end-of-training hooks run) and the result is marked stopped early.
     */
    public TrainingLoop stopEarlyWhen(BooleanSupplier shouldStop) {
        this.stopEarly = shouldStop;
        return this;
    }

    /** Takes checkpoints when {@code policy} says so. */
    public TrainingLoop checkpointWith(Checkpointer policy) {
        this.checkpointer = policy;
        return this;
    }

    /**
     * Continues from a checkpoint of this same spec instead of starting fresh; the checkpoint is checked
     * against the run first ({@link CheckpointMismatchException} when it does not fit).
     */
    public TrainingLoop resumeFrom(Checkpoint checkpoint) {
        this.resumeFrom = checkpoint;
        return this;
    }

    /** sha256 of the spec as the trainer sees it (checkpoints and provenance carry it). */
    public static String specHash(ExperimentSpec spec) {
        return ModelArtifact.sha256(EventCodec.encode(spec).getBytes(StandardCharsets.UTF_8));
    }

    /** Where training stands: what a checkpoint records besides the model. */
    private static final class Progress {
        int epochsDone;
        int position;
        long step;
        long samples;
        long millis;
        double lossSum;
        double weight;
        long correct;
    }

    public TrainingResult run() {
        long seed = spec.training().seed();
        Engine engine = Engines.engine();
        engine.setRandomSeed((int) seed);
        String specHash = specHash(spec);
        try (NoGrad noGrad = NoGrad.enter(); StepModel model = factory.open()) {
            int batch = spec.training().batchSize();
            int n = model.examples();
            int stepsPerEpoch = (n + batch - 1) / batch;
            int allEpochs = model.epochs();
            Progress p = resumeFrom == null ? new Progress() : restore(resumeFrom, specHash, model, stepsPerEpoch,
                    batch, n);
            long started = System.nanoTime() - p.millis * 1_000_000;
            boolean stoppedEarly = false;
            for (int epoch = p.epochsDone + 1; epoch <= allEpochs; epoch++) {
                epoch(model, p, epoch, n, batch, specHash, started);
                model.endEpoch(epoch, p.step);
                p.epochsDone = epoch;
                p.position = 0;
                p.lossSum = 0;
                p.weight = 0;
                p.correct = 0;
                if (checkpointer != null && epoch < allEpochs && checkpointer.due(epoch, 0, p.step, true)) {
                    checkpointer.save(capture(model, p, specHash, started));
                }
                if (epoch < allEpochs && stopEarly.getAsBoolean()) {
                    stoppedEarly = true;
                    break;
                }
            }
            model.endTraining(p.step, p.epochsDone);
            long millis = (System.nanoTime() - started) / 1_000_000;
            boolean djl = model.engineName() == null;
            RunProvenance provenance = new RunProvenance(specHash, seed, model.dataHash(), Engine.getDjlVersion(),
                    djl ? engine.getEngineName() : model.engineName(),
                    djl ? engine.getVersion() : System.getProperty("java.version"), djl ? device.toString() : "cpu",
                    System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                    System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                    millis, p.samples * 1000.0 / Math.max(1, millis), model.trainingFlops(p.samples),
                    model.denseTrainingFlops(p.samples));
            return new TrainingResult(model.artifact(), provenance, stoppedEarly, p.epochsDone);
        }
    }

    /** One pass over the epoch's shuffled order from {@code p.position}; advances {@code p}; reports the metrics. */
    private void epoch(StepModel model, Progress p, int epoch, int n, int batch, String specHash, long started) {
        int[] order = Shuffle.permutation(n, StepRandom.of(spec.training().seed(), "shuffle").at(epoch));
        model.beginEpoch(epoch);
        model.startTotals(new StepModel.Totals(p.lossSum, p.weight, p.correct));
        long epochStart = System.nanoTime();
        int firstPosition = p.position;
        for (int start = p.position * batch; start < n; start += batch) {
            int b = Math.min(batch, n - start);
            long step = p.step + 1;
            if (cancelled.getAsBoolean()) {
                throw new TrainingCancelledException("cancelled before step " + step);
            }
            try (NDManager sub = model.manager().newSubManager()) {
                StepModel.StepOutcome o = model.forwardBackward(order, start, b, step, epoch, sub);
                if (!o.deferred()) {
                    if (!Float.isFinite(o.loss())) {
                        throw diverged(o.loss(), epoch, "at step " + step);
                    }
                    p.lossSum += o.lossSum();
                    p.weight += o.weight();
                    p.correct += o.correct();
                }
                model.update(step, b, epoch, sub);
            }
            p.step = step;
            p.samples += b;
            p.position++;
            if (step % DRAIN_EVERY == 0) {
                drain(model, p, epoch);
            }
            if (checkpointer != null && start + b < n && checkpointer.due(epoch - 1, p.position, step, false)) {
                drain(model, p, epoch);
                checkpointer.save(capture(model, p, specHash, started));
            }
        }
        drain(model, p, epoch);
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        long step = p.step;
        double meanLoss = p.lossSum / Math.max(1e-9, p.weight);
        List<MetricPoint> points = new ArrayList<>();
        points.add(new MetricPoint("train.loss", step, epoch, meanLoss));
        points.add(new MetricPoint("train.accuracy", step, epoch, p.correct / Math.max(1e-9, p.weight)));
        points.addAll(model.epochMetrics(epoch, step, meanLoss));
        points.add(new MetricPoint("samples_per_second", step, epoch,
                (long) (p.position - firstPosition) * batch / Math.max(1e-9, seconds)));
        points.add(new MetricPoint("learning_rate", step, epoch, model.learningRate(step)));
        points.add(new MetricPoint("phase." + model.phase(epoch), step, epoch, 1));
        listener.onMetrics(points);
    }

    /** Takes a deferring model's running totals into the progress; a non-finite loss among them fails the run. */
    private void drain(StepModel model, Progress p, int epoch) {
        StepModel.Totals t = model.totals();
        if (t == null) {
            return;
        }
        if (!Double.isFinite(t.lossSum())) {
            throw diverged(t.lossSum(), epoch, "by step " + p.step + " (the loss is read every " + DRAIN_EVERY
                    + " steps)");
        }
        p.lossSum = t.lossSum();
        p.weight = t.weight();
        p.correct = t.correct();
    }

    private TrainingFailedException diverged(double loss, int epoch, String when) {
        return new TrainingFailedException("training diverged: loss is " + (float) loss + " at epoch " + epoch + ", "
                + when + " (try a smaller learning rate; it is " + spec.training().optimizer().learningRate() + ")");
    }

    private static Checkpoint capture(StepModel model, Progress p, String specHash, long started) {
        Map<String, ModelArtifact.Tensor> tensors = new LinkedHashMap<>();
        Map<String, Double> scalars = new LinkedHashMap<>();
        scalars.put("samples", (double) p.samples);
        scalars.put("millis", (double) ((System.nanoTime() - started) / 1_000_000));
        scalars.put("lossSum", p.lossSum);
        scalars.put("weight", p.weight);
        scalars.put("correct", (double) p.correct);
        model.capture(tensors, scalars);
        return new Checkpoint(specHash, p.epochsDone, p.position, p.step, scalars, tensors);
    }

    /** Loads a checkpoint into the freshly opened model, after checking that it belongs to the run. */
    private static Progress restore(Checkpoint c, String specHash, StepModel model, int stepsPerEpoch, int batch,
                                    int n) {
        if (!c.specHash().equals(specHash)) {
            throw new CheckpointMismatchException("it was taken for spec " + c.specHash() + ", the run's spec is "
                    + specHash);
        }
        if (c.step() != (long) c.epochsDone() * stepsPerEpoch + c.position()) {
            throw new CheckpointMismatchException("step counter " + c.step() + " does not match " + c.epochsDone()
                    + " epochs of " + stepsPerEpoch + " steps and " + c.position() + " more");
        }
        model.restore(c);
        Progress p = new Progress();
        p.epochsDone = c.epochsDone();
        p.position = c.position();
        p.step = c.step();
        p.samples = (long) c.scalar("samples");
        p.millis = (long) c.scalar("millis");
        if (c.scalars().containsKey("lossSum")) {
            p.lossSum = c.scalar("lossSum");
            p.correct = (long) c.scalar("correct");
            // checkpoints written before the weight was recorded: one unit per example
            p.weight = c.scalars().containsKey("weight") ? c.scalar("weight")
                    : Math.min((long) c.position() * batch, n);
        }
        return p;
    }
}
