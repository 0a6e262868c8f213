package io.tokenfactory.localrun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.tokenfactory.simulated.SimulatedGpuNode;

/**
 * The launcher behind {@code ./factory}: {@code up} brings up PostgreSQL and the broker
 * (given or embedded), creates the databases, starts the five services, waits until all
 * are ready and keeps them running until Ctrl-C or {@code down}; {@code down} stops a
 * running suite; {@code status} shows what answers.
 */
public final class Factory {

    private static final Path WORK = Path.of(".factory");

    private static final Path LAUNCHER_PID = WORK.resolve("factory.pid");

    private static final Path AGENT_SERVICE_KEY = WORK.resolve("secrets/agent-service-key");

    private static final Path ADMIN_KEY = WORK.resolve("secrets/admin-key");

    private static final Path DEMO_KEY = WORK.resolve("secrets/demo-key");

    private static final String GATEWAY_URL = "http://localhost:8080";

    static final String READY_LINE = "Stop with Ctrl-C or ./factory down.";

    private static final Service GATEWAY = Service.ALL.stream()
        .filter(service -> service.name().equals("gateway"))
        .findFirst()
        .orElseThrow();

    /** The gateway's environment in the running suite, for its commands run beside it. */
    private static final Path SERVICE_ENVIRONMENT = WORK.resolve("secrets/service-environment");

