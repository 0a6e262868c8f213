import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import javax.sql.DataSource;

import ch.qos.logback.classic.Level;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.inference.FairShareSettings;
import io.tokenfactory.inference.InferenceProperties;
import io.tokenfactory.inference.UsageSettings;
import io.tokenfactory.inference.usage.FinishedRequest;
import io.tokenfactory.inference.usage.StartedRequest;
import io.tokenfactory.inference.usage.UsageRecording;
import io.tokenfactory.inference.usage.WriteAheadUsage;
import io.tokenfactory.support.security.Caller;

import org.flywaydb.core.Flyway;
import org.slf4j.LoggerFactory;
import org.springframework.aop.config.AopConfigUtils;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.ParameterizedPreparedStatementSetter;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.ProxyTransactionManagementConfiguration;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.unit.DataSize;

/**
 * The cost of write-ahead usage, side by side with streams that do without it, in one run on this machine's
 * PostgreSQL. The production classes do the work ({@code WriteAheadUsage}, {@code InFlightLog},
 * {@code UsageRecording}, wired by Spring with their transactions, on a Hikari pool of 10 like the service's): only
 * the engine and the HTTP response are simulated.
 *
 * An engine thread decodes one token every 20 ms for every request in its batch (a continuous-batching engine:
 * every stream's token of a step appears at the same instant). Each stream is a thread that does what
 * {@code EventStream} does for a servlet response: it takes every token waiting, calls
 * {@code Served.beforeSending} with the count after the last of them, and releases them. Requests of 128 tokens
 * follow each other back to back: open ({@code request_in_flight} insert), tokens, then the request is logged
 * ({@code inference_request} insert and the in-flight row's delete, in one transaction). The baseline releases each
 * token as soon as it is taken and only logs the ended request, as before write-ahead usage.
 *
 * Per cell: tokens released per second; the latency write-ahead adds to each token (produced by the engine to
 * releasable to the client) and to the first token (the open, plus the first token's wait); progress writes per
 * second (one round trip each, every waiting stream's row in it) and rows per write; and the CPU time of this JVM
 * and of this database's PostgreSQL backends per 1,000 tokens.
 *
 * Run with bench/write-ahead.sh; arguments: seconds measured per cell, output file.
 */
public class WriteAheadBenchmark {

    static final String PG_HOST = env("TF_POSTGRES_HOST", "localhost");
    static final String PG_PORT = env("TF_POSTGRES_PORT", "5432");
    static final String PG_USER = env("TF_POSTGRES_USER", "postgres");
    static final String PG_PASSWORD = env("TF_POSTGRES_PASSWORD", "");

    static final int[] CONCURRENCY = {1, 16, 64};
    static final int TOKENS = 128;
    static final long TOKEN_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    static final int PROGRESS_TOKENS = 32;
    /** Unmeasured seconds at the start of each cell: the streams' first requests open together. */
    static final double SETTLE_SECONDS = 1.5;

    /** A way of serving: without write-ahead usage (interval null), or with it at an interval. */
    record Mode(String name, Duration interval) {
        boolean writeAhead() {
            return interval != null;
        }
    }

    static final List<Mode> MODES = List.of(new Mode("baseline (no write-ahead)", null),
            new Mode("write-ahead, 5 ms", Duration.ofMillis(5)),
            new Mode("write-ahead, 20 ms (default)", Duration.ofMillis(20)),
            new Mode("write-ahead, 100 ms", Duration.ofMillis(100)));

