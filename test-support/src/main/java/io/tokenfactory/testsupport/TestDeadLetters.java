package io.tokenfactory.testsupport;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/**
 * Reads what a service parked as dead letters, through its admin API: the same on every
 * broker, since dead letters are kept in the service's own database.
 */
public final class TestDeadLetters {

    private TestDeadLetters() {
    }

    /**
     * The dead letters parked for these event ids (their CloudEvents ids), by event id.
     * @param admin a client with an administrator's token
     * @param path {@code /api/dead-letters} on a service,
     * {@code /api/dead-letters/<area>} through the gateway
     */
    public static Map<String, JsonNode> find(HttpTestClient admin, String path, Set<String> eventIds) {
        Map<String, JsonNode> found = new HashMap<>();
        for (JsonNode dead : admin.get(path + "?status=all&limit=1000").getBody().path("deadLetters")) {
            if (eventIds.contains(dead.path("eventId").asString())) {
                found.put(dead.path("eventId").asString(), dead);
            }
        }
        return found;
    }

    /** The dead letter parked for one event id, or null. */
    public static JsonNode find(HttpTestClient admin, String path, String eventId) {
        return find(admin, path, Set.of(eventId)).get(eventId);
    }

}
