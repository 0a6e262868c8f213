package io.tokenfactory.agents.tools;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.tokenfactory.agents.AgentProperties;
import io.tokenfactory.agents.tools.AgentTools.ToolResult;

import org.springframework.stereotype.Component;

/**
 * The HTTP that agents' tools make: {@code http_get} and registered HTTP tools, to
 * allow-listed hosts only (checked by the caller). Never follows a redirect (it could
 * lead off the allow-list) and reads at most 16 KiB of an answer. Every outcome, failures
 * included, is a {@link ToolResult} the model can read.
 */
@Component
class ToolHttpClient {

    private static final int MAX_BODY = 16 * 1024;

    private final HttpClient http;

    private final Duration timeout;

    ToolHttpClient(AgentProperties properties) {
        this.timeout = properties.httpTimeout();
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(timeout).build();
    }

    ToolResult get(URI uri) {
        return send(HttpRequest.newBuilder(uri).timeout(timeout).GET());
    }

    ToolResult postJson(URI uri, String json) {
        return send(HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private ToolResult send(HttpRequest.Builder request) {
        try {
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                byte[] head = body.readNBytes(MAX_BODY + 1);
                String text = new String(head, 0, Math.min(head.length, MAX_BODY), StandardCharsets.UTF_8);
                return ToolResult.ok("HTTP " + response.statusCode() + "\n" + text
                        + (head.length > MAX_BODY ? "\n[truncated at " + MAX_BODY + " bytes]" : ""));
            }
        }
        catch (IOException e) {
            return ToolResult.failed("the request failed: " + e.getClass().getSimpleName());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ToolResult.failed("interrupted");
        }
        catch (IllegalArgumentException e) {
            return ToolResult.failed("not a URL this tool can call");
        }
    }

}