    private Factory() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "up" : args[0];
        int exit = switch (command) {
            case "up" -> up();
            case "down" -> down();
            case "status" -> status();
            case "admin-key" -> adminKey();
            default -> {
                System.err.println("usage: factory [up|down|status|admin-key]");
                yield 2;
            }
        };
        System.exit(exit);
    }

    private static int up() throws Exception {
        Optional<ProcessHandle> existing = runningLauncher();
        if (existing.isPresent()) {
            System.err.println(
                    "Token Factory is already running (pid " + existing.get().pid() + "); ./factory down stops it.");
            return 1;
        }
        long started = System.nanoTime();
        Files.createDirectories(WORK);
        Files.writeString(LAUNCHER_PID, Long.toString(ProcessHandle.current().pid()));
        Path repository = Path.of("").toAbsolutePath();
        Map<String, String> env = new HashMap<>(System.getenv());

        System.out.println("Token Factory: starting infrastructure...");
        Infrastructure infrastructure = Infrastructure.start(WORK.toAbsolutePath(), env);
        System.out.println("  " + infrastructure.description());
        ServiceProcesses services = new ServiceProcesses(repository, WORK.toAbsolutePath());
        CountDownLatch stopped = new CountDownLatch(1);
        List<AutoCloseable> demoNodes = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Token Factory: stopping...");
            services.close();
            demoNodes.forEach(Factory::closeQuietly);
            infrastructure.close();
            deleteQuietly(LAUNCHER_PID);
            System.out.println("Token Factory: stopped.");
            stopped.countDown();
        }, "factory-shutdown"));

        System.out.println("Token Factory: starting the five services (logs in " + services.logDirectory() + ")...");
        Map<String, String> serviceEnvironment = new HashMap<>(infrastructure.serviceEnvironment());
        Optional<SimulatedGpuNode> simulated = startSimulatedNode(env, serviceEnvironment);
        simulated.ifPresent(demoNodes::add);
        // the gateway hands agent-service its key, and the launcher the first admin key,
        // through owner-only files
        serviceEnvironment.putIfAbsent("TF_AGENT_SERVICE_KEY_FILE", AGENT_SERVICE_KEY.toString());
        serviceEnvironment.putIfAbsent("TF_BOOTSTRAP_ADMIN_KEY_FILE", ADMIN_KEY.toString());
        Map<String, String> gatewayEnvironment = new HashMap<>(serviceEnvironment);
        gatewayEnvironment.putAll(infrastructure.ownEnvironment(GATEWAY));
        OwnerOnlyFiles.write(SERVICE_ENVIRONMENT, environmentFile(gatewayEnvironment));
        services.startAll(serviceEnvironment, infrastructure::ownEnvironment,
                env.getOrDefault("TF_SERVICE_JAVA_OPTS", "-Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"),
                !"false".equalsIgnoreCase(env.get("TF_CLASS_DATA_SHARING")));
        try {
            services.awaitReady(Duration.parse(env.getOrDefault("TF_STARTUP_TIMEOUT", "PT5M")));
        }
        catch (IllegalStateException e) {
            System.err.println("Token Factory: " + e.getMessage());
            return 1; // the shutdown hook stops whatever did start
        }
        boolean demoOn = !"false".equalsIgnoreCase(env.get("TF_DEMO"));
        String demo = demoOn ? DemoFactory.seed(GATEWAY_URL, ADMIN_KEY, simulated.isPresent())
                : "demo agents: off (TF_DEMO=false)";
        Optional<String> demoKey = demoOn ? demoKey() : Optional.empty();
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        StringBuilder summary = new StringBuilder("\nToken Factory is up (" + seconds + " s).\n");
        for (Service service : Service.ALL) {
            summary.append(
                    String.format("  %-18s %s   log: %s%n", service.name(), service.url(), services.logFile(service)));
        }
        summary.append("  console: " + GATEWAY_URL + "/console   OpenAI-compatible API: " + GATEWAY_URL
                + "/v1   admin APIs: " + GATEWAY_URL + "/api/...\n");
        simulated.ifPresent(node -> summary.append("  SIMULATED GPU node (not a GPU; a demo of how GPU nodes are "
                + "metered): model " + DemoFactory.SIMULATED_MODEL + " at " + node.baseUrl()
                + ", DCGM-format metrics at " + node.metricsUrl() + " (TF_SIMULATED_GPU_NODE=false leaves it out)\n"));
        summary.append("  " + demo + "\n");
        summary.append("  admin key of the first start: " + ADMIN_KEY + " (owner-only; sign in to the console with it; "
                + "it expires after 24 h unless used; ./factory admin-key recovers access)\n");
        demoKey.ifPresent(key -> {
            String model = simulated.isPresent() ? DemoFactory.SIMULATED_MODEL : DemoFactory.LOCAL_MODEL;
            summary.append("  demo key of " + DemoFactory.KEY_DEPARTMENT + " (scopes inference, usage:read; also in "
                    + DEMO_KEY + ", owner-only): " + key + "\n\n");
            summary.append(FirstTokenSnippets.of(GATEWAY_URL, key, model).printed());
        });
        // the last line: ./factory up --detach returns once it is in the log
        summary.append("\n" + READY_LINE + "\n");
        System.out.print(summary);
        System.out.flush();
        stopped.await();
        return 0;
    }

    /**
     * The demo's SIMULATED GPU node: a remote model served from a node whose DCGM-format
     * exporter inference-service reads like a real one (profile
     * {@code simulated-gpu-node}), so a newcomer sees DCGM-labelled joules beside the
     * local model's estimated ones. Off with {@code TF_SIMULATED_GPU_NODE=false}, or when
     * its port is taken.
     */
    private static Optional<SimulatedGpuNode> startSimulatedNode(Map<String, String> env,
            Map<String, String> serviceEnvironment) {
        if ("false".equalsIgnoreCase(env.get("TF_SIMULATED_GPU_NODE"))) {
            return Optional.empty();
        }
        int port = Integer.parseInt(env.getOrDefault("TF_SIMULATED_GPU_NODE_PORT", "19400"));
        try {
            SimulatedGpuNode node = SimulatedGpuNode
                .start(SimulatedGpuNode.Settings.defaults().withPort(port).withGpus(2));
            String profiles = env.get("SPRING_PROFILES_ACTIVE");
            serviceEnvironment.put("SPRING_PROFILES_ACTIVE",
                    profiles == null || profiles.isBlank() ? "simulated-gpu-node" : profiles + ",simulated-gpu-node");
            serviceEnvironment.put("TF_SIMULATED_GPU_NODE_URL", "http://127.0.0.1:" + node.port());
            return Optional.of(node);
        }
        catch (IllegalStateException portTaken) {
            System.out.println("  the simulated GPU node is left out: " + portTaken.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The demo department's key for the printed snippets; empty (and said why) when none
     * can be had.
     */
    private static Optional<String> demoKey() {
        try {
            Optional<String> key = DemoKey.ensure(GATEWAY_URL, ADMIN_KEY, DEMO_KEY, DemoFactory.KEY_DEPARTMENT);
            if (key.isEmpty()) {
                System.out.println("  no demo key: none kept in " + DEMO_KEY + " works, and no admin key in "
                        + ADMIN_KEY + " to issue one (./factory admin-key writes one)");
            }
            return key;
        }
        catch (IOException | RuntimeException e) {
            System.out.println("  no demo key: " + e.getMessage());
            return Optional.empty();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        }
        catch (Exception ignored) {
            // stopping anyway
        }
    }

    private static int down() throws InterruptedException {
        Optional<ProcessHandle> launcher = runningLauncher();
        if (launcher.isEmpty()) {
            System.out.println("Token Factory is not running.");
            stopOrphans();
            return 0;
        }
        System.out.println("Stopping Token Factory (pid " + launcher.get().pid() + ")...");
        launcher.get().destroy();
        try {
            launcher.get().onExit().get(90, TimeUnit.SECONDS);
        }
        catch (Exception e) {
            launcher.get().destroyForcibly();
        }
        stopOrphans();
        System.out.println("Stopped.");
        return 0;
    }

    private static int status() {
        Optional<ProcessHandle> launcher = runningLauncher();
        System.out.println(launcher.map(handle -> "Token Factory is running (pid " + handle.pid() + ").")
            .orElse("Token Factory is not running."));
        ServiceProcesses probe = new ServiceProcesses(Path.of("").toAbsolutePath(), WORK.toAbsolutePath());
        int ready = 0;
        for (Service service : Service.ALL) {
            boolean up = probe.ready(service);
            ready += up ? 1 : 0;
            System.out.printf("  %-18s %-24s %s%n", service.name(), service.url(), up ? "ready" : "not answering");
        }
        return ready == Service.ALL.size() ? 0 : 1;
    }

    /**
     * Services whose launcher died without stopping them (kill -9) are stopped from their
     * pid files.
     */
    private static void stopOrphans() {
        Path pids = WORK.resolve("pids");
        if (!Files.isDirectory(pids)) {
            return;
        }
        try (Stream<Path> files = Files.list(pids)) {
            for (Path file : files.toList()) {
                readPid(file).flatMap(ProcessHandle::of).ifPresent(process -> {
                    process.destroy();
                    process.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> {
                        process.destroyForcibly();
                        return process;
                    }).join();
                });
                deleteQuietly(file);
            }
        }
        catch (IOException e) {
            System.err.println("Could not read " + pids + ": " + e.getMessage());
        }
    }

    /**
     * A new admin key when every admin key is revoked or expired: the gateway's
     * {@code admin-key} command against the running suite's database, written to
     * {@code .factory/secrets/admin-key}, recorded in the audit trail as this operating
     * system user's.
     */
    private static int adminKey() throws IOException, InterruptedException {
        if (runningLauncher().isEmpty() || !Files.exists(SERVICE_ENVIRONMENT)) {
            System.err.println("Token Factory is not running; ./factory up --detach starts it.");
            return 1;
        }
        Map<String, String> environment = new HashMap<>();
        for (String line : Files.readAllLines(SERVICE_ENVIRONMENT)) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                environment.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        environment.put("TF_BOOTSTRAP_ADMIN_KEY_FILE", ADMIN_KEY.toAbsolutePath().toString());
        ServiceProcesses services = new ServiceProcesses(Path.of("").toAbsolutePath(), WORK.toAbsolutePath());
        return services.runCommand(GATEWAY, environment, List.of("admin-key"));
    }

    /** Written readable by its owner only: it may hold the databases' passwords. */
    private static String environmentFile(Map<String, String> environment) {
        StringBuilder file = new StringBuilder();
        environment.forEach((name, value) -> {
            if (!value.contains("\n")) {
                file.append(name).append('=').append(value).append('\n');
            }
        });
        return file.toString();
    }

    private static Optional<ProcessHandle> runningLauncher() {
        return readPid(LAUNCHER_PID).flatMap(ProcessHandle::of)
            .filter(ProcessHandle::isAlive)
            .filter(handle -> handle.pid() != ProcessHandle.current().pid())
            .filter(handle -> handle.info().commandLine().map(line -> line.contains("local-run")).orElse(true));
    }

    private static Optional<Long> readPid(Path file) {
        try {
            return Files.exists(file) ? Optional.of(Long.parseLong(Files.readString(file).trim())) : Optional.empty();
        }
        catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        }
        catch (IOException ignored) {
            // nothing to clean up then
        }
    }

}
