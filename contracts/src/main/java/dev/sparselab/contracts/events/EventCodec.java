package dev.sparselab.contracts.events;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON encoding of every event and spec on the wire. Thread-safe.
 * Unknown properties are ignored so that a newer producer does not break an older consumer.
 */
public final class EventCodec {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private EventCodec() {
    }

    public static String encode(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    public static <T> T decode(String json, Class<T> type) {
        return MAPPER.readValue(json, type);
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
