package io.tokenfactory.agents.tools;

import java.net.URI;
import java.net.URISyntaxException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The built-in tools an agent may call, in OpenAI's tool-calling format: their
 * definitions for the request, and their execution. A tool call never fails a run: a
 * refused, malformed or failing call comes back as a tool error message the model can
 * read.
 */
@Component
public class AgentTools {

    /**
     * What one tool call answered; {@code error} marks a refusal or failure (still given
     * to the model).
     */
    public record ToolResult(String content, boolean error) {

        static ToolResult ok(String content) {
            return new ToolResult(content, false);
        }

        static ToolResult failed(String reason) {
            return new ToolResult("error: " + reason, true);
        }
    }

    private static final int MAX_MEMORY_ENTRIES = 100;

    private final JdbcTemplate jdbc;

    private final JsonMapper json;

    private final Clock clock;

    private final HttpToolRegistry registry;

    private final ToolHttpClient http;

    AgentTools(JdbcTemplate jdbc, JsonMapper json, Clock clock, HttpToolRegistry registry, ToolHttpClient http) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
        this.registry = registry;
        this.http = http;
    }

    /**
     * OpenAI tool definitions ({@code {"type":"function","function":{…}}}) for the named
     * tools.
     */
    public List<Map<String, Object>> definitions(List<String> tools) {
        return tools.stream()
            .map(tool -> HttpToolRegistry.BUILT_IN.contains(tool) ? definition(tool)
                    : registry.find(tool).map(AgentTools::definition).orElse(null))
            .filter(java.util.Objects::nonNull)
            .toList();
    }

    public ToolResult call(UUID agentId, String tool, String argumentsJson) {
        JsonNode arguments;
        try {
            arguments = argumentsJson == null || argumentsJson.isBlank() ? json.createObjectNode()
                    : json.readTree(argumentsJson);
        }
        catch (JacksonException e) {
            return ToolResult.failed("the arguments are not valid JSON");
        }
        try {
            return switch (tool) {
                case "http_get" -> httpGet(text(arguments, "url"));
                case "current_time" -> currentTime(text(arguments, "timeZone"));
                case "remember" -> remember(agentId, text(arguments, "key"), text(arguments, "value"));
                case "recall" -> recall(agentId, text(arguments, "key"));
                default -> registry.find(tool)
                    .map(registered -> httpPost(registered, arguments))
                    .orElseGet(() -> ToolResult.failed("no tool named '" + tool + "'"));
            };
        }
        catch (DataAccessException e) {
            return ToolResult.failed("the tool could not reach its storage");
        }
    }

    /**
     * What the agent remembered in earlier runs, for the start of a run's conversation.
     */
    public Map<String, String> memory(UUID agentId) {
        Map<String, String> entries = new LinkedHashMap<>();
        jdbc.query("SELECT key, value FROM agent_memory WHERE agent_id = ? ORDER BY key LIMIT " + MAX_MEMORY_ENTRIES,
                (java.sql.ResultSet row) -> {
                    entries.put(row.getString(1), row.getString(2));
                }, agentId);
        return entries;
    }

    private ToolResult httpGet(String url) {
        if (url == null) {
            return ToolResult.failed("http_get needs a url");
        }
        URI uri;
        try {
            uri = new URI(url);
        }
        catch (URISyntaxException e) {
            return ToolResult.failed("not a URL: " + url);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getUserInfo() != null) {
            return ToolResult.failed("only plain http and https URLs are allowed");
        }
        if (!registry.isAllowed(uri)) {
            return ToolResult.failed("host '" + uri.getHost() + "' is not on this agent's allow-list");
        }
        return http.get(uri);
    }

    /**
     * A registered HTTP tool: its arguments POSTed as JSON; the allow-list is checked
     * again at every call.
     */
    private ToolResult httpPost(HttpToolRegistry.HttpTool tool, JsonNode arguments) {
        if (!registry.isAllowed(tool.url())) {
            return ToolResult.failed("host '" + tool.url().getHost() + "' is no longer on the allow-list");
        }
        return http.postJson(tool.url(), arguments.toString());
    }

    private ToolResult currentTime(String zone) {
        try {
            ZoneId zoneId = zone == null ? ZoneId.of("UTC") : ZoneId.of(zone);
            return ToolResult.ok(clock.instant().atZone(zoneId).toOffsetDateTime().toString());
        }
        catch (DateTimeException e) {
            return ToolResult.failed("'" + zone + "' is not a time zone");
        }
    }

    private ToolResult remember(UUID agentId, String key, String value) {
        if (key == null || key.isBlank() || key.length() > 100 || value == null || value.length() > 4000) {
            return ToolResult.failed("remember needs a key (at most 100 characters) and a value (at most 4000)");
        }
        Integer entries = jdbc.queryForObject("SELECT count(*) FROM agent_memory WHERE agent_id = ? AND key <> ?",
                Integer.class, agentId, key);
        if (entries != null && entries >= MAX_MEMORY_ENTRIES) {
            return ToolResult.failed("the memory is full (" + MAX_MEMORY_ENTRIES + " keys); overwrite a key instead");
        }
        jdbc.update("""
                INSERT INTO agent_memory (agent_id, key, value, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (agent_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at""",
                agentId, key, value, Timestamp.from(clock.instant()));
        return ToolResult.ok("remembered " + key);
    }

    private ToolResult recall(UUID agentId, String key) {
        if (key == null || key.isBlank()) {
            List<String> keys = jdbc.queryForList("SELECT key FROM agent_memory WHERE agent_id = ? ORDER BY key",
                    String.class, agentId);
            return ToolResult.ok(keys.isEmpty() ? "nothing remembered yet" : "keys: " + String.join(", ", keys));
        }
        List<String> values = jdbc.queryForList("SELECT value FROM agent_memory WHERE agent_id = ? AND key = ?",
                String.class, agentId, key);
        return values.isEmpty() ? ToolResult.ok("nothing remembered under " + key) : ToolResult.ok(values.get(0));
    }

    private static String text(JsonNode arguments, String field) {
        JsonNode value = arguments.get(field);
        return value == null || value.isNull() || !value.isString() ? null : value.asString();
    }

    private static Map<String, Object> definition(String tool) {
        Map<String, Object> parameters = switch (tool) {
            case "http_get" ->
                schema(Map.of("url", "the http or https URL to fetch (allow-listed hosts only)"), List.of("url"));
            case "current_time" ->
                schema(Map.of("timeZone", "an IANA time zone, e.g. Europe/Berlin (default UTC)"), List.of());
            case "remember" ->
                schema(Map.of("key", "what to remember it by", "value", "what to remember"), List.of("key", "value"));
            case "recall" -> schema(Map.of("key", "the key to recall; leave out to list keys"), List.of());
            default -> throw new IllegalArgumentException("no tool named " + tool);
        };
        String description = switch (tool) {
            case "http_get" -> "Fetch a web page or API response (GET)";
            case "current_time" -> "The current date and time";
            case "remember" -> "Remember a value across runs";
            default -> "Recall a value remembered in an earlier run";
        };
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", tool);
        function.put("description", description);
        function.put("parameters", parameters);
        return Map.of("type", "function", "function", function);
    }

    private static Map<String, Object> definition(HttpToolRegistry.HttpTool tool) {
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", tool.name());
        function.put("description", tool.description());
        function.put("parameters", tool.parameters());
        return Map.of("type", "function", "function", function);
    }

    private static Map<String, Object> schema(Map<String, String> properties, List<String> required) {
        Map<String, Object> fields = new LinkedHashMap<>();
        properties
            .forEach((name, description) -> fields.put(name, Map.of("type", "string", "description", description)));
        return Map.of("type", "object", "properties", fields, "required", required);
    }

}
