package io.tokenfactory.metering.energy;

import static io.tokenfactory.metering.MeteringEvents.power;
import static io.tokenfactory.metering.MeteringEvents.publish;
import static io.tokenfactory.metering.MeteringEvents.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.IdleEnergyAllocated;
import io.tokenfactory.contracts.PowerSampled;
import io.tokenfactory.contracts.TokenFactoryEvent;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.metering.usage.UsageIngestion;
import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestInfrastructure;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Idle energy is shared by busy energy, never dropped, corrected when late data arrives,
 * and every measured joule is accounted for: direct + allocated idle + unallocated =
 * measured. (The tests run with PUE 1.25, see the pom.)
 */
@ServiceIntegrationTest
class EnergyAttributionIntegrationTests {

    private static final Instant H1 = Instant.now()
        .truncatedTo(ChronoUnit.DAYS)
        .minus(3, ChronoUnit.DAYS)
        .plus(10, ChronoUnit.HOURS);

    private static final Instant H2 = H1.plus(1, ChronoUnit.HOURS);

    @Autowired
    StreamBridge streamBridge;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    IdleAllocation allocation;

    @Autowired
    UsageIngestion usageIngestion;

    @Autowired
    PowerIngestion powerIngestion;

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    JsonMapper json;

    @LocalServerPort
    int port;

