package dev.sparselab.experiment.models;

import dev.sparselab.contracts.artifact.ModelArtifact;
import dev.sparselab.contracts.artifact.ModelFiles;
import dev.sparselab.experiment.access.Access;
import dev.sparselab.experiment.access.Audit;
import dev.sparselab.experiment.access.Caller;
import dev.sparselab.experiment.api.BadParameterException;
import dev.sparselab.experiment.api.ConflictException;
import dev.sparselab.experiment.api.NotFoundException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * A run's trained model leaves the platform (issue 21): {@code GET /api/v1/runs/{id}/model} as safetensors (dense
 * PyTorch state-dict names with masks, or compressed rows) or as stored; its model card; and tags on runs
 * ({@code champion}: one per experiment). The stored artifact is checked against its content address before any
 * byte is sent.
 */
@RestController
class ModelController {
    private static final Pattern TAG = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    /** The tag that marks the one run of an experiment whose model is the one to use. */
    static final String CHAMPION = "champion";
    private final JdbcClient jdbc;
    private final Access access;
    private final Audit audit;
    private final TransactionTemplate tx;

    ModelController(JdbcClient jdbc, Access access, Audit audit, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.access = access;
        this.audit = audit;
        this.tx = tx;
    }

    /** A stored artifact: its content address and bytes. */
    private record Stored(String sha256, byte[] bytes) {
    }

    private Stored stored(UUID run) {
        String sha = jdbc.sql("select artifact_sha256 from runs where id = ?").param(run).query(String.class)
                .optional().orElseThrow(() -> new NotFoundException("run", run));
        if (sha == null) {
            throw new ConflictException("run " + run + " has no trained model yet");
        }
        byte[] bytes = jdbc.sql("select content from artifacts where sha256 = ?").param(sha).query(byte[].class)
                .optional().orElseThrow(() -> new ConflictException("run " + run + "'s model " + sha
                        + " is not stored"));
        if (!ModelArtifact.sha256(bytes).equals(sha)) {
            throw new IllegalStateException("the stored model " + sha + " does not match its checksum");
        }
        return new Stored(sha, bytes);
    }

    /**
     * The model: {@code format=safetensors} (default; PyTorch state-dict names, masks as {@code <weight>_mask}),
     * {@code safetensors-csr} (masked weights as compressed rows), or {@code sparselab} (the stored bytes, which the
     * evaluator reads). Header {@code X-SparseLab-Artifact}: the stored artifact's sha256.
     */
    @GetMapping("/api/v1/runs/{id}/model")
    ResponseEntity<StreamingResponseBody> model(@PathVariable UUID id,
                                                @RequestParam(defaultValue = "safetensors") String format,
                                                Caller caller) {
        access.readRun(caller, id);
        ModelFiles.Layout layout = switch (format) {
            case "safetensors" -> ModelFiles.Layout.DENSE;
            case "safetensors-csr" -> ModelFiles.Layout.CSR;
            case "sparselab" -> null;
            default -> throw new BadParameterException("format", "must be safetensors, safetensors-csr or sparselab");
        };
        Stored stored = stored(id);
        HttpHeaders headers = new HttpHeaders();
        headers.add("X-SparseLab-Artifact", stored.sha256());
        headers.setContentType(MediaType.APPLICATION_OCTET_STREAM);
        if (layout == null) {
            headers.setContentDisposition(org.springframework.http.ContentDisposition.attachment()
                    .filename("run-" + id + ".sparselab").build());
            headers.setContentLength(stored.bytes().length);
            return ResponseEntity.ok().headers(headers).body(out -> out.write(stored.bytes()));
        }
        ModelArtifact artifact = ModelArtifact.fromBytes(stored.bytes());
        String refusal = ModelFiles.refusal(artifact, layout);
        if (refusal != null) {
            throw new BadParameterException("format", refusal);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("sparselab.artifact", stored.sha256());
        metadata.put("sparselab.run", id.toString());
        headers.setContentDisposition(org.springframework.http.ContentDisposition.attachment()
                .filename("run-" + id + (layout == ModelFiles.Layout.CSR ? ".csr" : "") + ".safetensors").build());
        return ResponseEntity.ok().headers(headers).body(out -> ModelFiles.write(artifact, layout, metadata, out));
    }

    /**
     * The model card: what the model is (the run's resolved spec and provenance), how it did (its evaluation), its
     * artifact and the formats it downloads in, its tags, and how to load it in PyTorch.
     */
    @GetMapping("/api/v1/runs/{id}/model/card")
    Map<String, Object> card(@PathVariable UUID id, Caller caller) {
        access.readRun(caller, id);
        Map<String, Object> run = jdbc.sql("""
                        select r.id, r.experiment_id, e.name experiment, r.seed, r.status, r.spec::text spec,
                               r.provenance::text provenance, r.artifact_sha256, a.size_bytes, r.finished_at
                        from runs r join experiments e on e.id = r.experiment_id
                        left join artifacts a on a.sha256 = r.artifact_sha256 where r.id = ?""").param(id)
                .query((rs, i) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("run", rs.getObject("id", UUID.class));
                    m.put("experimentId", rs.getObject("experiment_id", UUID.class));
                    m.put("experiment", rs.getString("experiment"));
                    m.put("seed", rs.getLong("seed"));
                    m.put("status", rs.getString("status"));
                    m.put("finishedAt", rs.getTimestamp("finished_at") == null ? null
                            : rs.getTimestamp("finished_at").toInstant());
                    m.put("spec", json(rs.getString("spec")));
                    m.put("provenance", json(rs.getString("provenance")));
                    String sha = rs.getString("artifact_sha256");
                    if (sha != null) {
                        m.put("artifact", Map.of("sha256", sha, "bytes", rs.getLong("size_bytes")));
                    }
                    return m;
                }).optional().orElseThrow(() -> new NotFoundException("run", id));
        run.put("evaluation", jdbc.sql("select to_jsonb(v) - 'run_id' - 'artifact_sha256' from evaluations v "
                + "where run_id = ?").param(id).query(String.class).optional().map(ModelController::json).orElse(null));
        run.put("tags", tags(id));
        if (run.containsKey("artifact")) {
            String base = "/api/v1/runs/" + id + "/model";
            run.put("downloads", Map.of("safetensors", base + "?format=safetensors",
                    "safetensors-csr", base + "?format=safetensors-csr", "sparselab", base + "?format=sparselab"));
            run.put("usage", "safetensors: an 8-byte little-endian header length, a JSON header (dtype, shape, "
                    + "data_offsets per tensor; __metadata__ with sparselab.spec), then the raw little-endian data. "
                    + "Load the weights into nn.Linear/nn.Conv2d modules of the spec's names; apply each "
                    + "<weight>_mask with torch.nn.utils.prune.custom_from_mask. safetensors-csr: "
                    + "torch.sparse_csr_tensor(crow_indices, col_indices, values, size=matrix) per masked weight "
                    + "(sparselab.csr lists them).");
        }
        return run;
    }

