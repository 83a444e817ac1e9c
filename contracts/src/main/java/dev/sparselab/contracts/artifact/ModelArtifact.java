package dev.sparselab.contracts.artifact;

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
 * @param sparse  weights stored at their active positions only (the sparse engine's layers too large to store
 *                dense), by weight name; such a weight is absent from {@code tensors} and {@code masks}
 */
public record ModelArtifact(ExperimentSpec spec, Map<String, Tensor> tensors, Map<String, BitSet> masks,
                            Map<String, SparseTensor> sparse) {
    private static final byte[] MAGIC = "SPLART01".getBytes(StandardCharsets.US_ASCII);

    public ModelArtifact(ExperimentSpec spec, Map<String, Tensor> tensors, Map<String, BitSet> masks) {
        this(spec, tensors, masks, Map.of());
    }

    /**
     * A matrix {@code [rows, cols]} held at its active positions: compressed rows ({@code rowPtr[r] .. rowPtr[r + 1]}
     * index row r's entries, their columns ascending in {@code colIdx}) and the values there.
     */
    public record SparseTensor(long[] shape, int[] rowPtr, int[] colIdx, float[] values) {
        public SparseTensor {
            if (shape.length != 2 || rowPtr.length != shape[0] + 1 || colIdx.length != values.length
                    || rowPtr[rowPtr.length - 1] != values.length) {
                throw new IllegalArgumentException("compressed rows do not describe a " + Arrays.toString(shape)
                        + " matrix of " + values.length + " values");
            }
        }

        /** Non-zero values among the active positions. */
        public long nonZeros() {
            long n = 0;
            for (float v : values) {
                if (v != 0f) {
                    n++;
                }
            }
            return n;
        }
    }

    record SparseEntry(String name, long[] shape, int active) {
    }

    /** A dense float tensor. */
    public record Tensor(long[] shape, float[] data) {
        public Tensor {
            if (Arrays.stream(shape).reduce(1, (a, b) -> a * b) != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " != " + data.length + " values");
            }
        }
    }

    /** The header; without sparse weights it is written as before they existed (an artifact's bytes, its id, stay). */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record Header(ExperimentSpec spec, List<Entry> tensors, List<MaskEntry> masks, List<SparseEntry> sparse) {
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
        List<SparseEntry> sparseEntries = new ArrayList<>();
        sparse.forEach((k, v) -> sparseEntries.add(new SparseEntry(k, v.shape(), v.values().length)));
        byte[] header = EventCodec.encode(new Header(spec, entries, maskEntries,
                sparseEntries.isEmpty() ? null : sparseEntries)).getBytes(StandardCharsets.UTF_8);
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
            for (SparseTensor t : sparse.values()) {
                for (int v : t.rowPtr()) {
                    out.writeInt(v);
                }
                for (int v : t.colIdx()) {
                    out.writeInt(v);
                }
                for (float f : t.values()) {
                    out.writeFloat(f);
                }
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
            Map<String, SparseTensor> sparse = new LinkedHashMap<>();
            for (SparseEntry e : header.sparse() == null ? List.<SparseEntry>of() : header.sparse()) {
                int[] rowPtr = new int[Math.toIntExact(e.shape()[0] + 1)];
                for (int i = 0; i < rowPtr.length; i++) {
                    rowPtr[i] = in.readInt();
                }
                int[] colIdx = new int[e.active()];
                for (int i = 0; i < colIdx.length; i++) {
                    colIdx[i] = in.readInt();
                }
                float[] values = new float[e.active()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = in.readFloat();
                }
                sparse.put(e.name(), new SparseTensor(e.shape(), rowPtr, colIdx, values));
            }
            return new ModelArtifact(header.spec(), tensors, masks, sparse);
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
