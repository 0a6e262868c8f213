package io.tokenfactory.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.json.JsonMapper;

class EventJsonRoundTripTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Instant AT = Instant.parse("2026-11-27T10:15:30.123456Z");

    private static final UUID DEPARTMENT = UUID.fromString("6b1f4a52-1a7e-4c5e-9d2e-0c6f1a2b3c4d");

    static UsageRecorded usage() {
        return new UsageRecorded(UUID.randomUUID(), AT, "req-1", DEPARTMENT, UUID.randomUUID(), UUID.randomUUID(), null,
                "tf-tiny", "djl", "node-a", "cpu0", 12, 34, UsageOutcome.COMPLETED, 250, 40, 1.75, EnergySource.RAPL,
                0.25, false, "cpu-small", 0.0, "user-4711");
    }

    static Stream<TokenFactoryEvent> events() {
        return Stream.of(usage(),
                new PowerSampled(UUID.randomUUID(), AT, "node-a", "gpu0", "GPU", AT.minusSeconds(10), AT, 3000.5,
                        2100.25, EnergySource.NVML, "h100-sxm", 10.0, 7.5, 0.0),
                new UsageMetered(UUID.randomUUID(), AT, DEPARTMENT,
                        List.of(new UsageMetered.Item(usage(), new BigDecimal("1.750000000"),
                                new BigDecimal("0.350000000"), new BigDecimal("1.2")))),
                new IdleEnergyAllocated(UUID.randomUUID(), AT, DEPARTMENT, Instant.parse("2026-11-27T10:00:00Z"),
                        new BigDecimal("512.000000001"), new BigDecimal("102.4"), 2,
                        List.of(new IdleEnergyAllocated.NodeShare("node-a", "h100-sxm", EnergySource.DCGM,
                                new BigDecimal("512.000000001"), new BigDecimal("102.4"), new BigDecimal("3.5")))),
                new BudgetStatusChanged(UUID.randomUUID(), AT, DEPARTMENT, "2026-11", new BigDecimal("1234.567890"),
                        new BigDecimal("1000.000000"), "EUR", BudgetState.EXCEEDED, true),
                new AgentStateChanged(UUID.randomUUID(), AT, UUID.randomUUID(), DEPARTMENT, "RUNNING", "PAUSED",
                        "budget_exceeded"));
    }

    @ParameterizedTest
    @MethodSource("events")
    void survivesJsonRoundTripUnchanged(TokenFactoryEvent event) {
        String json = JSON.writeValueAsString(event);

        Class<? extends TokenFactoryEvent> recordClass = EventTypes.recordFor(event.type()).orElseThrow();
        assertThat(JSON.readValue(json, recordClass)).isEqualTo(event);
    }

    @ParameterizedTest
    @MethodSource("events")
    void carriesNoFrameworkOrClassNamesOnTheWire(TokenFactoryEvent event) {
        String json = JSON.writeValueAsString(event);

        assertThat(json).doesNotContain("io.tokenfactory").doesNotContain("\"type\"");
    }

    @Test
    void usageRecordedHasTheFieldsOfTheBriefPlusEstimateFlagNodeClassEnergyGapEndUserTraceparentAndTags() {
        JsonNode json = JSON.valueToTree(usage());

        assertThat(Set.copyOf(json.propertyNames())).containsExactlyInAnyOrder("eventId", "occurredAt", "requestId",
                "departmentId", "apiKeyId", "agentId", "agentRunId", "model", "backend", "node", "device",
                "promptTokens", "completionTokens", "outcome", "latencyMs", "timeToFirstTokenMs", "energyJoules",
                "energySource", "acceleratorSeconds", "tokensEstimated", "nodeClass", "energyGapSeconds", "endUser",
                "traceparent", "tags", "deployment");
        assertThat(json.get("outcome").asString()).isEqualTo("COMPLETED");
    }

    @Test
    void costTagsTravelWithUsageAndAnEventFromBeforeThemHasNone() {
        UsageRecorded usage = usage();
        UsageRecorded tagged = new UsageRecorded(usage.eventId(), usage.occurredAt(), usage.requestId(),
                usage.departmentId(), usage.apiKeyId(), usage.agentId(), usage.agentRunId(), usage.model(),
                usage.backend(), usage.node(), usage.device(), usage.promptTokens(), usage.completionTokens(),
                usage.outcome(), usage.latencyMs(), usage.timeToFirstTokenMs(), usage.energyJoules(),
                usage.energySource(), usage.acceleratorSeconds(), usage.tokensEstimated(), usage.nodeClass(),
                usage.energyGapSeconds(), usage.endUser(), null, java.util.Map.of("team", "search"));

        assertThat(JSON.readValue(JSON.writeValueAsString(tagged), UsageRecorded.class).tag("team"))
            .isEqualTo("search");
        ObjectNode fromBefore = JSON.valueToTree(tagged);
        fromBefore.remove("tags");
        assertThat(JSON.treeToValue(fromBefore, UsageRecorded.class).tags()).isEmpty();
    }

    @Test
    void theDeploymentTravelsWithUsageAndAnEventFromBeforeDeploymentsHasNone() {
        UsageRecorded usage = usage();
        UsageRecorded deployed = new UsageRecorded(usage.eventId(), usage.occurredAt(), usage.requestId(),
                usage.departmentId(), usage.apiKeyId(), usage.agentId(), usage.agentRunId(), usage.model(),
                usage.backend(), usage.node(), usage.device(), usage.promptTokens(), usage.completionTokens(),
                usage.outcome(), usage.latencyMs(), usage.timeToFirstTokenMs(), usage.energyJoules(),
                usage.energySource(), usage.acceleratorSeconds(), usage.tokensEstimated(), usage.nodeClass(),
                usage.energyGapSeconds(), usage.endUser(), null, java.util.Map.of(), "llama-h100");

        assertThat(JSON.readValue(JSON.writeValueAsString(deployed), UsageRecorded.class).deployment())
            .isEqualTo("llama-h100");
        ObjectNode fromBefore = JSON.valueToTree(deployed);
        fromBefore.remove("deployment");
        assertThat(JSON.treeToValue(fromBefore, UsageRecorded.class).deployment()).isNull();
    }

    @Test
    void aTraceparentTravelsWithUsageAndOnlyWithUsage() {
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        UsageRecorded usage = usage();
        UsageRecorded traced = new UsageRecorded(usage.eventId(), usage.occurredAt(), usage.requestId(),
                usage.departmentId(), usage.apiKeyId(), usage.agentId(), usage.agentRunId(), usage.model(),
                usage.backend(), usage.node(), usage.device(), usage.promptTokens(), usage.completionTokens(),
                usage.outcome(), usage.latencyMs(), usage.timeToFirstTokenMs(), usage.energyJoules(),
                usage.energySource(), usage.acceleratorSeconds(), usage.tokensEstimated(), usage.nodeClass(),
                usage.energyGapSeconds(), usage.endUser(), traceparent);

        assertThat(JSON.readValue(JSON.writeValueAsString(traced), UsageRecorded.class).traceparent())
            .isEqualTo(traceparent);
        ObjectNode fromBefore = JSON.valueToTree(traced);
        fromBefore.remove("traceparent");
        assertThat(JSON.treeToValue(fromBefore, UsageRecorded.class).traceparent()).isNull();
        var status = new BudgetStatusChanged(UUID.randomUUID(), AT, DEPARTMENT, "2026-11", BigDecimal.ONE,
                BigDecimal.TEN, "EUR", BudgetState.OK, false);
        assertThat(Set.copyOf(JSON.valueToTree(status).propertyNames())).doesNotContain("traceparent");
    }

    @Test
    void moneyKeepsItsScaleThroughJson() {
        var status = new BudgetStatusChanged(UUID.randomUUID(), AT, DEPARTMENT, "2026-11", new BigDecimal("0.000001"),
                new BigDecimal("10.50"), "EUR", BudgetState.OK, false);

        var back = JSON.readValue(JSON.writeValueAsString(status), BudgetStatusChanged.class);

        assertThat(back.spent()).isEqualByComparingTo("0.000001");
        assertThat(back.limit().scale()).isEqualTo(2);
    }

    @Test
    void everyTypeNameIsLogicalAndVersioned() {
        assertThat(EventTypes.all().keySet()).hasSize(6)
            .allMatch(type -> type.matches("tokenfactory\\.[a-z]+(-[a-z]+)*\\.v[1-9][0-9]*"));
        events().forEach(event -> assertThat(EventTypes.recordFor(event.type())).contains(event.getClass()));
    }

    @Test
    void subjectNamesWhatTheEventIsAbout() {
        assertThat(usage().subject()).isEqualTo("department/" + DEPARTMENT);
        assertThat(List.of(usage().totalTokens())).containsExactly(46L);
    }

    @Test
    void eventsOfProducersThatPredateNodeClassesAndGapsStillRead() {
        var usage = JSON.readValue("""
                {"eventId":"%s","occurredAt":"2026-11-27T10:15:30Z","requestId":"r","departmentId":"%s","model":"m",
                 "backend":"djl","node":"n","device":"cpu","promptTokens":1,"completionTokens":2,"outcome":"COMPLETED",
                 "latencyMs":3,"timeToFirstTokenMs":1,"energyJoules":0.5,"energySource":"ESTIMATED",
                 "acceleratorSeconds":0.1,"tokensEstimated":false}""".formatted(UUID.randomUUID(), DEPARTMENT),
                UsageRecorded.class);
        var idle = JSON.readValue("""
                {"eventId":"%s","occurredAt":"2026-11-27T10:15:30Z","departmentId":"%s",
                 "hourStart":"2026-11-27T09:00:00Z","idleEnergyJoules":1.5,"facilityOverheadJoules":0,"revision":1}"""
            .formatted(UUID.randomUUID(), DEPARTMENT), IdleEnergyAllocated.class);

        assertThat(usage.nodeClass()).isNull();
        assertThat(usage.energyGapSeconds()).isZero();
        assertThat(usage.endUser()).isNull();
        assertThat(idle.nodes()).isEmpty();
    }

    @Test
    void everySourceSaysWhetherItIsMeasuredAndHowToNameIt() {
        assertThat(EnergySource.DCGM.label()).isEqualTo("measured (DCGM)");
        assertThat(EnergySource.DCGM_POWER.label()).isEqualTo("integrated power (DCGM)");
        assertThat(EnergySource.ESTIMATED.label()).isEqualTo("estimated");
        assertThat(EnergySource.DCGM.measured()).isTrue();
        assertThat(EnergySource.KEPLER.measured()).isTrue();
        assertThat(EnergySource.ESTIMATED.measured()).isFalse();
        assertThat(EnergySource.NONE.measured()).isFalse();
    }

}
