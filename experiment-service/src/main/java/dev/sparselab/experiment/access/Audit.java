package dev.sparselab.experiment.access;

import dev.sparselab.contracts.events.EventCodec;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Appends to the audit log: who did what to which thing, when (the gateway writes the identity actions). */
@Component
public class Audit {
    private final JdbcClient jdbc;

    Audit(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void record(Caller caller, String action, String targetType, UUID targetId, UUID project,
                       Map<String, ?> detail) {
        jdbc.sql("""
                        insert into audit_log (actor, action, target_type, target_id, project_id, detail)
                        values (?, ?, ?, ?, ?, ?::jsonb)""")
                .params(caller.username(), action, targetType, targetId == null ? null : targetId.toString(), project,
                        detail == null ? null : EventCodec.encode(detail))
                .update();
    }
}
