package io.tokenfactory.metering.reconciliation;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokenfactory.metering.MeteringFixtures;
import io.tokenfactory.metering.reconciliation.Reconciliation.RelayedRow;
import io.tokenfactory.metering.reconciliation.Reconciliation.Tokens;
import io.tokenfactory.metering.usage.UsageQueries;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.StubHttpServer;
import io.tokenfactory.testsupport.StubHttpServer.Request;
import io.tokenfactory.testsupport.StubHttpServer.Response;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.client.RestClient;

/**
 * Reconciliation sets what the gateway relayed to clients against what inference served,
 * per department, over the hours the gateway has counted completely; inference, billing
 * and the gateway are stubs answering their usage summaries, metering is this service's
 * own database (nothing in these long-past windows).
 */
@ServiceIntegrationTest
class RelayedReconciliationIntegrationTests {

    private static final String ADMIN = "Bearer admin-identity-token";

    private static final UUID RESEARCH = UUID.fromString("6b1f0000-0000-0000-0000-000000000001");

    private static final UUID SALES = UUID.fromString("6b1f0000-0000-0000-0000-000000000002");

    private static final UUID LEGAL = UUID.fromString("6b1f0000-0000-0000-0000-000000000003");

    private static final Instant FROM = Instant.parse("2021-03-04T05:00:00Z");

    private static final Instant TO = Instant.parse("2021-03-04T08:00:00Z");

    /** Each stub's answer, by the window's end it was asked for. */
    private final Map<String, String> served = new ConcurrentHashMap<>();

    private final Map<String, String> relayed = new ConcurrentHashMap<>();

    private final StubHttpServer inference = new StubHttpServer().route("GET", "/api/inference/usage-summary",
            request -> answer(served, request));

    private final StubHttpServer billing = new StubHttpServer().route("GET", "/api/billing/usage-summary",
            request -> Response.json(200, "{\"rows\":[],\"idle\":[]}"));

    private final StubHttpServer gateway = new StubHttpServer().route("GET", "/api/gateway/relayed-usage",
            request -> answer(relayed, request));

    private final MeterRegistry meters = new SimpleMeterRegistry();

    @Autowired
    UsageQueries usage;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    RestClient.Builder restClients;

    @AfterEach
    void stopStubs() {
        inference.close();
        billing.close();
        gateway.close();
    }

    @Test
    void findsNoDifferenceWhenTheClientsReceivedWhatInferenceServed() {
        served.put(TO.toString(), summary(row(RESEARCH, "llama", 10, 20), row(RESEARCH, "mistral", 5, 5)));
        relayed.put(TO.toString(),
                summary(relayedRow(RESEARCH, "llama", 10, 20, 0), relayedRow(RESEARCH, "mistral", 5, 5, 0)));

        Reconciliation reconciliation = reconcileAt("2021-03-04T09:00:00Z");

        assertThat(reconciliation.relayed()).satisfies(check -> {
            assertThat(check.from()).isEqualTo(FROM);
            assertThat(check.to()).isEqualTo(TO);
            assertThat(check.relayed()).isEqualTo(new Tokens(15, 25));
            assertThat(check.difference()).isEqualTo(new Tokens(0, 0));
            assertThat(check.balanced()).isTrue();
            assertThat(check.rows()).containsExactly(
                    new RelayedRow(RESEARCH, new Tokens(15, 25), new Tokens(15, 25), new Tokens(0, 0), 0, true));
        });
        assertThat(reconciliation.unavailable()).isEmpty();
        assertThat(difference(RESEARCH, "completion")).isZero();
        // asked with the caller's own token, like inference and billing
        assertThat(gateway.requests()).singleElement()
            .satisfies(request -> assertThat(request.header("Authorization")).isEqualTo(ADMIN));
    }

    @Test
    void reportsEachDepartmentsDifferenceWhenTheGatewayCountedOtherwise() {
        served.put(TO.toString(), summary(row(RESEARCH, "llama", 10, 20), row(SALES, "llama", 7, 9)));
        // sales' stream was cut short before its usage: 6 chunks went out, inference
        // recorded 9; legal received tokens inference never recorded
        relayed.put(TO.toString(), summary(relayedRow(RESEARCH, "llama", 10, 20, 0),
                relayedRow(SALES, "llama", 0, 6, 1), relayedRow(LEGAL, "llama", 3, 4, 0)));

        Reconciliation reconciliation = reconcileAt("2021-03-04T09:00:00Z");

        assertThat(reconciliation.relayed()).satisfies(check -> {
            assertThat(check.balanced()).isFalse();
            assertThat(check.difference()).isEqualTo(new Tokens(-4, 1));
            assertThat(check.chunkCountedRequests()).isEqualTo(1);
            assertThat(check.rows()).containsExactly(
                    new RelayedRow(RESEARCH, new Tokens(10, 20), new Tokens(10, 20), new Tokens(0, 0), 0, true),
                    new RelayedRow(SALES, new Tokens(0, 6), new Tokens(7, 9), new Tokens(-7, -3), 1, false),
                    new RelayedRow(LEGAL, new Tokens(3, 4), new Tokens(0, 0), new Tokens(3, 4), 0, false));
        });
        assertThat(reconciliation.balanced()).isFalse();
        assertThat(difference(SALES, "completion")).isEqualTo(-3);
        assertThat(difference(SALES, "prompt")).isEqualTo(-7);
        assertThat(difference(LEGAL, "completion")).isEqualTo(4);
        assertThat(difference(RESEARCH, "completion")).isZero();
    }

