package io.tokenfactory.system.soak;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import io.tokenfactory.system.soak.SoakSuite.Service;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

/**
 * How far a department's spend passes its hard-capped budget when many requests arrive at
 * once: with money reserved at the door (gateway 1) and with the budget enforced only by
 * billing's events (gateway 2, {@code TF_BUDGET_ENFORCEMENT=events}, the behaviour before
 * reservations), side by side in one run against the real five services and the local
 * byte model. Run by {@code bench/budget-overshoot.sh}, not by the build (its name is no
 * test's name); writes {@code bench/results/budget-overshoot.md}.
 */
class BudgetOvershootBenchmark {

    private static final BigDecimal BUDGET = new BigDecimal("0.50");

    private static final int MAX_TOKENS = 16;

    private static final List<Map<String, String>> MESSAGES = List
        .of(Map.of("role", "user", "content", "Count to three."));

    private static final HttpClient HTTP = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();

    private record Cell(int concurrency, String enforcement, long served, long refused, long busy, BigDecimal charged) {

        BigDecimal overshoot() {
            return charged.subtract(BUDGET);
        }

    }

    @Test
    void overshootWithReservationsAndWithEventsOnly() throws Exception {
        Assumptions.assumeFalse("kafka".equals(System.getProperty("tokenfactory.test.event-broker")),
                "measured on RabbitMQ only");
        try (SoakSuite suite = new SoakSuite(Path.of("..").toAbsolutePath().normalize(),
                Path.of("target/budget-overshoot").toAbsolutePath(), Map.of(Service.GATEWAY, 2))) {
            // both gateways sign identity tokens with one key (the services trust the
            // first's key set)
            suite.environment("TF_IDENTITY_SIGNING_JWK",
                    new ECKeyGenerator(Curve.P_256).keyID("overshoot").generate().toJSONString());
            suite.environment(Service.GATEWAY, 1, "TF_BUDGET_ENFORCEMENT", "events");
            suite.start(Duration.ofMinutes(6));
            Api admin = new Api(suite.url(Service.GATEWAY, 0), suite.adminKey());
            Soak.seedPrices(admin, "1000", "1000");
            List<Cell> cells = new ArrayList<>();
            for (int concurrency : new int[] { 1, 16, 64 }) {
                cells.add(measure(suite, admin, concurrency, 0, "reserved at the door"));
                cells.add(measure(suite, admin, concurrency, 1, "events only (before)"));
            }
            write(cells);
        }
    }

