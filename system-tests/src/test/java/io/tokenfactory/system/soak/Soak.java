package io.tokenfactory.system.soak;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.system.soak.FaultInjector.Injected;
import io.tokenfactory.system.soak.SoakSuite.Service;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The soak: the five services as processes on PostgreSQL and a broker (RabbitMQ or
 * Kafka), always-on agents in several departments and external OpenAI clients (plain,
 * streamed, walking away mid-stream) for the configured time, while faults are injected
 * one after another; then the load stops, the suite settles, and the three services'
 * books are reconciled with each other and with what the clients counted. The report is
 * Markdown.
 */
final class Soak {

    static final String MODEL = "byte-lm-moby";

    /**
     * @param unavailable the faults that could not be injected here, with the reason
     */
    record Result(Duration loadHeld, List<Injected> injected, Map<Fault, String> unavailable,
            Reconciliation reconciliation, boolean settled, String report) {
    }

    /**
     * How long inference-service waits before it closes a request whose process died
     * mid-stream as interrupted (production waits longer; the soak settles sooner).
     */
    private static final String ORPHAN_AFTER = "10s";

    private final SoakSettings settings;

    private final SoakSuite suite;

    private final RemoteNodeReports remoteNode;

    private Soak(SoakSettings settings, SoakSuite suite) {
        this.settings = settings;
        this.suite = suite;
        this.remoteNode = new RemoteNodeReports(suite.broker());
    }

    static Result run(SoakSettings settings, Path repository) throws Exception {
        try (SoakSuite suite = new SoakSuite(repository, settings.workDirectory(), Map.of(), settings.broker(), true)) {
            suite.environment("TF_INFERENCE_ORPHAN_AFTER", ORPHAN_AFTER);
            // at least three heartbeats fit in orphan-after
            suite.environment("TF_INFERENCE_HEARTBEAT", "2s");
            // a request served just before inference is killed, its energy window not yet
            // settled, is published without energy after this (5 min in production:
            // longer
            // than the soak waits to settle)
            suite.environment("TF_ENERGY_ABANDON_AFTER", "20s");
            return new Soak(settings, suite).run();
        }
    }

    private Result run() throws Exception {
        Instant began = Instant.now();
        suite.start(Duration.ofMinutes(5));
        Duration startup = Duration.between(began, Instant.now());
        Api admin = new Api(suite.gatewayUrl(), suite.adminKey());
        seedPrices(admin, "0.50", "1.50");
        List<String> keys = new ArrayList<>();
        List<String> agents = new ArrayList<>();
        List<UUID> departments = new ArrayList<>();
        for (int d = 1; d <= settings.departments(); d++) {
            // the first department pays cost plus a margin, so its idle energy is
            // charged, not only costed
            String department = admin.call("POST", "/api/billing/departments",
                    Map.of("name", "Soak department " + d, "costCentreCode", "CC-SOAK-" + d, "monthlyBudget", "1000000",
                            "softAlertPercent", 80, "pricingMode", d == 1 ? "COST_PLUS" : "LIST_PRICE", "marginPercent",
                            "10"),
                    201)
                .get("id")
                .asString();
            departments.add(UUID.fromString(department));
            keys.add(
                    admin
                        .call("POST", "/api/keys", Map.of("name", "soak client " + d, "departmentId", department,
                                "scopes", List.of("inference")), 201)
                        .get("secret")
                        .asString());
            for (int a = 1; a <= settings.agentsPerDepartment(); a++) {
                String agent = admin.call("POST", "/api/agents",
                        Map.of("name", "soak-agent-" + a, "departmentId", department, "model", MODEL, "instructions",
                                "Write one line of today's notes for department " + d + ".", "tools", List.of(),
                                "trigger", Map.of("kind", "LOOP", "intervalSeconds", settings.agentIntervalSeconds()),
                                "limits", Map.of("maxSteps", 1, "maxTokensPerRun", 2_000)),
                        201)
                    .get("id")
                    .asString();
                admin.call("POST", "/api/agents/" + agent + "/activate", null, 200);
                agents.add(agent);
            }
        }
        // a month with usage (reported by a remote node), closed before the load starts:
        // nothing the soak does may
        // change its statements, not even more usage of that month arriving late
        YearMonth closedMonth = YearMonth.now(ZoneOffset.UTC).minusMonths(2);
        Instant closedMonthStart = closedMonth.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        remoteNode.report(departments, closedMonthStart, MODEL);
        remoteNode.report(departments, closedMonthStart, MODEL);
        Awaitility.await("the closed month's usage is billed")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(500))
            .ignoreExceptions()
            .until(() -> suite.count(Service.BILLING, "SELECT count(*) FROM usage_charge") == remoteNode.reported
                .size());
        admin.call("POST", "/api/billing/periods/" + closedMonth + "/close", null, 200, 201);
        String closedStatements = Reconciliation.closedStatements(suite, closedMonth.toString());
        ClientLoad clients = new ClientLoad(suite.gatewayUrl(), keys, MODEL);
        FaultInjector faults = new FaultInjector(suite, clients, remoteNode, departments, closedMonthStart);

