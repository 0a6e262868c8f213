package io.tokenfactory.testsupport;

import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import tools.jackson.databind.JsonNode;

/**
 * Calls a running service over real HTTP and hands back status, headers and JSON body,
 * errors included.
 */
public final class HttpTestClient {

    private final String baseUrl;

    private final RestClient client;

    public HttpTestClient(String baseUrl) {
        this(baseUrl, null);
    }

    private HttpTestClient(String baseUrl, String bearerToken) {
        this.baseUrl = baseUrl;
        // the JDK client, because Apache HttpClient (on some test class paths) silently
        // retries 429 and 503
        RestClient.Builder builder = RestClient.builder()
            .baseUrl(baseUrl)
            .requestFactory(new JdkClientHttpRequestFactory())
            .defaultStatusHandler(status -> true, (request, response) -> {
            });
        if (bearerToken != null) {
            builder.defaultHeader("Authorization", "Bearer " + bearerToken);
        }
        this.client = builder.build();
    }

    public static HttpTestClient onPort(int port) {
        return new HttpTestClient("http://localhost:" + port);
    }

    /**
     * The same client, sending this bearer token (an identity token or an API key) with
     * every request.
     */
    public HttpTestClient withToken(String bearerToken) {
        return new HttpTestClient(baseUrl, bearerToken);
    }

    /** The same client with an administrator's identity token. */
    public HttpTestClient asAdmin() {
        return withToken(TestTokens.admin());
    }

    public ResponseEntity<JsonNode> get(String path) {
        return exchange(HttpMethod.GET, path, null);
    }

    public ResponseEntity<JsonNode> getWithHeaders(String path, java.util.Map<String, String> headers) {
        return client.get().uri(path).headers(all -> headers.forEach(all::add)).retrieve().toEntity(JsonNode.class);
    }

    public ResponseEntity<JsonNode> post(String path, Object body) {
        return exchange(HttpMethod.POST, path, body);
    }

    public ResponseEntity<JsonNode> postWithHeaders(String path, Object body, java.util.Map<String, String> headers) {
        return client.post()
            .uri(path)
            .headers(all -> headers.forEach(all::add))
            .contentType(MediaType.APPLICATION_JSON)
            .body(body)
            .retrieve()
            .toEntity(JsonNode.class);
    }

    public ResponseEntity<JsonNode> delete(String path) {
        return exchange(HttpMethod.DELETE, path, null);
    }

    public ResponseEntity<JsonNode> put(String path, Object body) {
        return exchange(HttpMethod.PUT, path, body);
    }

    /** Posts JSON and reads the answer as text (server-sent events, for instance). */
    public ResponseEntity<String> postForText(String path, Object body) {
        return client.post()
            .uri(path)
            .contentType(MediaType.APPLICATION_JSON)
            .body(body)
            .retrieve()
            .toEntity(String.class);
    }

    /** Sends a raw body as it is, for malformed-input tests. */
    public ResponseEntity<JsonNode> postRaw(String path, String rawJson) {
        return client.post()
            .uri(path)
            .contentType(MediaType.APPLICATION_JSON)
            .body(rawJson)
            .retrieve()
            .toEntity(JsonNode.class);
    }

    public ResponseEntity<String> getText(String path) {
        return client.get().uri(path).retrieve().toEntity(String.class);
    }

    private ResponseEntity<JsonNode> exchange(HttpMethod method, String path, Object body) {
        RestClient.RequestBodySpec request = client.method(method).uri(path);
        if (body != null) {
            request.contentType(MediaType.APPLICATION_JSON).body(body);
        }
        return request.retrieve().toEntity(JsonNode.class);
    }

}
