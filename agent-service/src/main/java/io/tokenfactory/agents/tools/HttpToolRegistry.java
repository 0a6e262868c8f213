package io.tokenfactory.agents.tools;

import java.net.URI;
import java.net.URISyntaxException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import io.tokenfactory.agents.AgentProperties;
import io.tokenfactory.support.audit.AuditTrail;
import io.tokenfactory.support.problem.ApiProblemException;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The tools agents may be given: the built-in ones, and HTTP tools administrators
 * register — a name, what it does, a JSON schema for its arguments, and a URL on an
 * allow-listed host that receives them as a JSON POST.
 */
@Service
public class HttpToolRegistry {

    public static final Set<String> BUILT_IN = Set.of("http_get", "current_time", "remember", "recall");

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    /**
     * @param parameters the JSON schema of its arguments (an object schema)
     */
    public record HttpTool(String name, String description, URI url, JsonNode parameters, Instant createdAt) {
    }

    private final JdbcTemplate jdbc;

    private final JsonMapper json;

    private final Clock clock;

    private final Set<String> allowedHosts;

    private final AuditTrail audit;

    HttpToolRegistry(JdbcTemplate jdbc, JsonMapper json, Clock clock, AgentProperties properties, AuditTrail audit) {
        this.audit = audit;
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
        this.allowedHosts = Set.copyOf(properties.httpAllowedHosts()
            .stream()
            .map(host -> host.strip().toLowerCase(Locale.ROOT))
            .filter(host -> !host.isEmpty())
            .toList());
    }

    /**
     * Whether a URL may be called by an agent's tool: http(s), no credentials in it, an
     * allow-listed host.
     */
    public boolean isAllowed(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        return (scheme.equals("http") || scheme.equals("https")) && uri.getUserInfo() == null
                && allowedHosts.contains(host);
    }

    @Transactional
    public HttpTool register(String name, String description, String url, JsonNode parameters) {
        if (!NAME.matcher(name).matches() || BUILT_IN.contains(name)) {
            throw invalid("name must be lower-case letters, digits and _ (at most 64), and not a built-in tool's");
        }
        URI uri;
        try {
            uri = new URI(url);
        }
        catch (URISyntaxException e) {
            throw invalid("url is not a URL");
        }
        if (!isAllowed(uri)) {
            throw ApiProblemException.unprocessable("host_not_allowed",
                    "An HTTP tool's url must be http(s) on a host of"
                            + " TF_AGENT_HTTP_ALLOWED_HOSTS, without credentials; '" + uri.getHost() + "' is not");
        }
        if (parameters == null || !parameters.isObject() || !"object".equals(parameters.path("type").asString(""))) {
            throw invalid("parameters must be a JSON schema of type object");
        }
        Instant now = clock.instant();
        try {
            jdbc.update("INSERT INTO http_tool (name, description, url, parameters, created_at) VALUES (?, ?, ?, ?, ?)",
                    name, description, uri.toString(), parameters.toString(), Timestamp.from(now));
        }
        catch (DuplicateKeyException e) {
            throw ApiProblemException.conflict("tool_exists", "A tool named '" + name + "' is already registered");
        }
        HttpTool tool = new HttpTool(name, description, uri, parameters, now);
        audit.record("tool.registered", "http_tool", name, null, null, tool);
        return tool;
    }

    @Transactional(readOnly = true)
    public List<HttpTool> list() {
        return jdbc.query("SELECT name, description, url, parameters, created_at FROM http_tool ORDER BY name",
                (row, i) -> new HttpTool(row.getString(1), row.getString(2), URI.create(row.getString(3)),
                        json.readTree(row.getString(4)), row.getTimestamp(5).toInstant()));
    }

    @Transactional(readOnly = true)
    public Optional<HttpTool> find(String name) {
        return jdbc
            .query("SELECT name, description, url, parameters, created_at FROM http_tool WHERE name = ?",
                    (row, i) -> new HttpTool(row.getString(1), row.getString(2), URI.create(row.getString(3)),
                            json.readTree(row.getString(4)), row.getTimestamp(5).toInstant()),
                    name)
            .stream()
            .findFirst();
    }

    /** A name an agent may be given: built-in or registered. */
    public boolean exists(String name) {
        return BUILT_IN.contains(name) || find(name).isPresent();
    }

    @Transactional
    public void remove(String name) {
        Optional<HttpTool> before = find(name);
        if (before.isEmpty() || jdbc.update("DELETE FROM http_tool WHERE name = ?", name) == 0) {
            throw ApiProblemException.notFound("tool_not_found", "No registered tool named '" + name + "'");
        }
        audit.record("tool.removed", "http_tool", name, null, before.get(), null);
    }

    private static ApiProblemException invalid(String detail) {
        return new ApiProblemException(HttpStatus.BAD_REQUEST, "invalid_tool", "Invalid tool", detail);
    }

}