        Map<Fault, String> unavailable = new EnumMap<>(Fault.class);
        settings.faults().forEach(fault -> faults.unavailable(fault).ifPresent(why -> unavailable.put(fault, why)));
        List<Fault> available = settings.faults().stream().filter(fault -> !unavailable.containsKey(fault)).toList();
        List<Injected> injected = new ArrayList<>();
        Instant loadStarted = Instant.now();
        Instant loadEnds = loadStarted.plus(settings.duration());
        clients.start(settings.clients());
        try {
            int next = 0;
            while (!available.isEmpty() && (Instant.now().isBefore(loadEnds) || injected.size() < available.size())) {
                Instant due = Instant.now().plus(settings.faultInterval());
                Awaitility.await("pause between faults")
                    .atMost(settings.faultInterval().plusSeconds(5))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> Instant.now().isAfter(due));
                Fault fault = available.get(next++ % available.size());
                Injected done = faults.inject(fault);
                injected.add(done);
                System.out.printf("soak: %s — %s; pipe flowing again after %s%n", fault, done.detail(),
                        done.recovery() == null ? "NEVER" : FaultInjector.seconds(done.recovery()));
            }
        }
        finally {
            clients.close();
        }
        Instant loadStopped = Instant.now();
        for (String agent : agents) {
            admin.call("POST", "/api/agents/" + agent + "/pause", null, 200, 409);
        }
        boolean settled = settle(loadStopped);
        Reconciliation reconciliation = Reconciliation.of(suite, clients.received.values(), remoteNode.reported,
                closedMonth.toString(), closedStatements, loadStopped);
        Duration loadHeld = Duration.between(loadStarted, loadStopped);
        String report = report(startup, loadHeld, clients, agentRuns(), injected, unavailable, settled, reconciliation);
        Files.createDirectories(settings.workDirectory());
        Files.writeString(settings.workDirectory().resolve("soak-report.md"), report);
        return new Result(loadHeld, injected, unavailable, reconciliation, settled, report);
    }

    /**
     * An energy tariff and a rate card for the local model, priced per million prompt and
     * completion tokens.
     */
    static void seedPrices(Api admin, String promptPerMillion, String completionPerMillion) {
        admin.call("POST", "/api/billing/energy-tariffs",
                Map.of("effectiveFrom", "2000-01-01T00:00:00Z", "pricePerKwh", "0.25"), 201);
        admin.call("POST", "/api/billing/models", Map.of("name", MODEL, "task", "GENERATION"), 201);
        admin
            .call("POST", "/api/billing/rate-cards",
                    Map.of("model", MODEL, "effectiveFrom", "2000-01-01T00:00:00Z", "promptPerMillion",
                            promptPerMillion, "completionPerMillion", completionPerMillion, "embeddingPerMillion", "0"),
                    201);
    }

    /**
     * Waits until no agent runs, inference holds no request open (those cut by a crash
     * are closed as interrupted after the orphan timeout), every outbox is empty,
     * metering and billing hold as many usage events as inference served, every power
     * window up to the load's end has reached metering and billing has the latest idle
     * revisions.
     */
    private boolean settle(Instant loadStopped) {
        try {
            Awaitility.await("the suite settles")
                .atMost(settings.settleTimeout())
                .pollInterval(Duration.ofSeconds(1))
                .ignoreExceptions()
                .until(() -> {
                    long served = suite.count(Service.INFERENCE, "SELECT count(*) FROM inference_request")
                            + remoteNode.reported.size();
                    return suite.count(Service.AGENTS,
                            "SELECT count(*) FROM agent_run WHERE status IN ('RUNNING', 'QUEUED')") == 0
                            && requestsInFlight() == 0
                            && suite.count(Service.INFERENCE, "SELECT count(*) FROM event_publication") == 0
                            && suite.count(Service.METERING, "SELECT count(*) FROM event_publication") == 0
                            && suite.count(Service.METERING, "SELECT count(*) FROM usage_record") == served
                            && suite.count(Service.BILLING, "SELECT count(*) FROM usage_charge") == served
                            && suite.count(Service.INFERENCE,
                                    "SELECT count(*) FROM power_window WHERE window_end <= '" + loadStopped
                                            + "'") == suite.count(
                                                    Service.METERING,
                                                    "SELECT count(*) FROM power_sample WHERE window_end <= '"
                                                            + loadStopped + "'")
                            && suite.count(Service.METERING,
                                    "SELECT coalesce(sum(revision), 0) FROM idle_publication") == suite
                                        .count(Service.BILLING, "SELECT coalesce(sum(revision), 0) FROM idle_charge");
                });
            return true;
        }
        catch (ConditionTimeoutException e) {
            return false;
        }
    }

    /**
     * Requests inference-service has recorded as started and not yet closed (none where
     * its version keeps no such table).
     */
    private long requestsInFlight() throws SQLException {
        if (suite.count(Service.INFERENCE,
                "SELECT count(*) FROM pg_tables WHERE tablename = 'request_in_flight'") == 0) {
            return 0;
        }
        return suite.count(Service.INFERENCE, "SELECT count(*) FROM request_in_flight");
    }

    private Map<String, Long> agentRuns() throws SQLException {
        Map<String, Long> runs = new LinkedHashMap<>();
        try (Connection connection = suite.connect(Service.AGENTS);
                Statement statement = connection.createStatement();
                ResultSet rows = statement
                    .executeQuery("SELECT status, count(*) FROM agent_run GROUP BY status ORDER BY status")) {
            while (rows.next()) {
                runs.put(rows.getString(1), rows.getLong(2));
            }
        }
        return runs;
    }

    private String report(Duration startup, Duration loadHeld, ClientLoad clients, Map<String, Long> runs,
            List<Injected> injected, Map<Fault, String> unavailable, boolean settled, Reconciliation reconciliation) {
        StringBuilder out = new StringBuilder();
        boolean recovered = injected.stream().allMatch(fault -> fault.recovery() != null);
        boolean holds = recovered && settled && reconciliation.holds();
        out.append("# Soak report\n\n");
        out.append(String.format(Locale.ROOT, "Run %s on %d cores: the five services as processes on %s and %s, "
                + "started in %s; load held for **%s**: %d OpenAI clients (plain, streamed, and streamed then "
                + "abandoned by the client, each counting the tokens it received chunk by chunk) and %d always-on "
                + "agents (every %d s) in %d departments, on the local model %s.%n%n",
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                Runtime.getRuntime().availableProcessors(), suite.databaseServerDescription(),
                suite.broker().description(), FaultInjector.seconds(startup), minutes(loadHeld), settings.clients(),
                settings.departments() * settings.agentsPerDepartment(), settings.agentIntervalSeconds(),
                settings.departments(), MODEL));
        out.append("**Verdict: ")
            .append(holds ? "zero lost, zero charged twice, every fault recovered." : "DIFFERENCES FOUND (see below).")
            .append("**\n\n");
        out.append("## Load\n\n| | |\n|---|---|\n");
        clients.outcomes.forEach((outcome,
                n) -> out.append("| client requests, ").append(outcome).append(" | ").append(n.sum()).append(" |\n"));
        runs.forEach((status, n) -> out.append("| agent runs, ").append(status).append(" | ").append(n).append(" |\n"));
        reconciliation.figures
            .forEach((name, value) -> out.append("| ").append(name).append(" | ").append(value).append(" |\n"));
        long served = Long.parseLong(reconciliation.figures.getOrDefault("requests served (all nodes)", "0"));
        out.append(String.format(Locale.ROOT, "| requests served per second, whole window | %.2f |%n",
                served / Math.max(1.0, loadHeld.toMillis() / 1000.0)));
        faultSummary(out, injected, unavailable, recovered);
        out.append("\n### One after another\n\n| # | after | fault | what happened | usage charged again after |\n"
                + "|---|---|---|---|---|\n");
        Instant first = injected.isEmpty() ? Instant.now() : injected.get(0).at();
        for (int i = 0; i < injected.size(); i++) {
            Injected fault = injected.get(i);
            out.append("| ")
                .append(i + 1)
                .append(" | ")
                .append(minutes(Duration.between(first, fault.at())))
                .append(" | ")
                .append(fault.fault().description)
                .append(" | ")
                .append(fault.detail())
                .append(" | ")
                .append(fault.recovery() == null ? "**never**" : FaultInjector.seconds(fault.recovery()))
                .append(" |\n");
        }
        out.append("\n## Reconciliation")
            .append(settled ? "" : " (the suite did NOT settle within " + settings.settleTimeout() + ")")
            .append("\n\n| check | expected | found | |\n|---|---|---|---|\n");
        for (Reconciliation.Check check : reconciliation.checks) {
            out.append("| ")
                .append(check.name())
                .append(" | ")
                .append(check.expected())
                .append(" | ")
                .append(check.actual())
                .append(" | ")
                .append(check.holds() ? "✓" : "**✗**")
                .append(" |\n");
        }
        return out.toString();
    }

    /**
     * Every fault once: how often it was injected and how long the pipe took to flow
     * again, or why it was not injected.
     */
    private static void faultSummary(StringBuilder out, List<Injected> injected, Map<Fault, String> unavailable,
            boolean recovered) {
        out.append("\n## Faults injected: ")
            .append(injected.size())
            .append(recovered ? ", all recovered" : ", NOT ALL RECOVERED")
            .append("\n\n| fault | times | usage charged again after |\n|---|---|---|\n");
        for (Fault fault : Fault.values()) {
            List<Injected> times = injected.stream().filter(done -> done.fault() == fault).toList();
            if (times.isEmpty()) {
                if (unavailable.containsKey(fault)) {
                    out.append("| ")
                        .append(fault.description)
                        .append(" | – | not injected: ")
                        .append(unavailable.get(fault))
                        .append(" |\n");
                }
                continue;
            }
            List<Duration> recoveries = times.stream()
                .map(Injected::recovery)
                .filter(java.util.Objects::nonNull)
                .sorted()
                .toList();
            String range = recoveries.isEmpty() ? "**never**"
                    : FaultInjector.seconds(recoveries.get(0)) + (recoveries.size() == 1 ? ""
                            : " – " + FaultInjector.seconds(recoveries.get(recoveries.size() - 1)));
            out.append("| ")
                .append(fault.description)
                .append(" | ")
                .append(times.size())
                .append(" | ")
                .append(range)
                .append(recoveries.size() < times.size() ? " (" + (times.size() - recoveries.size()) + " **never**)"
                        : "")
                .append(" |\n");
        }
    }

    private static String minutes(Duration duration) {
        return String.format(Locale.ROOT, "%dm %02ds", duration.toMinutes(), duration.toSecondsPart());
    }

}
