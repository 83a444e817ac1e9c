package dev.sparselab.core.artifact;

import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.spec.ExperimentSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained model as stored: the resolved spec it was trained from, every parameter tensor, and the
 * binary mask of every sparsified weight. {@link #toBytes()} is a self-describing binary format:
 * magic, a JSON header (spec and tensor descriptors), then the raw data; its sha256 is the artifact id.
 *
 * @param spec    the resolved spec (with seed) the model was trained from
 * @param tensors parameters by name ({@code fc1.weight}, {@code fc1.bias}, ...), in layer order
 * @param masks   masks by weight name; a weight without a mask is dense
 */
public record ModelArtifact(ExperimentSpec spec, Map<String, Tensor> tensors, Map<String, BitSet> masks) {
    private static final byte[] MAGIC = "SPLART01".getBytes(StandardCharsets.US_ASCII);

    /** A dense float tensor. */
    public record Tensor(long[] shape, float[] data) {
        public Tensor {
            if (Arrays.stream(shape).reduce(1, (a, b) -> a * b) != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " != " + data.length + " values");
            }
        }
    }

    record Header(ExperimentSpec spec, List<Entry> tensors, List<MaskEntry> masks) {
    }

    record Entry(String name, long[] shape) {
    }

    record MaskEntry(String name, int length) {
    }

    public byte[] toBytes() {
        List<Entry> entries = new ArrayList<>();
        tensors.forEach((k, v) -> entries.add(new Entry(k, v.shape())));
        List<MaskEntry> maskEntries = new ArrayList<>();
        masks.forEach((k, v) -> maskEntries.add(new MaskEntry(k, v.toByteArray().length)));
        byte[] header = EventCodec.encode(new Header(spec, entries, maskEntries)).getBytes(StandardCharsets.UTF_8);
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
             DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeInt(header.length);
            out.write(header);
            for (Tensor t : tensors.values()) {
                for (float f : t.data()) {
                    out.writeFloat(f);
                }
            }
            for (BitSet m : masks.values()) {
                out.write(m.toByteArray());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ModelArtifact fromBytes(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IllegalArgumentException("not a SparseLab model artifact");
            }
            byte[] headerBytes = in.readNBytes(in.readInt());
            Header header = EventCodec.decode(new String(headerBytes, StandardCharsets.UTF_8), Header.class);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : header.tensors()) {
                int n = (int) Arrays.stream(e.shape()).reduce(1, (a, b) -> a * b);
                float[] values = new float[n];
                for (int i = 0; i < n; i++) {
                    values[i] = in.readFloat();
                }
                tensors.put(e.name(), new Tensor(e.shape(), values));
            }
            Map<String, BitSet> masks = new LinkedHashMap<>();
            for (MaskEntry m : header.masks()) {
                masks.put(m.name(), BitSet.valueOf(in.readNBytes(m.length())));
            }
            return new ModelArtifact(header.spec(), tensors, masks);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A 0/1 float mask as the bit set stored in an artifact (bit set = weight kept). */
    public static BitSet toBits(float[] mask) {
        BitSet bits = new BitSet(mask.length);
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] != 0f) {
                bits.set(i);
            }
        }
        return bits;
    }
}