    @Test
    void sharesIdleEnergyByBusyEnergyKeepsUnusedHoursVisibleAndCorrectsLateData() {
        String node = "node-" + UUID.randomUUID();
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        List<TokenFactoryEvent> events = new ArrayList<>();
        // H1: six 10-minute windows of 100 J, 40 J of each busy; one window of 120 J
        // straddling into H2
        for (int i = 0; i < 6; i++) {
            events.add(power(node, H1.plus(i * 10L, ChronoUnit.MINUTES), H1.plus(i * 10L + 10, ChronoUnit.MINUTES), 100,
                    40));
        }
        events.add(power(node, H2.minus(10, ChronoUnit.MINUTES), H2.plus(10, ChronoUnit.MINUTES), 120, 0));
        // H2: nobody uses the node
        events.add(power(node, H2.plus(10, ChronoUnit.MINUTES), H2.plus(40, ChronoUnit.MINUTES), 50, 0));
        // busy energy in H1: department a 4 × 40 J, b 2 × 40 J (= the 240 J the node
        // reported busy)
        for (int i = 0; i < 4; i++) {
            events.add(usage(a, null, "byte-lm-moby", node, H1.plus(i * 7L, ChronoUnit.MINUTES), 100, 300, 40));
        }
        for (int i = 0; i < 2; i++) {
            events.add(usage(b, null, "byte-lm-moby", node, H1.plus(i * 11L, ChronoUnit.MINUTES), 50, 150, 40));
        }
        events.forEach(event -> publish(streamBridge, event));
        await().atMost(Duration.ofSeconds(30))
            .until(() -> measured(node).compareTo(new BigDecimal("770")) == 0
                    && direct(node).compareTo(new BigDecimal("240")) == 0);

        allocateEverythingDue(node);

        // H1 idle: 600 + 60 − 240 = 420 J, shared 160 : 80; H2: 60 + 50 J unallocated
        assertThat(allocated(node, H1)).containsExactlyInAnyOrderEntriesOf(
                Map.of(a, new BigDecimal("280.000000000"), b, new BigDecimal("140.000000000")));
        assertThat(allocated(node, H2))
            .containsExactlyInAnyOrderEntriesOf(Map.of(unallocated(), new BigDecimal("110.000000000")));
        JsonNode nodeBalance = nodeBalance(energy(H1, H2.plus(1, ChronoUnit.HOURS)), node);
        assertThat(nodeBalance.get("measuredJoules").decimalValue()).isEqualByComparingTo("770");
        assertThat(nodeBalance.get("directJoules").decimalValue()).isEqualByComparingTo("240");
        assertThat(nodeBalance.get("allocatedIdleJoules").decimalValue()).isEqualByComparingTo("420");
        assertThat(nodeBalance.get("unallocatedIdleJoules").decimalValue()).isEqualByComparingTo("110");
        assertThat(nodeBalance.get("pendingIdleJoules").decimalValue()).isEqualByComparingTo("0");
        // a zero with nine decimals is written 0.000000000, as people read it, not 0E-9
        assertThat(HttpTestClient.onPort(port)
            .asAdmin()
            .getText("/api/metering/energy?from=" + H1 + "&to=" + H2.plus(1, ChronoUnit.HOURS))
            .getBody()).doesNotContainPattern("[0-9]E-?[0-9]");
        assertThat(nodeBalance.get("unattributedJoules").decimalValue()).isEqualByComparingTo("0");
        assertThat(nodeBalance.get("facilityOverheadJoules").decimalValue()).isEqualByComparingTo("192.5");

        Map<UUID, List<IdleEnergyAllocated>> published = idleEventsFor(List.of(a, b), 2);
        assertThat(published.get(a)).singleElement().satisfies(event -> {
            assertThat(event.hourStart()).isEqualTo(H1);
            assertThat(event.idleEnergyJoules()).isEqualByComparingTo("280");
            assertThat(event.facilityOverheadJoules()).isEqualByComparingTo("70");
            assertThat(event.revision()).isEqualTo(1);
        });
        assertThat(published.get(b)).singleElement()
            .satisfies(event -> assertThat(event.idleEnergyJoules()).isEqualByComparingTo("140"));

        // late data for H1: another device's window (100 J, 80 busy) and department c's
        // 80 J of requests
        publish(streamBridge, new PowerSampled(UUID.randomUUID(), H1.plusSeconds(600), node, "cpu1", "cpu", H1,
                H1.plusSeconds(600), 100, 80, EnergySource.RAPL, null, 0.0, 0.0, 0.0));
        publish(streamBridge, usage(c, null, "byte-lm-moby", node, H1.plusSeconds(30), 10, 10, 80));
        await().atMost(Duration.ofSeconds(30))
            .until(() -> measured(node).compareTo(new BigDecimal("870")) == 0
                    && direct(node).compareTo(new BigDecimal("320")) == 0);
        allocateEverythingDue(node);

        // H1 idle is now 440 J, shared 160 : 80 : 80
        assertThat(allocated(node, H1)).containsExactlyInAnyOrderEntriesOf(Map.of(a, new BigDecimal("220.000000000"), b,
                new BigDecimal("110.000000000"), c, new BigDecimal("110.000000000")));
        Map<UUID, List<IdleEnergyAllocated>> corrections = idleEventsFor(List.of(a, b, c), 3);
        assertThat(corrections.get(a)).singleElement().satisfies(event -> {
            assertThat(event.revision()).isEqualTo(2);
            assertThat(event.idleEnergyJoules()).isEqualByComparingTo("220");
        });
        assertThat(corrections.get(c)).singleElement().satisfies(event -> assertThat(event.revision()).isEqualTo(1));
        JsonNode after = nodeBalance(energy(H1, H2.plus(1, ChronoUnit.HOURS)), node);
        assertThat(after.get("directJoules")
            .decimalValue()
            .add(after.get("allocatedIdleJoules").decimalValue())
            .add(after.get("unallocatedIdleJoules").decimalValue()))
            .isEqualByComparingTo(after.get("measuredJoules").decimalValue())
            .isEqualByComparingTo("870");

        // allocating again with nothing new changes nothing
        assertThat(allocation.allocateDue()).isZero();
    }