    @Test
    void comparesOnlyTheHoursTheGatewayHasCountedCompletely() {
        Instant counted = Instant.parse("2021-03-04T07:00:00Z");
        served.put(TO.toString(), summary(row(RESEARCH, "llama", 11, 21)));
        served.put(counted.toString(), summary(row(RESEARCH, "llama", 10, 20)));
        relayed.put(counted.toString(), summary(relayedRow(RESEARCH, "llama", 10, 20, 0)));

        // 07:00–08:00 ended only 30 s ago: the gateway's replicas may not all have
        // flushed it
        Reconciliation reconciliation = reconcileAt("2021-03-04T08:00:30Z");

        assertThat(reconciliation.relayed()).satisfies(check -> {
            assertThat(check.to()).isEqualTo(counted);
            assertThat(check.balanced()).isTrue();
        });
        assertThat(gateway.requests()).singleElement()
            .satisfies(request -> assertThat(request.query()).contains("to=2021-03-04T07:00:00Z"));
        assertThat(reconcileAt("2021-03-04T05:30:00Z").relayed()).as("no hour counted yet").isNull();
    }

    @Test
    void namesAGatewayThatDoesNotAnswerAndIsNotBalanced() {
        served.put(TO.toString(), summary(row(RESEARCH, "llama", 10, 20)));

        Reconciliation reconciliation = reconcileAt("2021-03-04T09:00:00Z");

        assertThat(reconciliation.unavailable()).singleElement()
            .satisfies(reason -> assertThat(reason).startsWith("gateway: "));
        assertThat(reconciliation.relayed()).satisfies(check -> {
            assertThat(check.relayed()).isNull();
            assertThat(check.difference()).isNull();
            assertThat(check.served()).isEqualTo(new Tokens(10, 20));
            assertThat(check.balanced()).isFalse();
        });
        assertThat(reconciliation.balanced()).isFalse();
    }

    private Reconciliation reconcileAt(String now) {
        UsageSummaryClient summaries = new UsageSummaryClient(restClients, MeteringFixtures
            .properties(URI.create(inference.url()), URI.create(billing.url()), URI.create(gateway.url())));
        ReconciliationService reconciliation = new ReconciliationService(summaries, usage, jdbc,
                Clock.fixed(Instant.parse(now), ZoneOffset.UTC), MeteringFixtures.properties(),
                new ReconciliationGauges(meters));
        return reconciliation.reconcile(FROM, TO, ADMIN);
    }

    private double difference(UUID department, String type) {
        return meters.get("tokenfactory.metering.reconciliation.relayed.difference")
            .tag("department", department.toString())
            .tag("type", type)
            .gauge()
            .value();
    }

    /** The answer for the window's end asked for; 503 for a window nobody set. */
    private static Response answer(Map<String, String> answers, Request request) {
        String to = request.query().replaceAll(".*to=([^&]*).*", "$1");
        String answer = answers.get(to);
        return answer == null ? Response.of(503) : Response.json(200, answer);
    }

    private static String summary(String... rows) {
        return "{\"awaitingEnergy\":0,\"rows\":[" + String.join(",", rows) + "]}";
    }

    private static String row(UUID department, String model, long prompt, long completion) {
        return "{\"department\":\"" + department + "\",\"model\":\"" + model + "\",\"requests\":1,\"promptTokens\":"
                + prompt + ",\"completionTokens\":" + completion + ",\"energyJoules\":1.5,\"awaitingEnergy\":0}";
    }

    private static String relayedRow(UUID department, String model, long prompt, long completion, long byChunks) {
        return "{\"department\":\"" + department + "\",\"model\":\"" + model + "\",\"requests\":1,\"promptTokens\":"
                + prompt + ",\"completionTokens\":" + completion + ",\"chunkCountedRequests\":" + byChunks + "}";
    }

}
