package io.tokenfactory.inference.energy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * One GET of a Prometheus exporter's metrics page; anything but a 200 with a body is an
 * unreadable meter.
 */
final class ExporterClient {

    private static final int MAX_BYTES = 16 * 1024 * 1024;

    private final HttpClient http;

    private final URI url;

    private final Duration timeout;

    ExporterClient(URI url, Duration timeout) {
        this.url = url;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    String text() {
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Accept", "text/plain;version=0.0.4")
                .GET()
                .build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new MeterUnreadable(url + " answered " + response.statusCode());
            }
            if (response.body().length > MAX_BYTES) {
                throw new MeterUnreadable(url + " answered more than " + MAX_BYTES + " bytes");
            }
            return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new MeterUnreadable(url + " could not be read: " + e.getMessage());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeterUnreadable("interrupted");
        }
    }

}