    private static Cell measure(SoakSuite suite, Api admin, int concurrency, int gateway, String enforcement)
            throws Exception {
        UUID department = UUID.fromString(admin.call("POST", "/api/billing/departments",
                Map.of("name", "Overshoot " + UUID.randomUUID(), "costCentreCode",
                        "CC-" + UUID.randomUUID().toString().substring(0, 8), "monthlyBudget", BUDGET,
                        "softAlertPercent", 80, "hardCap", true),
                201)
            .get("id")
            .asString());
        String key = admin
            .call("POST", "/api/keys",
                    Map.of("name", "overshoot", "departmentId", department, "scopes", List.of("inference")), 201)
            .get("secret")
            .asString();
        // the gateway learns the budget from billing's event and snapshot
        Awaitility.await("the gateway knows the budget")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> new Api(suite.url(Service.GATEWAY, gateway), suite.adminKey())
                .call("GET", "/api/gateway/budgets?departmentId=" + department, null, 200)
                .size() == 1);
        AtomicLong served = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong busy = new AtomicLong();
        Instant deadline = Instant.now().plusSeconds(120);
        ExecutorService clients = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < concurrency; c++) {
                int client = c;
                running.add(clients.submit(() -> {
                    int refusedInARow = 0;
                    int failedInARow = 0;
                    for (int i = 0; refusedInARow < 3 && failedInARow < 20 && Instant.now().isBefore(deadline); i++) {
                        int status = send(suite.url(Service.GATEWAY, gateway), key, (client + i) % 2 == 1);
                        if (status == 200) {
                            served.incrementAndGet();
                            refusedInARow = 0;
                            failedInARow = 0;
                        }
                        else if (status == 402) {
                            refused.incrementAndGet();
                            refusedInARow++;
                        }
                        else {
                            busy.incrementAndGet();
                            failedInARow++;
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> client : running) {
                client.get();
            }
        }
        finally {
            clients.shutdown();
        }
        Awaitility.await("every request of the department billed")
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofSeconds(1))
            .until(() -> count(suite, Service.INFERENCE,
                    "SELECT count(*) FROM inference_request WHERE department_id = ?", department) == count(suite,
                            Service.BILLING, "SELECT count(*) FROM usage_charge WHERE department_id = ?", department));
        Cell cell = new Cell(concurrency, enforcement, served.get(), refused.get(), busy.get(),
                charged(suite, department));
        System.out.printf("budget overshoot: concurrency %d, %s: %d served, %d refused, charged %s%n", concurrency,
                enforcement, cell.served(), cell.refused(), cell.charged());
        return cell;
    }

    private static int send(String gateway, String key, boolean stream) {
        Map<String, Object> body = new LinkedHashMap<>(
                Map.of("model", Soak.MODEL, "max_tokens", MAX_TOKENS, "messages", MESSAGES));
        if (stream) {
            body.put("stream", true);
            body.put("stream_options", Map.of("include_usage", true));
        }
        try {
            return HTTP
                .send(HttpRequest.newBuilder(URI.create(gateway + "/v1/chat/completions"))
                    .timeout(Duration.ofSeconds(120))
                    .header("Authorization", "Bearer " + key)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Api.JSON.writeValueAsString(body)))
                    .build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
        }
        catch (Exception e) {
            return -1;
        }
    }

    private static long count(SoakSuite suite, Service service, String sql, UUID department) throws SQLException {
        try (Connection connection = suite.connect(service);
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, department);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private static BigDecimal charged(SoakSuite suite, UUID department) throws SQLException {
        try (Connection connection = suite.connect(Service.BILLING);
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT coalesce(sum(charge), 0) FROM department_spend WHERE department_id = ?")) {
            statement.setObject(1, department);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getBigDecimal(1);
            }
        }
    }

    private static void write(List<Cell> cells) throws Exception {
        BigDecimal worstCase = BigDecimal.valueOf(Api.JSON.writeValueAsBytes(MESSAGES).length + MAX_TOKENS)
            .movePointLeft(3);
        StringBuilder report = new StringBuilder();
        report.append("# Budget overshoot, ")
            .append(Instant.now())
            .append("\n\n")
            .append("A department with a hard-capped budget of ")
            .append(BUDGET)
            .append(" EUR; byte-lm-moby at 1,000 EUR per million tokens, ")
            .append(MAX_TOKENS)
            .append(" completion tokens a request (about 0.033 EUR; at worst ")
            .append(worstCase)
            .append(" EUR); each client sends requests back to back (whole and streamed) until the gateway has ")
            .append("refused it three times in a row. Charged: what billing finally charged, every request billed.\n\n")
            .append("| clients at once | budget held by | served | refused (402) | other answers | charged EUR | ")
            .append("overshoot cents | overshoot, share of budget |\n")
            .append("|---:|---|---:|---:|---:|---:|---:|---:|\n");
        for (Cell cell : cells) {
            report.append("| ")
                .append(cell.concurrency())
                .append(" | ")
                .append(cell.enforcement())
                .append(" | ")
                .append(cell.served())
                .append(" | ")
                .append(cell.refused())
                .append(" | ")
                .append(cell.busy())
                .append(" | ")
                .append(cell.charged().setScale(4, RoundingMode.HALF_EVEN))
                .append(" | ")
                .append(cell.overshoot().movePointRight(2).setScale(1, RoundingMode.HALF_EVEN))
                .append(" | ")
                .append(cell.overshoot().multiply(BigDecimal.valueOf(100)).divide(BUDGET, 1, RoundingMode.HALF_EVEN))
                .append(" % |\n");
        }
        report.append("\nThe bound with reservations: the budget plus one request's worst case (")
            .append(worstCase.movePointRight(2))
            .append(" cents); a negative overshoot is budget left over because the next request's worst case no longer fitted in it.\n");
        Path results = Path.of("..", "bench", "results", "budget-overshoot.md").toAbsolutePath().normalize();
        Files.createDirectories(results.getParent());
        Files.writeString(results, report);
        System.out.println(report);
    }

}
