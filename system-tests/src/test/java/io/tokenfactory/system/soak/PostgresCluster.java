package io.tokenfactory.system.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of the soak's own, in its work directory on a port of its own, so
 * that a fault can restart (or crash) the whole server: the machine's PostgreSQL serves
 * everything else and is never touched. It needs the server's programs ({@code initdb},
 * {@code pg_ctl}); as root they run as the {@code postgres} user, since PostgreSQL
 * refuses to run as root.
 */
final class PostgresCluster implements AutoCloseable {

    static final String USER = "postgres";

    private final Path programs;

    private final List<String> runAs;

    private final Path directory;

    private final int port;

    private boolean running;

    private PostgresCluster(Path programs, List<String> runAs, Path directory, int port) {
        this.programs = programs;
        this.runAs = runAs;
        this.directory = directory;
        this.port = port;
    }

    /**
     * A cluster that can be made here, not started yet; or why none can.
     */
    static Found find(Path directory, int port) {
        Optional<Path> programs = programs();
        if (programs.isEmpty()) {
            return new Found(null, "no PostgreSQL server programs (initdb, pg_ctl) on this machine");
        }
        List<String> runAs = List.of();
        if ("root".equals(System.getProperty("user.name"))) {
            if (!Command.run(Duration.ofSeconds(10), List.of("runuser", "-u", USER, "--", "true")).succeeded()) {
                return new Found(null, "running as root, and no '" + USER + "' user that runuser can switch to");
            }
            runAs = List.of("runuser", "-u", USER, "--");
        }
        return new Found(new PostgresCluster(programs.get(), runAs, directory, port), null);
    }

    /** A cluster, or the reason there is none. */
    record Found(PostgresCluster cluster, String reason) {
    }

    int port() {
        return port;
    }

    String description() {
        return "a PostgreSQL cluster of its own (" + programs + ", port " + port + ")";
    }

    /**
     * initdb (trust for local connections only: it listens on 127.0.0.1 alone) and start.
     */
    void start() throws IOException {
        Files.createDirectories(directory);
        if (!runAs.isEmpty()) {
            UserPrincipal owner = directory.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(USER);
            Files.setOwner(directory, owner);
        }
        pgCommand(Duration.ofMinutes(2), "initdb", "-D", data().toString(), "-U", USER, "-A", "trust", "-E", "UTF8",
                "--no-sync");
        // fsync off: a crash of the server (not of the machine) loses nothing the
        // kernel has; the soak's point is the services' recovery, not the disk's
        pgCommand(Duration.ofMinutes(2), "pg_ctl", "-D", data().toString(), "-l", log().toString(), "-w", "-t", "90",
                "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off "
                        + "-c max_connections=200",
                "start");
        running = true;
    }

    /**
     * Restarts the server: {@code fast} ends every session and checkpoints first,
     * {@code immediate} kills the server as a crash would (crash recovery at the start).
     */
    String restart(boolean crash) {
        long started = System.nanoTime();
        pgCommand(Duration.ofMinutes(2), "pg_ctl", "-D", data().toString(), "-l", log().toString(), "-w", "-t", "90",
                "-m", crash ? "immediate" : "fast", "restart");
        return "PostgreSQL " + (crash ? "crashed (pg_ctl -m immediate)" : "stopped (pg_ctl -m fast)")
                + " and accepting connections again after "
                + FaultInjector.seconds(Duration.ofNanos(System.nanoTime() - started));
    }

    /** Stops the server; its files stay in the work directory until the next soak. */
    @Override
    public void close() {
        if (running) {
            running = false;
            Command.Result stopped = Command.run(Duration.ofMinutes(1),
                    command("pg_ctl", "-D", data().toString(), "-w", "-m", "fast", "stop"));
            if (!stopped.succeeded()) {
                System.err.println("Could not stop the soak's PostgreSQL: " + stopped.output());
            }
        }
    }

    private Path data() {
        return directory.resolve("data");
    }

    private Path log() {
        return directory.resolve("server.log");
    }

    private void pgCommand(Duration timeout, String program, String... arguments) {
        Command.run(timeout, command(program, arguments)).orFail();
    }

    private List<String> command(String program, String... arguments) {
        List<String> command = new ArrayList<>(runAs);
        command.add(programs.resolve(program).toString());
        command.addAll(List.of(arguments));
        return command;
    }

    /**
     * Where initdb and pg_ctl are: pg_config's bindir, else the newest of Debian's
     * /usr/lib/postgresql/N/bin, else the PATH.
     */
    private static Optional<Path> programs() {
        List<Path> candidates = new ArrayList<>();
        Command.Result pgConfig = Command.run(Duration.ofSeconds(10), List.of("pg_config", "--bindir"));
        if (pgConfig.succeeded()) {
            candidates.add(Path.of(pgConfig.output().strip()));
        }
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            versions.map(version -> version.resolve("bin"))
                .sorted(Comparator.comparing(PostgresCluster::majorVersion).reversed())
                .forEach(candidates::add);
        }
        catch (IOException | RuntimeException noDebianLayout) {
            // not Debian's layout: pg_config or the PATH
        }
        for (String directory : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!directory.isBlank()) {
                candidates.add(Path.of(directory));
            }
        }
        return candidates.stream()
            .filter(bin -> Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl")))
            .findFirst();
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        }
        catch (NumberFormatException e) {
            return 0;
        }
    }

}