    static final Caller CALLER = new Caller(UUID.randomUUID(), UUID.randomUUID(), null, Set.of());

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 8;
        Path output = args.length > 1 ? Path.of(args[1]) : null;
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
            .setLevel(Level.WARN);
        String loadBefore = loadAverage();
        String database = "tf_bench_write_ahead_" + Long.toHexString(System.nanoTime()).substring(0, 8);
        createDatabase(database, true);
        List<Cell> cells = new ArrayList<>();
        String settings;
        try (HikariDataSource dataSource = dataSource(database)) {
            Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration", "classpath:db/messaging")
                .load()
                .migrate();
            settings = new JdbcTemplate(dataSource).queryForObject("""
                    SELECT 'PostgreSQL ' || current_setting('server_version') || ', synchronous_commit '
                        || current_setting('synchronous_commit') || ', fsync ' || current_setting('fsync')
                        || ', wal_sync_method ' || current_setting('wal_sync_method')""", String.class);
            // one pool for every cell; the wrapper is not closed with each cell's context
            DataSource pool = new DelegatingDataSource(dataSource);
            // warm-up: JIT, the pool, the tables; not reported
            run(pool, database, MODES.get(2), 64, 3);
            run(pool, database, MODES.get(0), 64, 1);
            for (int streams : CONCURRENCY) {
                for (Mode mode : MODES) {
                    Cell cell = run(pool, database, mode, streams, seconds);
                    System.out.print(cell.row());
                    cells.add(cell);
                }
            }
        }
        finally {
            createDatabase(database, false);
        }
        StringBuilder report = new StringBuilder();
        report.append("# Write-ahead usage: what making streamed tokens durable costs\n\n")
            .append(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
            .append(", ")
            .append(Runtime.getRuntime().availableProcessors())
            .append(" cores shared by PostgreSQL and this JVM (and whatever else the machine runs: load average ")
            .append(loadBefore)
            .append(" before the run, ")
            .append(loadAverage())
            .append(" after); ")
            .append(settings)
            .append("; Java ")
            .append(System.getProperty("java.version"))
            .append(String.format(Locale.ROOT,
                    ". Each stream: requests of %d tokens back to back, one token every %d ms; %.0f s measured per cell "
                            + "after %.1f s unmeasured; progress-tokens %d.%n%n",
                    TOKENS, TimeUnit.NANOSECONDS.toMillis(TOKEN_NANOS), seconds, SETTLE_SECONDS, PROGRESS_TOKENS))
            .append("| streams | mode | tokens/s | added per token p50 / p99 ms | added to first token p50 / p99 ms "
                    + "| requests started | progress writes/s | rows per write | write to commit p50 / p99 ms | JVM CPU ms per 1k tokens "
                    + "| PostgreSQL CPU ms per 1k tokens |\n")
            .append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        cells.forEach(cell -> report.append(cell.row()));
        report.append("""

                Added per token: from the engine producing a token (in the measured window) to the stream being \
                allowed to send it; in the baseline, the hand-over from the engine thread to the stream's thread. \
                Added to first token: the request_in_flight insert plus the first token's wait. Progress writes: \
                batched UPDATEs of request_in_flight, one transaction each, timed from the statement to the \
                commit. CPU: this JVM (engine, streams, writer, JDBC) and the PostgreSQL backends of this \
                benchmark's connections (not the WAL writer or checkpointer); every request's final log is in \
                every row, so the baseline holds it too.

                """);
        for (Cell cell : cells) {
            Cell baseline = cells.stream()
                .filter(c -> c.streams() == cell.streams() && !c.mode().writeAhead())
                .findFirst()
                .orElseThrow();
            if (cell.mode().writeAhead() && cell.postgresCpuNanos() >= 0) {
                double added = cell.cpuMsPerThousand() - baseline.cpuMsPerThousand();
                report.append(String.format(Locale.ROOT,
                        "- %d stream%s, %s: %+.0f ms of CPU (JVM and PostgreSQL) per 1,000 tokens against the "
                                + "baseline, %.2f ms per progress write (the opens and the in-flight rows' deletes counted in)%n",
                        cell.streams(), cell.streams() == 1 ? "" : "s", cell.mode().name(), added,
                        cell.writes() == 0 ? Double.NaN : added * cell.tokens() / 1000 / cell.writes()));
            }
        }
        System.out.print(report);
        if (output != null) {
            Files.writeString(output, report.toString());
        }
    }

