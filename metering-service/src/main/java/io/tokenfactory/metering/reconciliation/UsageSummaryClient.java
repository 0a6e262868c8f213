package io.tokenfactory.metering.reconciliation;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.tokenfactory.metering.MeteringProperties;

import org.springframework.http.HttpHeaders;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/**
 * The usage summaries of inference-service (what it served), billing-service (what it
 * billed) and the gateway (what it relayed to clients), asked with the caller's own
 * authorization so all check the same administrator. On Boot's
 * {@link RestClient.Builder}: observed. No circuit breaker: an administrator asks now and
 * then, and an unanswered summary is shown as unavailable.
 */
@Component
class UsageSummaryClient {

    /** A summary could not be had; the reason is shown to the administrator. */
    static final class Unavailable extends Exception {

        Unavailable(String reason) {
            super(reason, null, false, false);
        }

    }

    private final RestClient inference;

    private final RestClient billing;

    private final RestClient gateway;

    UsageSummaryClient(RestClient.Builder builder, MeteringProperties properties) {
        this.inference = client(builder, properties.inferenceUrl());
        this.billing = client(builder, properties.billingUrl());
        this.gateway = client(builder, properties.gatewayUrl());
    }

    private static RestClient client(RestClient.Builder builder, URI baseUrl) {
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
        requests.setReadTimeout(Duration.ofSeconds(30));
        return builder.clone().requestFactory(requests).baseUrl(baseUrl.toString()).build();
    }

    ReconciliationService.Served served(Instant from, Instant to, String authorization) throws Unavailable {
        return ask(inference, "/api/inference/usage-summary", "inference-service", from, to, authorization,
                ReconciliationService.Served.class);
    }

    ReconciliationService.Billed billed(Instant from, Instant to, String authorization) throws Unavailable {
        return ask(billing, "/api/billing/usage-summary", "billing-service", from, to, authorization,
                ReconciliationService.Billed.class);
    }

    ReconciliationService.Relayed relayed(Instant from, Instant to, String authorization) throws Unavailable {
        return ask(gateway, "/api/gateway/relayed-usage", "gateway", from, to, authorization,
                ReconciliationService.Relayed.class);
    }

    private static <T> T ask(RestClient client, String path, String service, Instant from, Instant to,
            String authorization, Class<T> type) throws Unavailable {
        T answer;
        try {
            answer = client.get()
                .uri(uri -> uri.path(path).queryParam("from", from).queryParam("to", to).build())
                .header(HttpHeaders.AUTHORIZATION, authorization)
                .retrieve()
                .body(type);
        }
        catch (RestClientException e) {
            throw new Unavailable(service + ": " + e.getMessage());
        }
        if (answer == null) {
            throw new Unavailable(service + ": answered its usage summary with nothing");
        }
        return answer;
    }

    static <T> T orNull(SummaryCall<T> call, List<String> unavailable) {
        try {
            return call.get();
        }
        catch (Unavailable e) {
            unavailable.add(e.getMessage());
            return null;
        }
    }

    @FunctionalInterface
    interface SummaryCall<T> {

        T get() throws Unavailable;

    }

}
