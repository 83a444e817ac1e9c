package dev.sparselab.contracts.artifact;

import dev.sparselab.contracts.events.EventCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained model as a file other tools read: <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * (an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte range, then the
 * raw little-endian data), the format PyTorch's ecosystem loads — readable without the safetensors package.
 * <ul>
 *   <li>{@link Layout#DENSE}: every parameter under the name PyTorch's {@code nn.Linear}/{@code nn.Conv2d} state
 *       dict uses ({@code fc1.weight}, {@code fc1.bias}, {@code conv1.weight}), float32, and each sparsified weight's
 *       mask as {@code <name>_mask} (uint8 0/1, the buffer {@code torch.nn.utils.prune} keeps); a weight stored
 *       sparse by the sparse engine is written dense.</li>
 *   <li>{@link Layout#CSR}: each masked (or sparse-stored) weight as compressed rows of its {@code [out, fan-in]}
 *       matrix — {@code <name>.crow_indices}, {@code <name>.col_indices} (int32) and {@code <name>.values}
 *       (float32), what {@code torch.sparse_csr_tensor} takes; the metadata entry {@code sparselab.csr} lists them
 *       with their original shapes (a convolution's weight is {@code [out, in, kh, kw]}); the other tensors dense.</li>
 * </ul>
 * The metadata (strings) carries the artifact's sha256, the run, the resolved spec and the layout.
 */
public final class ModelFiles {
    private ModelFiles() {
    }

    /** How weights are laid out in the file. */
    public enum Layout {
        DENSE, CSR
    }

    /** One tensor of the file: its header entry and how to write its bytes. */
    private record Part(String name, String dtype, long[] shape, long bytes, Body body) {
    }

    @FunctionalInterface
    private interface Body {
        void write(Sink out) throws IOException;
    }

    /** The largest weight a dense export writes from a sparse-stored one (4 GiB of float32). */
    public static final long DENSE_LIMIT = 1L << 30;

    /** Whether {@code layout} can be written for this model (a dense export of a huge sparse-stored layer cannot). */
    public static String refusal(ModelArtifact artifact, Layout layout) {
        if (layout == Layout.DENSE) {
            for (var e : artifact.sparse().entrySet()) {
                if (e.getValue().shape()[0] * e.getValue().shape()[1] > DENSE_LIMIT) {
                    return "layer " + e.getKey() + " has " + e.getValue().shape()[0] * e.getValue().shape()[1]
                            + " weights, too many to write dense; export it as compressed rows (format=csr)";
                }
            }
        }
        return null;
    }

    /** Writes the model as safetensors in {@code layout}; {@code metadata} is added to the file's. */
    public static void write(ModelArtifact artifact, Layout layout, Map<String, String> metadata, OutputStream out)
            throws IOException {
        List<Part> parts = new ArrayList<>();
        List<Map<String, Object>> csr = new ArrayList<>();
        for (var e : artifact.tensors().entrySet()) {
            String name = e.getKey();
            ModelArtifact.Tensor t = e.getValue();
            BitSet mask = artifact.masks().get(name);
            if (layout == Layout.CSR && mask != null) {
                int rows = (int) t.shape()[0];
                int cols = t.data().length / rows;
                csr(parts, csr, name, t.shape(), rows, cols, rowPtr(mask, rows, cols),
                        columns(mask, t.data().length, cols), values(t.data(), mask));
                continue;
            }
            parts.add(floats(name, t.shape(), t.data()));
            if (mask != null) {
                parts.add(mask(name + "_mask", t.shape(), mask, t.data().length));
            }
        }
        for (var e : artifact.sparse().entrySet()) {
            String name = e.getKey();
            ModelArtifact.SparseTensor s = e.getValue();
            int rows = (int) s.shape()[0];
            long cols = s.shape()[1];
            if (layout == Layout.CSR) {
                csr(parts, csr, name, s.shape(), rows, cols, s.rowPtr(), s.colIdx(), s.values());
            } else {
                parts.add(denseOf(name, s, rows, cols));
                parts.add(maskOf(name + "_mask", s, rows, cols));
            }
        }
        Map<String, Object> header = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("format", "pt");
        meta.put("sparselab.layout", layout.name().toLowerCase());
        meta.put("sparselab.spec", EventCodec.encode(artifact.spec()));
        if (!csr.isEmpty()) {
            meta.put("sparselab.csr", EventCodec.encode(csr));
        }
        header.put("__metadata__", meta);
        long offset = 0;
        for (Part p : parts) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", p.dtype());
            entry.put("shape", p.shape());
            entry.put("data_offsets", new long[]{offset, offset + p.bytes()});
            header.put(p.name(), entry);
            offset += p.bytes();
        }
        byte[] json = EventCodec.encode(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // the data starts 8-byte aligned (spaces pad the JSON)
        Sink sink = new Sink(out);
        sink.putLong(padded);
        out.write(json);
        for (int i = json.length; i < padded; i++) {
            out.write(' ');
        }
        for (Part p : parts) {
            p.body().write(sink);
        }
        sink.flush();
    }

    private static void csr(List<Part> parts, List<Map<String, Object>> csr, String name, long[] shape, int rows,
                            long cols, int[] rowPtr, int[] colIdx, float[] values) {
        long[] matrix = {rows, cols};
        parts.add(new Part(name + ".crow_indices", "I32", new long[]{rowPtr.length}, 4L * rowPtr.length,
                out -> out.putInts(rowPtr)));
        parts.add(new Part(name + ".col_indices", "I32", new long[]{colIdx.length}, 4L * colIdx.length,
                out -> out.putInts(colIdx)));
        parts.add(new Part(name + ".values", "F32", new long[]{values.length}, 4L * values.length,
                out -> out.putFloats(values)));
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", name);
        entry.put("shape", shape);
        entry.put("matrix", matrix);
        csr.add(entry);
    }

    private static Part floats(String name, long[] shape, float[] data) {
        return new Part(name, "F32", shape, 4L * data.length, out -> out.putFloats(data));
    }

    private static Part mask(String name, long[] shape, BitSet mask, int n) {
        return new Part(name, "U8", shape, n, out -> {
            for (int i = 0; i < n; i++) {
                out.putByte(mask.get(i) ? 1 : 0);
            }
        });
    }

    private static Part denseOf(String name, ModelArtifact.SparseTensor s, int rows, long cols) {
        return new Part(name, "F32", s.shape(), 4L * rows * cols, out -> {
            float[] row = new float[(int) cols];
            for (int r = 0; r < rows; r++) {
                java.util.Arrays.fill(row, 0f);
                for (int k = s.rowPtr()[r]; k < s.rowPtr()[r + 1]; k++) {
                    row[s.colIdx()[k]] = s.values()[k];
                }
                out.putFloats(row);
            }
        });
    }

    private static Part maskOf(String name, ModelArtifact.SparseTensor s, int rows, long cols) {
        return new Part(name, "U8", s.shape(), (long) rows * cols, out -> {
            byte[] row = new byte[(int) cols];
            for (int r = 0; r < rows; r++) {
                java.util.Arrays.fill(row, (byte) 0);
                for (int k = s.rowPtr()[r]; k < s.rowPtr()[r + 1]; k++) {
                    row[s.colIdx()[k]] = 1;
                }
                out.putBytes(row);
            }
        });
    }

    /** Compressed-row pointers of a row-major mask {@code [rows, cols]}. */
    static int[] rowPtr(BitSet mask, int rows, int cols) {
        int[] ptr = new int[rows + 1];
        for (int r = 0; r < rows; r++) {
            int from = r * cols;
            ptr[r + 1] = ptr[r] + mask.get(from, from + cols).cardinality();
        }
        return ptr;
    }

    /** The column of each of the mask's set positions, in row-major order. */
    static int[] columns(BitSet mask, int n, int cols) {
        return mask.get(0, n).stream().map(p -> p % cols).toArray();
    }

    /** The values at the mask's set positions, in row-major order. */
    static float[] values(float[] data, BitSet mask) {
        int[] at = mask.get(0, data.length).stream().toArray();
        float[] v = new float[at.length];
        for (int i = 0; i < at.length; i++) {
            v[i] = data[at[i]];
        }
        return v;
    }

    /** Little-endian writes through a buffer. */
    private static final class Sink {
        private final OutputStream out;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        Sink(OutputStream out) {
            this.out = out;
        }

        private void room(int bytes) throws IOException {
            if (buffer.remaining() < bytes) {
                flush();
            }
        }

        void flush() throws IOException {
            out.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }

        void putLong(long v) throws IOException {
            room(8);
            buffer.putLong(v);
            flush();
        }

        void putByte(int b) throws IOException {
            room(1);
            buffer.put((byte) b);
        }

        void putBytes(byte[] b) throws IOException {
            for (byte x : b) {
                putByte(x);
            }
        }

        void putFloats(float[] values) throws IOException {
            for (float v : values) {
                room(4);
                buffer.putFloat(v);
            }
        }

        void putInts(int[] values) throws IOException {
            for (int v : values) {
                room(4);
                buffer.putInt(v);
            }
        }
    }
}