    /** What one cell measured. */
    record Cell(int streams, Mode mode, double seconds, long tokens, long[] addedNanos, long[] firstNanos,
            long requests, long writes, long rowsWritten, long[] writeNanos, long jvmCpuNanos, long postgresCpuNanos) {

        double cpuMsPerThousand() {
            return (jvmCpuNanos + Math.max(0, postgresCpuNanos)) / 1e6 / tokens * 1000;
        }

        String row() {
            return String.format(Locale.ROOT, "| %d | %s | %,.0f | %s / %s | %s / %s | %d | %s | %s | %s | %.0f | %s |%n",
                    streams, mode.name(), tokens / seconds, ms(addedNanos, 0.50), ms(addedNanos, 0.99),
                    ms(firstNanos, 0.50), ms(firstNanos, 0.99), requests,
                    mode.writeAhead() ? String.format(Locale.ROOT, "%.0f", writes / seconds) : "–",
                    mode.writeAhead() && writes > 0 ? String.format(Locale.ROOT, "%.1f", (double) rowsWritten / writes)
                            : "–",
                    mode.writeAhead() ? ms(writeNanos, 0.50) + " / " + ms(writeNanos, 0.99) : "–",
                    jvmCpuNanos / 1e6 / tokens * 1000,
                    postgresCpuNanos < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", postgresCpuNanos / 1e6 / tokens * 1000));
        }
    }

    static Cell run(DataSource dataSource, String database, Mode mode, int streams, double seconds) throws Exception {
        CountingJdbc jdbc = new CountingJdbc(dataSource);
        UsageSettings usage = new UsageSettings(mode.writeAhead() ? mode.interval() : Duration.ofMillis(20),
                PROGRESS_TOKENS, Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(10),
                Duration.ofSeconds(5));
        InferenceProperties properties = new InferenceProperties("bench", null, List.of(), null,
                DataSize.ofMegabytes(1), Duration.ofMinutes(10), usage, FairShareSettings.FIRST_COME_FIRST_SERVED);
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
            // the service's wiring: @Transactional proxies, its JdbcTemplate, its properties
            AopConfigUtils.registerAutoProxyCreatorIfNecessary(context);
            context.register(ProxyTransactionManagementConfiguration.class);
            context.registerBean(DataSource.class, () -> dataSource);
            context.registerBean(JdbcTemplate.class, () -> jdbc);
            context.registerBean("transactionManager", PlatformTransactionManager.class,
                    () -> new DataSourceTransactionManager(dataSource));
            context.registerBean(Clock.class, Clock::systemUTC);
            context.registerBean(MeterRegistry.class, SimpleMeterRegistry::new);
            context.registerBean(InferenceProperties.class, () -> properties);
            context.registerBean(Class.forName("io.tokenfactory.inference.usage.InFlightLog"));
            context.registerBean(UsageRecording.class);
            context.registerBean(WriteAheadUsage.class);
            context.refresh();
            WriteAheadUsage writeAhead = context.getBean(WriteAheadUsage.class);
            UsageRecording recording = context.getBean(UsageRecording.class);

            Engine engine = new Engine();
            long start = System.nanoTime();
            long measureFrom = start + (long) (SETTLE_SECONDS * 1e9);
            long measureTo = measureFrom + (long) (seconds * 1e9);
            List<Stream> all = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                // the first requests are of different lengths, so that the streams do not open and end together
                Stream stream = new Stream(engine, mode.writeAhead() ? writeAhead : null, recording,
                        1 + i * TOKENS / streams, measureFrom, measureTo);
                all.add(stream);
            }
            Thread engineThread = new Thread(engine, "engine");
            engineThread.setDaemon(true);
            engineThread.start();
            all.forEach(Stream::start);

            sleepUntil(measureFrom);
            Set<Integer> backends = backends(dataSource, database);
            long jvmFrom = processCpuNanos();
            long postgresFrom = cpuNanos(backends, database);
            jdbc.measuring = true;
            sleepUntil(measureTo);
            jdbc.measuring = false;
            long jvmTo = processCpuNanos();
            long postgresTo = cpuNanos(backends, database);
            // tokens produced in the window and still on their way are counted when they are released
            TimeUnit.MILLISECONDS.sleep(500);
            engine.stopped = true;
            for (Stream stream : all) {
                stream.stopped = true;
            }
            engineThread.join();
            for (Stream stream : all) {
                stream.thread.join();
            }
            LongList added = new LongList();
            LongList first = new LongList();
            long tokens = 0;
            for (Stream stream : all) {
                added.addAll(stream.added);
                first.addAll(stream.first);
                tokens += stream.tokensInWindow;
            }
            Cell cell = new Cell(streams, mode, seconds, tokens, added.sorted(), first.sorted(), first.size,
                    jdbc.writes.get(), jdbc.rows.get(), jdbc.writeNanos.sorted(), jvmTo - jvmFrom,
                    postgresFrom < 0 || postgresTo < 0 ? -1 : postgresTo - postgresFrom);
            Integer left = jdbc.queryForObject("SELECT count(*) FROM request_in_flight", Integer.class);
            if (left != null && left != 0) {
                throw new IllegalStateException(left + " requests left in flight after the cell");
            }
            return cell;
        }
    }

    /**
     * A continuous-batching engine's pace: every 20 ms one token for every request in the batch, all at the same
     * instant.
     */
    static final class Engine implements Runnable {

        final Set<Request> batch = ConcurrentHashMap.newKeySet();

        volatile boolean stopped;

        @Override
        public void run() {
            long next = System.nanoTime();
            while (!stopped) {
                next += TOKEN_NANOS;
                long wait;
                while ((wait = next - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                long now = System.nanoTime();
                for (Request request : batch) {
                    int count = ++request.produced;
                    request.tokens.add(new Token(now, count));
                    if (count == request.length) {
                        batch.remove(request);
                    }
                }
            }
        }

    }

    record Token(long producedNanos, int completionTokens) {
    }

    static final class Request {

        final int length;

        final BlockingQueue<Token> tokens = new LinkedBlockingQueue<>();

        int produced;

        Request(int length) {
            this.length = length;
        }

    }

    /**
     * One client's stream, served as {@code EventStream} serves it: whatever waits is taken at once and released
     * once durable.
     */
    static final class Stream implements Runnable {

        final Engine engine;

        final WriteAheadUsage writeAhead;

        final UsageRecording recording;

        final long measureFrom;

        final long measureTo;

        final Thread thread = new Thread(this, "stream");

        final LongList added = new LongList();

        final LongList first = new LongList();

        int length;

        long tokensInWindow;

        volatile boolean stopped;

        Stream(Engine engine, WriteAheadUsage writeAhead, UsageRecording recording, int firstLength, long measureFrom,
                long measureTo) {
            this.engine = engine;
            this.writeAhead = writeAhead;
            this.recording = recording;
            this.length = firstLength;
            this.measureFrom = measureFrom;
            this.measureTo = measureTo;
        }

        void start() {
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            List<Token> taken = new ArrayList<>();
            while (!stopped) {
                String id = "bench-" + UUID.randomUUID();
                Instant startedAt = Instant.now();
                long opening = System.nanoTime();
                WriteAheadUsage.Served served = writeAhead == null ? null
                        : writeAhead.open(new StartedRequest(id, CALLER, null, "bench-model", "djl", "bench", null,
                                "none", 16, false, startedAt));
                long openNanos = System.nanoTime() - opening;
                Request request = new Request(length);
                engine.batch.add(request);
                int released = 0;
                long firstProduced = -1;
                while (released < request.length && !stopped) {
                    Token token;
                    try {
                        token = request.tokens.poll(100, TimeUnit.MILLISECONDS);
                    }
                    catch (InterruptedException e) {
                        return;
                    }
                    if (token == null) {
                        continue;
                    }
                    taken.clear();
                    taken.add(token);
                    request.tokens.drainTo(taken);
                    int count = taken.get(taken.size() - 1).completionTokens();
                    if (served != null) {
                        served.beforeSending(count);
                    }
                    long releasable = System.nanoTime();
                    for (Token t : taken) {
                        if (t.producedNanos() >= measureFrom && t.producedNanos() <= measureTo) {
                            added.add(releasable - t.producedNanos());
                            tokensInWindow++;
                        }
                    }
                    if (served != null) {
                        served.sent(count);
                    }
                    if (released == 0 && opening >= measureFrom && opening <= measureTo) {
                        first.add(openNanos + releasable - taken.get(0).producedNanos());
                    }
                    released = count;
                }
                if (released < request.length) {
                    // stopped mid-request: not a measured request, nothing to bill
                    engine.batch.remove(request);
                    if (served != null) {
                        served.discard();
                    }
                    return;
                }
                recording.logServed(new FinishedRequest(id, CALLER, null, "bench-model", "djl", "bench", null, "none",
                        16, released, UsageOutcome.COMPLETED, startedAt, Instant.now(), 0, false));
                if (served != null) {
                    served.logged();
                }
                length = TOKENS;
            }
        }

    }

    /** The service's JdbcTemplate, counting the progress writes and the rows they carry while measuring. */
    static final class CountingJdbc extends JdbcTemplate {

        volatile boolean measuring;

        final AtomicLong writes = new AtomicLong();

        final AtomicLong rows = new AtomicLong();

        final LongList writeNanos = new LongList();

        CountingJdbc(DataSource dataSource) {
            super(dataSource);
        }

        @Override
        public <T> int[][] batchUpdate(String sql, Collection<T> batchArgs, int batchSize,
                ParameterizedPreparedStatementSetter<T> pss) {
            long start = System.nanoTime();
            if (measuring && sql.strip().startsWith("UPDATE request_in_flight")) {
                writes.incrementAndGet();
                rows.addAndGet(batchArgs.size());
                // the write's time runs to its commit (InFlightLog.save is transactional)
                TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                    @Override
                    public void afterCompletion(int status) {
                        synchronized (writeNanos) {
                            writeNanos.add(System.nanoTime() - start);
                        }
                    }
                });
            }
            return super.batchUpdate(sql, batchArgs, batchSize, pss);
        }

    }

    /** A growable array of longs: a cell holds tens of thousands of samples. */
    static final class LongList {

        long[] values = new long[1024];

        int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        void addAll(LongList other) {
            for (int i = 0; i < other.size; i++) {
                add(other.values[i]);
            }
        }

        long[] sorted() {
            long[] copy = Arrays.copyOf(values, size);
            Arrays.sort(copy);
            return copy;
        }

    }

    static String ms(long[] sorted, double p) {
        if (sorted.length == 0) {
            return "–";
        }
        double value = sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
        return String.format(Locale.ROOT, value < 10 ? "%.2f" : "%.0f", value);
    }

    static void sleepUntil(long nanos) throws InterruptedException {
        long wait;
        while ((wait = nanos - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    /** The one-minute load average, when the machine tells it. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        }
        catch (Exception e) {
            return "unknown";
        }
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }

    /** The process ids of this database's backends (the pool's connections), when PostgreSQL runs on this machine. */
    static Set<Integer> backends(DataSource dataSource, String database) {
        return Set.copyOf(new JdbcTemplate(dataSource).queryForList(
                "SELECT pid FROM pg_stat_activity WHERE datname = ?", Integer.class,
                database));
    }

    /**
     * User and system CPU of these backends from /proc, in clock ticks of 10 ms; -1 when PostgreSQL does not run on
     * this machine (or /proc cannot tell).
     */
    static long cpuNanos(Set<Integer> pids, String database) {
        long ticks = 0;
        for (int pid : pids) {
            try {
                String command = Files.readString(Path.of("/proc/" + pid + "/cmdline"));
                if (!command.contains(database)) {
                    return -1;
                }
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // fields 14 and 15 of stat (utime, stime), counted from the state, field 3
                ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            }
            catch (Exception e) {
                return -1;
            }
        }
        return ticks * 10_000_000L;
    }

    static HikariDataSource dataSource(String database) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + database);
        config.setUsername(PG_USER);
        config.setPassword(PG_PASSWORD);
        // the service's pool (tokenfactory-service-defaults.yml)
        config.setMaximumPoolSize(10);
        config.setConnectionTimeout(5000);
        return new HikariDataSource(config);
    }

    static void createDatabase(String name, boolean create) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT
                + "/postgres", PG_USER, PG_PASSWORD)) {
            connection.createStatement().execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            if (create) {
                connection.createStatement().execute("CREATE DATABASE " + name);
            }
        }
    }

    static String env(String name, String otherwise) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? otherwise : value;
    }

}
