package io.tokenfactory.localrun;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.json.JsonMapper;

/**
 * Each service's own RabbitMQ user, allowed to publish only the events it owns and to
 * consume only its own queues, set as a RabbitMQ definitions document (users with
 * password hashes, and their permissions) through {@code rabbitmqctl import_definitions}
 * on this machine or the management API's {@code POST /api/definitions}. docker-compose
 * and the Kubernetes manifests load the same permissions (docs/security.md).
 *
 * <p>
 * The patterns follow the names Spring Cloud Stream gives: an event's exchange
 * {@code tokenfactory.<event>}, a group's queue {@code tokenfactory.<event>.<group>} (the
 * group is the consuming service's name) with its dead-letter queue {@code ….dlq} bound
 * to the exchange {@code DLX}. A producer declares its exchange and the queues of its
 * required groups; a consumer declares the exchange it reads and its own queues.
 */
public final class BrokerUsers {

    /** The events each service publishes (it alone). */
    public static final Map<String, List<String>> PUBLISHES = Map.of("gateway", List.of(), "agent-service",
            List.of("agent-state-changed"), "inference-service", List.of("usage-recorded", "power-sampled"),
            "metering-service", List.of("usage-metered", "idle-energy-allocated"), "billing-service",
            List.of("budget-status-changed"));

    /** The events each service consumes, in a queue of its own. */
    public static final Map<String, List<String>> CONSUMES = Map.of("gateway",
            List.of("budget-status-changed", "agent-state-changed"), "agent-service", List.of("budget-status-changed"),
            "inference-service", List.of(), "metering-service", List.of("usage-recorded", "power-sampled"),
            "billing-service", List.of("usage-metered", "idle-energy-allocated", "agent-state-changed"));

    private static final SecureRandom RANDOM = new SecureRandom();

    private BrokerUsers() {
    }

    /**
     * The configure, write and read patterns of a service's user. Public for the deploy
     * module's tests, which check docker/rabbitmq/service-users.sh against them.
     */
    public record Permissions(String configure, String write, String read) {

        public static Permissions of(String service) {
            String owned = alternatives(PUBLISHES.get(service));
            String consumed = alternatives(CONSUMES.get(service));
            String ownQueues = "\\." + service.replace(".", "\\.") + "(\\.dlq)?";
            // DLX: every queue is declared with it as its dead-letter exchange, which
            // RabbitMQ allows only to a
            // user who may write to it (it routes only to the broker's own last-resort
            // queues, which no service reads)
            List<String> configure = new ArrayList<>(List.of("DLX"));
            List<String> write = new ArrayList<>(List.of("DLX"));
            List<String> read = new ArrayList<>(List.of("DLX"));
            if (owned != null) {
                // its exchanges, and the queues of the groups it keeps its events for
                // (declaring a queue with a
                // dead-letter exchange needs read on it too: the owner reads back only
                // what it published)
                configure.add("tokenfactory\\." + owned + "(\\..+)?");
                write.add("tokenfactory\\." + owned + "(\\..+)?");
                read.add("tokenfactory\\." + owned + "(\\..+)?");
            }
            if (consumed != null) {
                // the exchanges it reads (declared and bound to), and its own queues on
                // them
                configure.add("tokenfactory\\." + consumed + "(" + ownQueues + ")?");
                write.add("tokenfactory\\." + consumed + ownQueues);
                read.add("tokenfactory\\." + consumed + "(" + ownQueues + ")?");
            }
            return new Permissions(pattern(configure), pattern(write), pattern(read));
        }

        private static String alternatives(List<String> events) {
            return events.isEmpty() ? null
                    : events.stream()
                        .map(event -> event.replace(".", "\\."))
                        .collect(Collectors.joining("|", "(", ")"));
        }

        /** An anchored alternation; an empty list matches no resource name at all. */
        private static String pattern(List<String> names) {
            return names.isEmpty() ? "^$" : "^(" + String.join("|", names) + ")$";
        }

    }

