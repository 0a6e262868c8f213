package io.tokenfactory.localrun;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Whether a service takes traffic: its readiness health group answers 200 and UP. The
 * launcher and the soak in system-tests both run the services as processes of their own;
 * they ask this one probe, so they cannot disagree about when a service is ready. It only
 * asks once: the callers decide how to wait, and what else to watch meanwhile.
 */
public final class ReadinessProbe {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Duration timeout;

    /**
     * @param timeout how long one answer may take before the service counts as not ready
     */
    public ReadinessProbe(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * @param serviceUrl where the service listens, such as {@code http://localhost:8080}
     */
    public boolean ready(String serviceUrl) {
        try {
            HttpResponse<String> response = http
                .send(HttpRequest.newBuilder(URI.create(serviceUrl + "/actuator/health/readiness"))
                    .timeout(timeout)
                    .build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("\"UP\"");
        }
        catch (IOException e) {
            return false; // not listening yet, or too slow to answer: not ready
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

}
