package io.tokenfactory.metering.reconciliation;

import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import io.tokenfactory.metering.MeteringProperties;
import io.tokenfactory.metering.TimeBuckets;
import io.tokenfactory.metering.reconciliation.Reconciliation.Counts;
import io.tokenfactory.metering.usage.UsageQueries;
import io.tokenfactory.metering.usage.UsageReport;
import io.tokenfactory.support.problem.ApiProblemException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/**
 * Asks inference-service what it served in a window (with the caller's own identity token, so inference checks the
 * same administrator) and sets it against what metering counted.
 */
@Service
public class ReconciliationService {

    private final RestClient inference;
    private final UsageQueries usage;

    ReconciliationService(MeteringProperties properties, UsageQueries usage) {
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
        requests.setReadTimeout(Duration.ofSeconds(30));
        this.inference = RestClient.builder().requestFactory(requests).baseUrl(properties.inferenceUrl().toString()).build();
        this.usage = usage;
    }

    public Reconciliation reconcile(Instant askedFrom, Instant askedTo, String authorization) {
        // whole hours, so the hourly rollups can be set against the same window
        Instant from = TimeBuckets.floor(askedFrom, ChronoUnit.HOURS);
        Instant to = TimeBuckets.ceil(askedTo, ChronoUnit.HOURS);
        Counts served;
        try {
            served = inference.get()
                    .uri(uri -> uri.path("/api/inference/usage-summary").queryParam("from", from)
                            .queryParam("to", to).build())
                    .header(HttpHeaders.AUTHORIZATION, authorization)
                    .retrieve()
                    .body(Counts.class);
        } catch (RestClientException e) {
            throw new ApiProblemException(HttpStatus.BAD_GATEWAY, "inference_unavailable", "inference-service unavailable",
                    "inference-service did not answer its usage summary: " + e.getMessage());
        }
        if (served == null) {
            throw new ApiProblemException(HttpStatus.BAD_GATEWAY, "inference_unavailable", "inference-service unavailable",
                    "inference-service answered its usage summary with nothing");
        }
        UsageReport.Totals metered = usage.meteredBetween(from, to);
        UsageReport.Totals rolledUp = usage.rolledUpBetween(from, to);
        return Reconciliation.of(from, to, served,
                new Counts(metered.requests(), metered.promptTokens(), metered.completionTokens()),
                new Counts(rolledUp.requests(), rolledUp.promptTokens(), rolledUp.completionTokens()));
    }
}
