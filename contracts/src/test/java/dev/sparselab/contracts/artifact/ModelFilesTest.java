package dev.sparselab.contracts.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sparselab.contracts.events.EventCodec;
import dev.sparselab.contracts.spec.ExperimentSpec;
import dev.sparselab.contracts.spec.SpecParser;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The safetensors files a model exports to, read back byte by byte as the format says (8-byte little-endian header
 * length, JSON header, data at the offsets it gives, 8-byte aligned): every tensor where the header puts it, masks as
 * 0/1 bytes, compressed rows that rebuild the masked weight, a sparse-stored weight written dense with its mask.
 */
class ModelFilesTest {
    static final ExperimentSpec SPEC = new SpecParser().parse("""
            {"name": "x", "dataset": {"name": "synthetic"}, "model": {"type": "mlp", "hidden": [3]},
             "training": {"epochs": 1}, "sparsity": {"method": "random", "target": 0.5}}""", false);

    record Read(JsonNode header, ByteBuffer data) {
        float[] floats(String name) {
            JsonNode e = header.get(name);
            assertThat(e.get("dtype").asString()).isEqualTo("F32");
            int from = e.get("data_offsets").get(0).asInt();
            int to = e.get("data_offsets").get(1).asInt();
            float[] out = new float[(to - from) / 4];
            for (int i = 0; i < out.length; i++) {
                out[i] = data.getFloat(from + 4 * i);
            }
            return out;
        }

        int[] ints(String name) {
            JsonNode e = header.get(name);
            assertThat(e.get("dtype").asString()).isEqualTo("I32");
            int from = e.get("data_offsets").get(0).asInt();
            int[] out = new int[(e.get("data_offsets").get(1).asInt() - from) / 4];
            for (int i = 0; i < out.length; i++) {
                out[i] = data.getInt(from + 4 * i);
            }
            return out;
        }

        byte[] bytes(String name) {
            JsonNode e = header.get(name);
            assertThat(e.get("dtype").asString()).isEqualTo("U8");
            int from = e.get("data_offsets").get(0).asInt();
            byte[] out = new byte[e.get("data_offsets").get(1).asInt() - from];
            for (int i = 0; i < out.length; i++) {
                out[i] = data.get(from + i);
            }
            return out;
        }
    }

    static Read read(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        long length = b.getLong(0);
        assertThat(length % 8).isZero();
        JsonNode header = EventCodec.mapper().readTree(new String(file, 8, (int) length, StandardCharsets.UTF_8));
        ByteBuffer data = ByteBuffer.wrap(file, 8 + (int) length, file.length - 8 - (int) length).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        return new Read(header, data);
    }

    static ModelArtifact model() {
        // fc1 [3, 4] with a mask, fc2 [2, 3] stored sparse (compressed rows), biases
        float[] w1 = {0.5f, 0, -1.5f, 0, 0, 2.5f, 0, 0, 0, 0, 0, -3f};
        BitSet m1 = ModelArtifact.toBits(w1);
        m1.set(3); // an active weight that is exactly zero stays in the mask
        Map<String, ModelArtifact.Tensor> tensors = new LinkedHashMap<>();
        tensors.put("fc1.weight", new ModelArtifact.Tensor(new long[]{3, 4}, w1));
        tensors.put("fc1.bias", new ModelArtifact.Tensor(new long[]{3}, new float[]{0.1f, 0.2f, 0.3f}));
        tensors.put("fc2.bias", new ModelArtifact.Tensor(new long[]{2}, new float[]{-1f, 1f}));
        Map<String, ModelArtifact.SparseTensor> sparse = Map.of("fc2.weight", new ModelArtifact.SparseTensor(
                new long[]{2, 3}, new int[]{0, 1, 3}, new int[]{2, 0, 1}, new float[]{7f, 8f, 9f}));
        return new ModelArtifact(SPEC, tensors, Map.of("fc1.weight", m1), sparse);
    }

    static byte[] write(ModelArtifact a, ModelFiles.Layout layout) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelFiles.write(a, layout, Map.of("sparselab.artifact", "abc"), out);
        return out.toByteArray();
    }

    @Test
    void theDenseLayoutHasStateDictNamesMasksAndTheSpec() throws Exception {
        ModelArtifact a = model();
        Read r = read(write(a, ModelFiles.Layout.DENSE));
        assertThat(r.floats("fc1.weight")).containsExactly(a.tensors().get("fc1.weight").data());
        assertThat(r.header().get("fc1.weight").get("shape").toString()).isEqualTo("[3,4]");
        assertThat(r.bytes("fc1.weight_mask")).containsExactly(1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1);
        assertThat(r.floats("fc1.bias")).containsExactly(0.1f, 0.2f, 0.3f);
        assertThat(r.floats("fc2.weight")).containsExactly(0, 0, 7f, 8f, 9f, 0);
        assertThat(r.bytes("fc2.weight_mask")).containsExactly(0, 0, 1, 1, 1, 0);
        JsonNode meta = r.header().get("__metadata__");
        assertThat(meta.get("sparselab.artifact").asString()).isEqualTo("abc");
        assertThat(meta.get("sparselab.layout").asString()).isEqualTo("dense");
        assertThat(EventCodec.decode(meta.get("sparselab.spec").asString(), ExperimentSpec.class)).isEqualTo(SPEC);
        // the offsets tile the data without gaps
        long end = 0;
        for (var e : r.header().properties()) {
            if (!e.getKey().equals("__metadata__")) {
                assertThat(e.getValue().get("data_offsets").get(0).asLong()).isEqualTo(end);
                end = e.getValue().get("data_offsets").get(1).asLong();
            }
        }
        assertThat(end).isEqualTo(r.data().capacity());
    }

    @Test
    void theCsrLayoutRebuildsEachMaskedWeight() throws Exception {
        ModelArtifact a = model();
        Read r = read(write(a, ModelFiles.Layout.CSR));
        assertThat(r.header().has("fc1.weight")).isFalse();
        int[] crow = r.ints("fc1.weight.crow_indices");
        int[] col = r.ints("fc1.weight.col_indices");
        float[] values = r.floats("fc1.weight.values");
        float[] rebuilt = new float[12];
        boolean[] active = new boolean[12];
        for (int row = 0; row < 3; row++) {
            for (int k = crow[row]; k < crow[row + 1]; k++) {
                rebuilt[row * 4 + col[k]] = values[k];
                active[row * 4 + col[k]] = true;
            }
        }
        assertThat(rebuilt).containsExactly(a.tensors().get("fc1.weight").data());
        assertThat(active[3]).as("an active zero weight is an entry").isTrue();
        assertThat(crow).containsExactly(0, 3, 4, 5);
        assertThat(r.ints("fc2.weight.crow_indices")).containsExactly(0, 1, 3);
        assertThat(r.ints("fc2.weight.col_indices")).containsExactly(2, 0, 1);
        assertThat(r.floats("fc2.bias")).containsExactly(-1f, 1f);
        JsonNode csr = EventCodec.mapper().readTree(r.header().get("__metadata__").get("sparselab.csr").asString());
        assertThat(csr).hasSize(2);
        assertThat(csr.get(0).get("matrix").toString()).isEqualTo("[3,4]");
    }
}
