package dev.sparselab.contracts.problems;

import dev.sparselab.contracts.events.EventCodec;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A problem body for the places that write a response themselves (servlet filters, before Spring MVC's
 * problem handling): serialized by Jackson, so any text in it is escaped as JSON requires.
 */
public record Problem(URI type, String title, int status, String detail) {
    public static final String MEDIA_TYPE = "application/problem+json";

    /** The body as JSON. */
    public String json() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type.toString());
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        return EventCodec.mapper().writeValueAsString(body);
    }
}
