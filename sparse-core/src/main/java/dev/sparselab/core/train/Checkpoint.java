package dev.sparselab.core.train;

import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.artifact.ModelArtifact;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to continue a run exactly where it stopped, at a step boundary: parameters, masks
 * (weights and biases), the optimizer state (momentum, Adam's moments), the sparsity method's own state,
 * activation thresholds, the step counter and the position in the current epoch, and the counters of
 * the partial epoch. Randomness needs no saved state: every draw is a function of the seed and the step
 * ({@link dev.sparselab.core.sparsity.StepRandom}).
 *
 * <p>Binary format: magic {@code SPLCKP01}, the header length and a JSON header (scalars and tensor
 * descriptors), then every tensor's float32 values, big-endian, in header order.
 *
 * @param specHash    sha256 of the resolved spec the run trains (a checkpoint resumes only the same spec)
 * @param epochsDone  epochs completed
 * @param position    steps done in epoch {@code epochsDone + 1} (0 at an epoch boundary)
 * @param step        optimizer steps done in total
 * @param scalars     counters: samples, train millis, training FLOPs, the partial epoch's loss sum and hits,
 *                    and the mask sparsity when the checkpoint was taken
 * @param tensors     named arrays: {@code param/<name>}, {@code mask/<layer>}, {@code biasmask/<layer>},
 *                    {@code opt/<param>/<i>}, {@code method/<key>}, {@code threshold/<layer>}
 */
public record Checkpoint(String specHash, int epochsDone, int position, long step, Map<String, Double> scalars,
                         Map<String, ModelArtifact.Tensor> tensors) {
    private static final byte[] MAGIC = "SPLCKP01".getBytes(StandardCharsets.US_ASCII);

    record Header(String specHash, int epochsDone, int position, long step, Map<String, Double> scalars,
                  List<Entry> tensors) {
    }

    record Entry(String name, long[] shape) {
    }

    /** A one-dimensional tensor of these values (what a model's capture writes). */
    public static ModelArtifact.Tensor vector(float[] values) {
        return new ModelArtifact.Tensor(new long[]{values.length}, values);
    }

    /** Fails with {@link CheckpointMismatchException} when the checkpoint was taken at another target sparsity. */
    public void requireTarget(double target) {
        if (scalar("target") != target) {
            throw new CheckpointMismatchException("target sparsity " + scalar("target") + " != the spec's " + target);
        }
    }

    public double scalar(String name) {
        Double v = scalars.get(name);
        if (v == null) {
            throw new IllegalArgumentException("checkpoint has no '" + name + "'");
        }
        return v;
    }

    /** The tensors whose names start with {@code prefix + "/"}, by the rest of their name. */
    public Map<String, float[]> group(String prefix) {
        Map<String, float[]> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(prefix + "/")) {
                out.put(k.substring(prefix.length() + 1), v.data());
            }
        });
        return out;
    }

    /** The optimizer's state: parameter name → slot index → values (tensors {@code opt/<name>/<slot>}). */
    public Map<String, Map<Integer, float[]>> optimizerState() {
        Map<String, Map<Integer, float[]>> opt = new java.util.LinkedHashMap<>();
        group("opt").forEach((k, v) -> {
            int slash = k.lastIndexOf('/');
            opt.computeIfAbsent(k.substring(0, slash), x -> new java.util.TreeMap<>())
                    .put(Integer.parseInt(k.substring(slash + 1)), v);
        });
        return opt;
    }

    public byte[] toBytes() {
        List<Entry> entries = new ArrayList<>();
        long floats = 0;
        for (Map.Entry<String, ModelArtifact.Tensor> e : tensors.entrySet()) {
            entries.add(new Entry(e.getKey(), e.getValue().shape()));
            floats += e.getValue().data().length;
        }
        byte[] header = EventCodec.encode(new Header(specHash, epochsDone, position, step, scalars, entries))
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(MAGIC.length + 4 + header.length + floats * 4));
        out.put(MAGIC).putInt(header.length).put(header);
        for (ModelArtifact.Tensor t : tensors.values()) {
            out.asFloatBuffer().put(t.data());
            out.position(out.position() + t.data().length * 4);
        }
        return out.array();
    }

    public static Checkpoint fromBytes(byte[] data) {
        ByteBuffer in = ByteBuffer.wrap(data);
        byte[] magic = new byte[MAGIC.length];
        in.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IllegalArgumentException("not a SparseLab checkpoint");
        }
        byte[] headerBytes = new byte[in.getInt()];
        in.get(headerBytes);
        Header h = EventCodec.decode(new String(headerBytes, StandardCharsets.UTF_8), Header.class);
        Map<String, ModelArtifact.Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : h.tensors()) {
            float[] values = new float[(int) Arrays.stream(e.shape()).reduce(1, (a, b) -> a * b)];
            in.asFloatBuffer().get(values);
            in.position(in.position() + values.length * 4);
            tensors.put(e.name(), new ModelArtifact.Tensor(e.shape(), values));
        }
        return new Checkpoint(h.specHash(), h.epochsDone(), h.position(), h.step(), h.scalars(), tensors);
    }
}