    @Test
    void everyMeasuredJouleIsDirectAllocatedOrUnallocatedForRandomLoads() {
        Random random = new Random(20261127);
        Instant day = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(4, ChronoUnit.DAYS);
        List<String> nodes = List.of("node-" + UUID.randomUUID(), "node-" + UUID.randomUUID(),
                "node-" + UUID.randomUUID());
        List<UUID> departments = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        List<UsageRecorded> usage = new ArrayList<>();
        List<PowerSampled> power = new ArrayList<>();
        for (String node : nodes) {
            for (int minute = 0; minute < 6 * 60; minute += 5) {
                Instant start = day.plus(minute, ChronoUnit.MINUTES);
                BigDecimal busy = BigDecimal.ZERO;
                int requests = minute % 120 < 60 ? random.nextInt(4) : 0;
                for (int r = 0; r < requests; r++) {
                    double joules = random.nextInt(50_000) / 1000.0;
                    busy = busy.add(new BigDecimal(Double.toString(joules)));
                    usage.add(usage(departments.get(random.nextInt(departments.size())), null, "byte-lm-moby", node,
                            start.plusSeconds(random.nextInt(300)), 20, 40, joules));
                }
                power.add(power(node, start, start.plus(5, ChronoUnit.MINUTES),
                        busy.add(BigDecimal.valueOf(random.nextInt(400_000), 3)).doubleValue(), busy.doubleValue()));
            }
        }
        usageIngestion.ingest(usage);
        powerIngestion.ingest(power);
        for (String node : nodes) {
            allocateEverythingDue(node);
        }

        BigDecimal measured = BigDecimal.ZERO;
        BigDecimal accounted = BigDecimal.ZERO;
        JsonNode balance = energy(day, day.plus(6, ChronoUnit.HOURS));
        for (String node : nodes) {
            JsonNode nodeBalance = nodeBalance(balance, node);
            measured = measured.add(nodeBalance.get("measuredJoules").decimalValue());
            accounted = accounted.add(nodeBalance.get("directJoules").decimalValue())
                .add(nodeBalance.get("allocatedIdleJoules").decimalValue())
                .add(nodeBalance.get("unallocatedIdleJoules").decimalValue());
            assertThat(nodeBalance.get("unallocatedIdleJoules").decimalValue()).isPositive();
            assertThat(nodeBalance.get("allocatedIdleJoules").decimalValue()).isPositive();
        }
        BigDecimal expected = power.stream()
            .map(sample -> new BigDecimal(Double.toString(sample.energyJoules())))
            .reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(measured).isEqualByComparingTo(expected);
        assertThat(accounted).isEqualByComparingTo(expected);
    }

    @Test
    void efficiencyCountsDirectIdleAndFacilityEnergyAndADepartmentSeesOnlyItself() {
        String node = "node-" + UUID.randomUUID();
        UUID department = UUID.randomUUID();
        Instant hour = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(2, ChronoUnit.DAYS).plus(8, ChronoUnit.HOURS);
        usageIngestion
            .ingest(List.of(usage(department, null, "byte-lm-moby", node, hour.plusSeconds(60), 1000, 3000, 100),
                    usage(department, null, "byte-lm-moby", node, hour.plusSeconds(120), 500, 1500, 100)));
        powerIngestion.ingest(List.of(power(node, hour, hour.plus(1, ChronoUnit.HOURS), 360, 200)));
        allocateEverythingDue(node);

        ResponseEntity<JsonNode> response = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(department, "usage:read"))
            .get("/api/metering/efficiency?from=" + hour + "&to=" + hour.plus(1, ChronoUnit.HOURS) + "&groupBy=model");
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        JsonNode row = response.getBody().get("rows").get(0);
        // 6000 tokens; 200 J direct + 160 J idle = 360 J, × 1.25 = 450 J all in, over
        // 3600 s
        assertThat(row.get("model").asString()).isEqualTo("byte-lm-moby");
        assertThat(row.get("tokens").asLong()).isEqualTo(6000);
        assertThat(row.get("directJoules").decimalValue()).isEqualByComparingTo("200");
        assertThat(row.get("idleJoules").decimalValue()).isEqualByComparingTo("160");
        assertThat(row.get("facilityOverheadJoules").decimalValue()).isEqualByComparingTo("90");
        assertThat(row.get("tokensPerJoule").decimalValue()).isEqualByComparingTo("30");
        assertThat(row.get("tokensPerJouleAllIn").decimalValue()).isEqualByComparingTo("13.333333");
        assertThat(row.get("joulesPerToken").decimalValue()).isEqualByComparingTo("0.075");
        assertThat(row.get("averageWatts").decimalValue()).isEqualByComparingTo("0.125");
        assertThat(row.get("tokensPerSecond").decimalValue()).isEqualByComparingTo("1.666667");

