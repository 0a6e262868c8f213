package io.tokenfactory.billing.alert;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.tokenfactory.billing.BillingProperties;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * POSTs one delivery to a subscriber's URL. Every attempt is bounded: connecting by the
 * connect timeout, the answer by the read timeout, the whole attempt by both together (a
 * receiver that sends its headers and then trickles its body is cut off too). Redirects
 * are not followed: a subscriber gives the URL that answers.
 */
@Component
class WebhookClient {

    /**
     * What came of one attempt.
     *
     * @param status the receiver's HTTP status; null when there was none
     * @param error why there was no status; null when there was one
     */
    record Outcome(@Nullable Integer status, @Nullable String error, Duration took) {

        boolean delivered() {
            return status != null && status >= 200 && status < 300;
        }
    }

    private final HttpClient http;

    private final Duration connectTimeout;

    private final Duration readTimeout;

    WebhookClient(BillingProperties properties) {
        this.connectTimeout = properties.webhooks().connectTimeout();
        this.readTimeout = properties.webhooks().readTimeout();
        this.http = HttpClient.newBuilder()
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    }

    Outcome post(URI url, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
            .timeout(readTimeout)
            .header("Content-Type", "application/json")
            .header("User-Agent", "TokenFactory-Webhooks/1")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(request::header);
        long started = System.nanoTime();
        CompletableFuture<HttpResponse<Void>> answer = http.sendAsync(request.build(),
                HttpResponse.BodyHandlers.discarding());
        try {
            HttpResponse<Void> response = answer.get(connectTimeout.plus(readTimeout).toMillis(),
                    TimeUnit.MILLISECONDS);
            return new Outcome(response.statusCode(), null, since(started));
        }
        catch (TimeoutException slow) {
            answer.cancel(true);
            return failed("no complete answer within " + connectTimeout.plus(readTimeout).toMillis() + " ms", started);
        }
        catch (ExecutionException failure) {
            return failed(describe(failure.getCause()), started);
        }
        catch (InterruptedException shutdown) {
            Thread.currentThread().interrupt();
            answer.cancel(true);
            return failed("interrupted (the service is stopping)", started);
        }
    }

    private String describe(@Nullable Throwable cause) {
        if (cause instanceof HttpConnectTimeoutException) {
            return "could not connect within " + connectTimeout.toMillis() + " ms";
        }
        if (cause instanceof HttpTimeoutException) {
            return "no answer within " + readTimeout.toMillis() + " ms";
        }
        if (cause instanceof ConnectException) {
            return "connection refused";
        }
        if (cause == null) {
            return "failed";
        }
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static Outcome failed(String error, long started) {
        return new Outcome(null, error.length() > 300 ? error.substring(0, 300) : error, since(started));
    }

    private static Duration since(long started) {
        return Duration.ofNanos(System.nanoTime() - started);
    }

}
