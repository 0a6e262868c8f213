package io.tokenfactory.localrun;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The gateway's public API as the launcher calls it, with one key. */
final class GatewayCalls {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String gateway;

    private final String key;

    GatewayCalls(String gateway, String key) {
        this.gateway = gateway;
        this.key = key;
    }

    /**
     * The answer's body when its status is one of those accepted; any other status is an
     * error naming the call and the answer.
     */
    JsonNode call(String method, String path, Object body, int... accepted) throws IOException, InterruptedException {
        HttpResponse<String> response = send(method, path, body);
        for (int status : accepted) {
            if (response.statusCode() == status) {
                return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
            }
        }
        throw new IllegalStateException(
                method + " " + path + " answered " + response.statusCode() + ": " + response.body());
    }

    int status(String method, String path) throws IOException, InterruptedException {
        return send(method, path, null).statusCode();
    }

    private HttpResponse<String> send(String method, String path, Object body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

}