    private static Object json(String text) {
        return text == null ? null : dev.sparselab.contracts.events.EventCodec.mapper().readTree(text);
    }

    private List<String> tags(UUID run) {
        return jdbc.sql("select tag from run_tags where run_id = ? order by tag").param(run).query(String.class)
                .list();
    }

    @GetMapping("/api/v1/runs/{id}/tags")
    List<String> getTags(@PathVariable UUID id, Caller caller) {
        access.readRun(caller, id);
        return tags(id);
    }

    /**
     * Tags a run (idempotent). {@code champion} moves: the experiment's previous champion loses it, in the same
     * transaction.
     */
    @PutMapping("/api/v1/runs/{id}/tags/{tag}")
    List<String> tag(@PathVariable UUID id, @PathVariable String tag, Caller caller) {
        access.writeRun(caller, id);
        if (!TAG.matcher(tag).matches()) {
            throw new BadParameterException("tag", "must be 1-63 characters of a-z, 0-9, '.', '_', '-', starting "
                    + "with a letter or digit");
        }
        tx.executeWithoutResult(s -> {
            if (CHAMPION.equals(tag)) {
                jdbc.sql("""
                        delete from run_tags where tag = 'champion' and run_id <> ? and run_id in
                          (select id from runs where experiment_id = (select experiment_id from runs where id = ?))""")
                        .params(id, id).update();
            }
            jdbc.sql("insert into run_tags (run_id, tag, created_by) values (?, ?, ?) on conflict do nothing")
                    .params(id, tag, caller.username()).update();
        });
        audit.record(caller, "run.tag", "run", id, null, Map.of("tag", tag));
        return tags(id);
    }

    @DeleteMapping("/api/v1/runs/{id}/tags/{tag}")
    ResponseEntity<Void> untag(@PathVariable UUID id, @PathVariable String tag, Caller caller) {
        access.writeRun(caller, id);
        if (jdbc.sql("delete from run_tags where run_id = ? and tag = ?").params(id, tag).update() == 0) {
            throw new NotFoundException("run " + id + " has no tag '" + tag + "'");
        }
        audit.record(caller, "run.untag", "run", id, null, Map.of("tag", tag));
        return ResponseEntity.noContent().build();
    }
}
