package io.tokenfactory.localrun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.concurrent.TimeUnit;

/**
 * Starts the service jars as child processes, waits for them to be ready and stops them
 * gracefully.
 */
final class ServiceProcesses implements AutoCloseable {

    private static final Duration GRACEFUL_STOP = Duration.ofSeconds(30);

    private final Path repository;

    private final Path logs;

    private final Path pids;

    private final Path classData;

    private final Map<Service, Process> running = new LinkedHashMap<>();

    private final Map<Service, ClassDataArchive> archives = new LinkedHashMap<>();

    private final ReadinessProbe readiness = new ReadinessProbe(Duration.ofSeconds(2));

    ServiceProcesses(Path repository, Path workDirectory) {
        this.repository = repository;
        this.logs = workDirectory.resolve("logs");
        this.pids = workDirectory.resolve("pids");
        this.classData = workDirectory.resolve("class-data");
    }

    /**
     * @param ownEnvironment each service's own variables (its logins), on top of the
     * shared ones
     * @param classDataSharing whether each service runs from its unpacked jar with a
     * class-data archive ({@link ClassDataArchive}) or from its executable jar as built
     */
    void startAll(Map<String, String> environment, Function<Service, Map<String, String>> ownEnvironment,
            String javaOptions, boolean classDataSharing) {
        try {
            Files.createDirectories(logs);
            Files.createDirectories(pids);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            for (Service service : Service.ALL) {
                List<String> command = new ArrayList<>();
                command.add(java);
                command.addAll(List.of(javaOptions.trim().split("\\s+")));
                if (classDataSharing) {
                    ClassDataArchive archive = ClassDataArchive.prepare(classData.resolve(service.name()),
                            executableJar(service), java);
                    archives.put(service, archive);
                    command.addAll(archive.javaOptions());
                    command.add("-jar");
                    command.add(archive.jar().toString());
                }
                else {
                    command.add("-jar");
                    command.add(executableJar(service).toString());
                }
                ProcessBuilder builder = new ProcessBuilder(command).directory(repository.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(logFile(service).toFile());
                builder.environment().putAll(environment);
                builder.environment().putAll(ownEnvironment.apply(service));
                builder.environment().put(service.portVariable(), Integer.toString(service.port()));
                Process process = builder.start();
                running.put(service, process);
                Files.writeString(pids.resolve(service.name() + ".pid"), Long.toString(process.pid()));
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Could not start the services", e);
        }
    }

    /**
     * Runs one of a service's commands (its jar with arguments, such as the gateway's
     * {@code admin-key}) in the foreground, its output on this terminal; returns its exit
     * code.
     */
    int runCommand(Service service, Map<String, String> environment, List<String> arguments)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                        "-jar", executableJar(service).toString()));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).directory(repository.toFile()).inheritIO();
        builder.environment().putAll(environment);
        return builder.start().waitFor();
    }

    /** Waits until every service reports readiness; fails fast when one of them exits. */
    void awaitReady(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        List<Service> waiting = new ArrayList<>(running.keySet());
        while (!waiting.isEmpty()) {
            for (Service service : List.copyOf(waiting)) {
                Process process = running.get(service);
                if (!process.isAlive()) {
                    throw new IllegalStateException(
                            service.name() + " exited with code " + process.exitValue() + "; see " + logFile(service));
                }
                if (ready(service)) {
                    waiting.remove(service);
                    System.out.printf("  %-18s ready%n", service.name());
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(
                        "Not ready after " + timeout + ": " + waiting.stream().map(Service::name).toList());
            }
            if (!waiting.isEmpty()) {
                TimeUnit.MILLISECONDS.sleep(500); // polling a child process's health
                                                  // endpoint, not a test
            }
        }
    }

    boolean ready(Service service) {
        return readiness.ready(service.url());
    }

    Path logFile(Service service) {
        return logs.resolve(service.name() + ".log");
    }

    Path logDirectory() {
        return logs;
    }

    private Path executableJar(Service service) throws IOException {
        Path target = repository.resolve(service.module()).resolve("target");
        try (var jars = Files.list(target)) {
            return jars.filter(path -> path.getFileName().toString().endsWith("-exec.jar"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No runnable jar in " + target + "; run ./mvnw package"));
        }
    }

    /**
     * Stops in reverse start order: SIGTERM first (Spring's graceful shutdown), then kill
     * what is left.
     */
    @Override
    public void close() {
        List<Service> services = new ArrayList<>(running.keySet());
        Collections.reverse(services);
        services.forEach(service -> running.get(service).destroy());
        for (Service service : services) {
            Process process = running.get(service);
            boolean gracefully = false;
            try {
                gracefully = process.waitFor(GRACEFUL_STOP.toSeconds(), TimeUnit.SECONDS);
                if (!gracefully) {
                    process.destroyForcibly();
                }
            }
            catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            if (archives.containsKey(service)) {
                archives.get(service).stopped(gracefully);
            }
            try {
                Files.deleteIfExists(pids.resolve(service.name() + ".pid"));
            }
            catch (IOException ignored) {
                // a stale pid file is harmless: down checks whether the process is alive
            }
        }
        running.clear();
        archives.clear();
    }

}