        ResponseEntity<JsonNode> other = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(UUID.randomUUID(), "usage:read"))
            .get("/api/metering/efficiency?department=" + department);
        assertThat(other.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        ResponseEntity<JsonNode> balance = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(department, "usage:read"))
            .get("/api/metering/energy");
        assertThat(balance.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    @Test
    void sharesIdleAcceleratorTimeLikeIdleEnergyAndTellsBillingEachNodesShareClassAndSource() {
        Instant hour = H1.minus(2, ChronoUnit.HOURS);
        String gpus = "gpu-node-" + UUID.randomUUID();
        String cpus = "cpu-node-" + UUID.randomUUID();
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        // gpu node: 2 accelerators for an hour, 1,800 s of them busy; 1,000 J, 600 busy
        publish(streamBridge,
                new PowerSampled(UUID.randomUUID(), hour.plus(1, ChronoUnit.HOURS), gpus, "gpu0,gpu1", "gpu", hour,
                        hour.plus(1, ChronoUnit.HOURS), 1000, 600, EnergySource.DCGM, "h100-sxm", 7200.0, 1800.0, 0.0));
        // cpu node: 100 J, 50 busy, 600 of 3,600 accelerator-seconds busy, and a 60 s gap
        publish(streamBridge, new PowerSampled(UUID.randomUUID(), hour.plus(1, ChronoUnit.HOURS), cpus, "cpu-package",
                "cpu", hour, hour.plus(1, ChronoUnit.HOURS), 100, 50, EnergySource.RAPL, null, 3600.0, 600.0, 60.0));
        publish(streamBridge, usage(a, null, "gpu-llm", gpus, hour.plusSeconds(60), 10, 10, 450, EnergySource.DCGM));
        publish(streamBridge, usage(b, null, "gpu-llm", gpus, hour.plusSeconds(90), 10, 10, 150, EnergySource.DCGM));
        publish(streamBridge,
                usage(b, null, "byte-lm-moby", cpus, hour.plusSeconds(120), 10, 10, 50, EnergySource.RAPL));
        await().atMost(Duration.ofSeconds(30))
            .until(() -> measured(gpus).compareTo(new BigDecimal("1000")) == 0
                    && direct(gpus).compareTo(new BigDecimal("600")) == 0
                    && direct(cpus).compareTo(new BigDecimal("50")) == 0);

        allocateEverythingDue(gpus);
        allocateEverythingDue(cpus);

        // gpu node: 400 J and 5,400 s idle, shared 3 : 1 by busy energy; cpu node: all of
        // it to b
        Map<UUID, List<IdleEnergyAllocated>> published = idleEventsFor(List.of(a, b), 2);
        assertThat(published.get(a)).singleElement().satisfies(event -> {
            assertThat(event.idleEnergyJoules()).isEqualByComparingTo("300");
            assertThat(event.nodes()).singleElement().satisfies(share -> {
                assertThat(share.node()).isEqualTo(gpus);
                assertThat(share.nodeClass()).isEqualTo("h100-sxm");
                assertThat(share.energySource()).isEqualTo(EnergySource.DCGM);
                assertThat(share.idleAcceleratorSeconds()).isEqualByComparingTo("4050");
                assertThat(share.facilityOverheadJoules()).isEqualByComparingTo("75");
            });
        });
        assertThat(published.get(b)).singleElement().satisfies(event -> {
            assertThat(event.idleEnergyJoules()).isEqualByComparingTo("150");
            assertThat(event.nodes()).extracting(IdleEnergyAllocated.NodeShare::node)
                .containsExactlyInAnyOrder(gpus, cpus);
            assertThat(event.nodes()).filteredOn(share -> share.node().equals(cpus))
                .singleElement()
                .satisfies(share -> {
                    assertThat(share.idleEnergyJoules()).isEqualByComparingTo("50");
                    assertThat(share.idleAcceleratorSeconds()).isEqualByComparingTo("3000");
                    assertThat(share.energySource()).isEqualTo(EnergySource.RAPL);
                    assertThat(share.nodeClass()).isNull();
                });
        });
        JsonNode balance = nodeBalance(energy(hour, hour.plus(1, ChronoUnit.HOURS)), cpus);
        assertThat(balance.get("acceleratorSeconds").decimalValue()).isEqualByComparingTo("3600");
        assertThat(balance.get("idleAcceleratorSeconds").decimalValue()).isEqualByComparingTo("3000");
        assertThat(balance.get("allocatedIdleAcceleratorSeconds").decimalValue()).isEqualByComparingTo("3000");
        assertThat(balance.get("gapSeconds").decimalValue()).isEqualByComparingTo("60");
        assertThat(balance.get("energySource").asString()).isEqualTo("RAPL");
    }

    private void allocateEverythingDue(String node) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            allocation.allocateDue();
            return jdbc.queryForObject("SELECT count(*) FROM node_hour WHERE node = ? AND version <> allocated_version",
                    Long.class, node) == 0;
        });
    }

    private BigDecimal measured(String node) {
        return jdbc.queryForObject("SELECT COALESCE(sum(measured_joules), 0) FROM node_hour WHERE node = ?",
                BigDecimal.class, node);
    }

    private BigDecimal direct(String node) {
        return jdbc.queryForObject("SELECT COALESCE(sum(direct_joules), 0) FROM node_hour WHERE node = ?",
                BigDecimal.class, node);
    }

    private static UUID unallocated() {
        return new UUID(0, 0);
    }

    private Map<UUID, BigDecimal> allocated(String node, Instant hour) {
        Map<UUID, BigDecimal> shares = new HashMap<>();
        jdbc.query("SELECT department_id, idle_joules FROM idle_allocation WHERE node = ? AND hour_start = ?", row -> {
            UUID department = row.getObject(1, UUID.class);
            shares.put(department == null ? unallocated() : department, row.getBigDecimal(2));
        }, node, Timestamp.from(hour));
        return shares;
    }

    private JsonNode energy(Instant from, Instant to) {
        ResponseEntity<JsonNode> response = HttpTestClient.onPort(port)
            .asAdmin()
            .get("/api/metering/energy?from=" + from + "&to=" + to);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        return response.getBody();
    }

    private static JsonNode nodeBalance(JsonNode balance, String node) {
        for (JsonNode entry : balance.get("nodes")) {
            if (entry.get("node").asString().equals(node)) {
                return entry;
            }
        }
        throw new AssertionError("no balance for " + node + " in " + balance);
    }

    /** Drains billing's idle-energy queue and keeps the events of these departments. */
    private Map<UUID, List<IdleEnergyAllocated>> idleEventsFor(List<UUID> departments, int expected) {
        String queue = TestInfrastructure.prefixed("tokenfactory.idle-energy-allocated.billing-service");
        Map<UUID, List<IdleEnergyAllocated>> events = new HashMap<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Message message = rabbit.receive(queue, 200);
            if (message != null) {
                IdleEnergyAllocated event = json.readValue(message.getBody(), IdleEnergyAllocated.class);
                if (departments.contains(event.departmentId())) {
                    events.computeIfAbsent(event.departmentId(), d -> new ArrayList<>()).add(event);
                }
            }
            return events.size() >= expected;
        });
        return events;
    }

}