    /**
     * The definitions document for the services' users.
     * @param password each service's broker password
     */
    static String definitions(String virtualHost, List<Service> services, Function<Service, String> password) {
        List<Map<String, Object>> users = new ArrayList<>();
        List<Map<String, Object>> permissions = new ArrayList<>();
        for (Service service : services) {
            users.add(Map.of("name", service.brokerUser(), "password_hash", passwordHash(password.apply(service)),
                    "hashing_algorithm", "rabbit_password_hashing_sha256", "tags", List.of()));
            Permissions allowed = Permissions.of(service.name());
            Map<String, Object> permission = new LinkedHashMap<>();
            permission.put("user", service.brokerUser());
            permission.put("vhost", virtualHost);
            permission.put("configure", allowed.configure());
            permission.put("write", allowed.write());
            permission.put("read", allowed.read());
            permissions.add(permission);
        }
        return JsonMapper.builder()
            .build()
            .writeValueAsString(
                    Map.of("vhosts", List.of(Map.of("name", virtualHost)), "users", users, "permissions", permissions));
    }

    /**
     * RabbitMQ's {@code rabbit_password_hashing_sha256}: Base64 of a 4-byte salt followed
     * by SHA-256(salt + password).
     */
    static String passwordHash(String password) {
        byte[] salt = new byte[4];
        RANDOM.nextBytes(salt);
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(salt);
            byte[] digest = sha256.digest(password.getBytes(StandardCharsets.UTF_8));
            byte[] salted = new byte[salt.length + digest.length];
            System.arraycopy(salt, 0, salted, 0, salt.length);
            System.arraycopy(digest, 0, salted, salt.length, digest.length);
            return Base64.getEncoder().encodeToString(salted);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Loads the definitions into the broker: through the management API when a URL is
     * given, else through {@code rabbitmqctl} on this machine.
     * @param lastUser the user whose permissions come last in the document: rabbitmqctl
     * imports in the background, and this one having them says it is done
     * @return how they were loaded
     * @throws IllegalStateException when neither way worked
     */
    static String load(String definitions, String lastUser, @Nullable String managementUrl, String adminUser,
            String adminPassword, String rabbitmqctl) {
        if (managementUrl != null && !managementUrl.isBlank()) {
            return loadThroughManagementApi(definitions, managementUrl, adminUser, adminPassword);
        }
        return loadThroughRabbitmqctl(definitions, lastUser, rabbitmqctl);
    }

    private static String loadThroughManagementApi(String definitions, String managementUrl, String adminUser,
            String adminPassword) {
        URI uri = URI.create(managementUrl.replaceAll("/+$", "") + "/api/definitions");
        String basic = Base64.getEncoder()
            .encodeToString((adminUser + ":" + adminPassword).getBytes(StandardCharsets.UTF_8));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(definitions))
                .build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(
                        "the management API at " + uri + " answered " + response.statusCode() + ": " + response.body());
            }
            return "through the management API at " + managementUrl;
        }
        catch (IOException e) {
            throw new IllegalStateException("the management API at " + uri + " did not answer: " + e.getMessage(), e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * rabbitmqctl imports in the background: wait until every user has its permissions.
     */
    private static void awaitPermissions(String lastUser, String rabbitmqctl) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Process list = new ProcessBuilder(rabbitmqctl, "--quiet", "list_user_permissions", "--no-table-headers",
                    lastUser)
                .redirectErrorStream(true)
                .start();
            String output = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (list.waitFor() == 0 && !output.isBlank()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the broker users did not appear within 30 s: " + output.strip());
            }
            Thread.sleep(500);
        }
    }

    private static String loadThroughRabbitmqctl(String definitions, String lastUser, String rabbitmqctl) {
        try {
            Process process = new ProcessBuilder(rabbitmqctl, "--quiet", "import_definitions").redirectErrorStream(true)
                .start();
            try (OutputStream in = process.getOutputStream()) {
                in.write(definitions.getBytes(StandardCharsets.UTF_8));
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(rabbitmqctl + " import_definitions did not finish within 60 s");
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0) {
                throw new IllegalStateException(rabbitmqctl + " import_definitions failed: " + output);
            }
            awaitPermissions(lastUser, rabbitmqctl);
            return "through " + rabbitmqctl;
        }
        catch (IOException e) {
            throw new IllegalStateException(rabbitmqctl + " could not be run: " + e.getMessage(), e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

}
