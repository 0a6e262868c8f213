import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.metering.MeteringServiceApplication;
import io.tokenfactory.support.events.CloudEventBatches;

import org.springframework.boot.SpringApplication;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import tools.jackson.databind.json.JsonMapper;

/**
 * End-to-end ingestion rate of metering-service on the real broker and database: events are published (persistent,
 * with publisher confirms, as inference-service sends them) while metering-service consumes them; the clock stops
 * when the hourly rollup has counted every event. First the baseline, the broker's own ceiling (see CEILING); then
 * three runs side by side, each against a freshly started service:
 * batches of 500 (the shipped setting), one event per transaction (the baseline), and batches with every event
 * delivered twice (the cost of redelivery). Each run checks that every event counted exactly once.
 *
 * A fourth run fills the queue while the consumer is stopped and then times the consumer alone, and the publisher's
 * own rate is noted then: on a small machine the two share the CPU with the broker and the database.
 *
 *   java -cp CLASSPATH bench/MeteringIngestionBenchmark.java EVENTS BASELINE_EVENTS RESULT_FILE
 *   java -cp CLASSPATH_WITH_TEST_SCOPE bench/MeteringIngestionBenchmark.java kafka EVENTS RESULT_FILE   (see Kafka)
 */
public class MeteringIngestionBenchmark {

    static final String PG_HOST = env("TF_POSTGRES_HOST", "localhost");
    static final String PG_PORT = env("TF_POSTGRES_PORT", "5432");
    static final String PG_USER = env("TF_POSTGRES_USER", "postgres");
    static final String PG_PASSWORD = env("TF_POSTGRES_PASSWORD", "");
    static final String MQ_HOST = env("TF_RABBITMQ_HOST", "localhost");
    static final int MQ_PORT = Integer.parseInt(env("TF_RABBITMQ_PORT", "5672"));
    static final JsonMapper JSON = JsonMapper.builder().build();
    /** The consumer alone: the queue is filled while it is stopped, then drained; the clock runs from its start. */
    static final String PREFILLED = "batches of 500, consumer alone (queue filled first)";
    /**
     * The broker's own ceiling, the baseline: the same publisher, and a plain amqp-client consumer instead of
     * metering-service on the very queue metering-service's binder declared (same arguments, same prefetch), acking
     * every 500 messages at once; no database.
     */
    static final String CEILING = "broker ceiling: the same publisher, a plain consumer on the same queue (no database)";
    /** How many usage events inference-service's outbox relay puts in one message under load (BENCH_EVENTS_PER_MESSAGE). */
    static final int PER_MESSAGE = Integer.parseInt(env("BENCH_EVENTS_PER_MESSAGE", "16"));
    static final String BATCHED = "batches of 500, " + PER_MESSAGE + " events per message (CloudEvents batch)";
    static final String BATCHED_CEILING = "broker ceiling with " + PER_MESSAGE + " events per message (no database)";
    static final JsonMapper EVENTS_JSON = JsonMapper.builder().build();
    /**
     * Events per warm-up run, one run each with one and with many events per message (BENCH_WARM_UP_EVENTS): on two
     * cores the JIT's C2 compiler is still busy after 10,000 (jdk.Compilation events in a recording of the measured
     * runs), and each measured run would pay for it.
     */
    static final int WARM_UP = Integer.parseInt(env("BENCH_WARM_UP_EVENTS", "50000"));
    static double publisherAlone;

    /** A message as inference-service's outbox relay sends it: one event, or a CloudEvents batch of several. */
    record Outgoing(byte[] body, String contentType, Map<String, Object> headers, int events) {
    }

    record Result(String name, int batchSize, int perMessage, int events, int deliveries, double seconds,
            double publishSeconds, long counted, long rows) {
        double eventsPerSecond() {
            return events / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("kafka")) {
            Kafka.run(Integer.parseInt(args[1]), args[2]);
            return;
        }
        int events = Integer.parseInt(args[0]);
        int baselineEvents = Integer.parseInt(args[1]);
        String run = Long.toHexString(System.nanoTime()).substring(0, 8);
        String database = "tf_bench_metering_" + run;
        createDatabase(database, true);
        List<Result> results = new ArrayList<>();
        try {
            // warm-up: JIT, connection pools, partitions; not reported
            measure("warm-up", database, run + "w", 500, 1, WARM_UP, 1);
            measure("warm-up", database, run + "v", 500, PER_MESSAGE, WARM_UP, 1);
            results.add(measure(CEILING, database, run + "e", 500, 1, events, 1));
            results.add(measure("batches of 500", database, run + "a", 500, 1, events, 1));
            results.add(measure(BATCHED, database, run + "f", 500, PER_MESSAGE, events, 1));
            results.add(measure("one event per transaction (baseline)", database, run + "b", 1, 1, baselineEvents, 1));
            results.add(measure("batches of 500, every event delivered twice", database, run + "c", 500, 1, events, 2));
            results.add(measure(PREFILLED, database, run + "d", 500, 1, events, 1));
            results.add(measure(BATCHED_CEILING, database, run + "g", 500, PER_MESSAGE, events, 1));
        } finally {
            createDatabase(database, false);
        }
        StringBuilder report = new StringBuilder();
        report.append("# metering-service ingestion, end to end\n\n")
                .append(Instant.now()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores shared by RabbitMQ, PostgreSQL, metering-service and the publisher; Java ")
                .append(System.getProperty("java.version")).append("\n\n")
                .append("| run | events | events per message | deliveries | publish done (s) | all counted (s) | events/s | counted exactly once |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (Result r : results) {
            report.append(String.format(Locale.ROOT, "| %s | %,d | %d | %,d | %.1f | %.1f | %,.0f | %s |%n", r.name(),
                    r.events(), r.perMessage(), r.events() * r.deliveries(), r.publishSeconds(), r.seconds(),
                    r.eventsPerSecond(),
                    isCeiling(r.name()) ? "— (" + r.counted() + " delivered, nothing counted)"
                            : r.counted() == r.events() && r.rows() == r.events() ? "yes (" + r.counted() + ")"
                                    : "NO: " + r.counted() + " counted, " + r.rows() + " raw rows"));
        }
        Result ceiling = results.get(0);
        Result batched = results.get(1);
        Result perMessage = results.get(2);
        Result baseline = results.get(3);
        Result twice = results.get(4);
        Result batchedCeiling = results.get(6);
        report.append(String.format(Locale.ROOT, "%nEnd to end, with %d events per message as inference-service's outbox "
                + "relay sends them under load, metering-service ingests at %.0f%% of the broker's own ceiling for "
                + "persistent, confirmed messages measured in this run (%,.0f events/s against %,.0f messages/s, one "
                + "event each); with one event per message at %.0f%% (%,.0f events/s). The broker itself carries %,.0f "
                + "events/s at %d events per message.%n", PER_MESSAGE,
                100 * perMessage.eventsPerSecond() / ceiling.eventsPerSecond(), perMessage.eventsPerSecond(),
                ceiling.eventsPerSecond(), 100 * batched.eventsPerSecond() / ceiling.eventsPerSecond(),
                batched.eventsPerSecond(), batchedCeiling.eventsPerSecond(), PER_MESSAGE));
        report.append(String.format(Locale.ROOT, "%nThe publisher alone (consumer stopped) sent %,.0f events/s.%n",
                publisherAlone));
        report.append(String.format(Locale.ROOT, "%nBatching: %.1f× the one-event-per-transaction baseline. "
                + "Delivering every event twice: %,.0f distinct events/s (%,.0f deliveries/s), %.0f%% of the single-delivery rate.%n",
                batched.eventsPerSecond() / baseline.eventsPerSecond(), twice.eventsPerSecond(),
                twice.eventsPerSecond() * 2, 100 * twice.eventsPerSecond() / batched.eventsPerSecond()));
        System.out.print(report);
        java.nio.file.Files.writeString(java.nio.file.Path.of(args[2]), report.toString());
        boolean exact = results.stream().allMatch(r -> r.counted() == r.events() && r.rows() == r.events());
        exact = exact && results.stream().filter(r -> isCeiling(r.name())).allMatch(r -> r.counted() == r.events());
        // (the ceiling's consumer delivered every event, or its loop would have timed out short)
        System.exit(exact ? 0 : 1);
    }

    /**
     * Waits until the JIT has compiled what starting a service queued (up to 20 s): on two cores the C2 compiler would
     * otherwise spend much of the next seconds on the context's start-up code, inside the measured run.
     */
    static void settle() throws InterruptedException {
        var compiler = java.lang.management.ManagementFactory.getCompilationMXBean();
        long deadline = System.nanoTime() + 20_000_000_000L;
        long compiled = compiler.getTotalCompilationTime();
        do {
            Thread.sleep(500);
            long before = compiled;
            compiled = compiler.getTotalCompilationTime();
            if (compiled - before < 25) {
                return;
            }
        }
        while (System.nanoTime() < deadline);
    }

    static boolean isCeiling(String name) {
        return name.equals(CEILING) || name.equals(BATCHED_CEILING);
    }

    static Result measure(String name, String database, String run, int batchSize, int perMessage, int events,
            int deliveries) throws Exception {
        String prefix = "bench-" + run + ".";
        ConfigurableApplicationContext metering = new SpringApplication(MeteringServiceApplication.class).run(
                "--server.port=0",
                "--spring.datasource.url=jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + database,
                "--spring.datasource.username=" + PG_USER, "--spring.datasource.password=" + PG_PASSWORD,
                "--spring.rabbitmq.host=" + MQ_HOST, "--spring.rabbitmq.port=" + MQ_PORT,
                "--spring.cloud.stream.rabbit.default.consumer.prefix=" + prefix,
                "--spring.cloud.stream.rabbit.default.producer.prefix=" + prefix,
                "--spring.cloud.stream.rabbit.bindings.usageRecorded-in-0.consumer.batch-size=" + batchSize,
                "--logging.level.root=WARN", "--logging.level.io.tokenfactory=WARN",
                "--spring.main.banner-mode=off");
        UUID department = UUID.randomUUID();
        try {
            List<Outgoing> outgoing = messages(department, events, perMessage);
            ConnectionFactory factory = new ConnectionFactory();
            factory.setHost(MQ_HOST);
            factory.setPort(MQ_PORT);
            factory.setUsername(env("TF_RABBITMQ_USER", "guest"));
            factory.setPassword(env("TF_RABBITMQ_PASSWORD", "guest"));
            long start;
            long published;
            try (com.rabbitmq.client.Connection connection = factory.newConnection();
                    Channel channel = connection.createChannel();
                    Connection db = DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/"
                            + database, PG_USER, PG_PASSWORD)) {
                channel.confirmSelect();
                String exchange = prefix + "tokenfactory.usage-recorded";
                BindingsLifecycleController bindings = metering.getBean(BindingsLifecycleController.class);
                if (name.equals(PREFILLED) || isCeiling(name)) {
                    bindings.changeState("usageRecorded-in-0", BindingsLifecycleController.State.STOPPED);
                }
                java.util.concurrent.atomic.AtomicLong delivered = new java.util.concurrent.atomic.AtomicLong();
                com.rabbitmq.client.Connection plain = null;
                if (isCeiling(name)) {
                    plain = factory.newConnection();
                    Channel consumer = plain.createChannel();
                    consumer.basicQos(Integer.parseInt(metering.getEnvironment().getProperty(
                            "spring.cloud.stream.rabbit.bindings.usageRecorded-in-0.consumer.prefetch", "1000")));
                    consumer.basicConsume(prefix + "tokenfactory.usage-recorded.metering-service", false,
                            new com.rabbitmq.client.DefaultConsumer(consumer) {
                                @Override
                                public void handleDelivery(String tag, com.rabbitmq.client.Envelope envelope,
                                        AMQP.BasicProperties properties, byte[] body) throws java.io.IOException {
                                    long n = delivered.addAndGet(perMessage);
                                    if (n % (500L * perMessage) == 0 || n >= events) {
                                        getChannel().basicAck(envelope.getDeliveryTag(), true);
                                    }
                                }
                            });
                }
                settle();
                start = System.nanoTime();
                for (int pass = 0; pass < deliveries; pass++) {
                    for (int i = 0; i < outgoing.size(); i++) {
                        Outgoing message = outgoing.get(i);
                        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                                .contentType(message.contentType()).deliveryMode(2).headers(message.headers())
                                .build();
                        channel.basicPublish(exchange, "usage", properties, message.body());
                        if (i % 1000 == 999) {
                            channel.waitForConfirmsOrDie(30_000);
                        }
                    }
                }
                channel.waitForConfirmsOrDie(30_000);
                published = System.nanoTime();
                if (name.equals(PREFILLED)) {
                    publisherAlone = events / ((published - start) / 1e9);
                    start = System.nanoTime();
                    bindings.changeState("usageRecorded-in-0", BindingsLifecycleController.State.STARTED);
                }
                long counted = 0;
                long deadline = System.nanoTime() + 600_000_000_000L;
                if (isCeiling(name)) {
                    while (delivered.get() < events && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    plain.close();
                    metering.close();
                    deleteQueues(channel, prefix);
                    System.err.printf(Locale.ROOT, "%s: %,d events in %.1f s = %,.0f events/s%n", name, events,
                            seconds, events / seconds);
                    return new Result(name, batchSize, perMessage, events, deliveries, seconds,
                            (published - start) / 1e9, delivered.get(), delivered.get());
                }
                while (counted < events && System.nanoTime() < deadline) {
                    counted = count(db, "SELECT COALESCE(sum(requests), 0) FROM usage_hourly WHERE department_id = '"
                            + department + "'");
                    if (counted < events) {
                        Thread.sleep(20);
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                // anything still in flight (redeliveries) must not change the count
                Thread.sleep(2000);
                counted = count(db, "SELECT COALESCE(sum(requests), 0) FROM usage_hourly WHERE department_id = '"
                        + department + "'");
                long rows = count(db, "SELECT count(*) FROM usage_record WHERE department_id = '" + department + "'");
                Result result = new Result(name, batchSize, perMessage, events, deliveries, seconds,
                        name.equals(PREFILLED) ? 0 : (published - start) / 1e9, counted, rows);
                var meters = metering.getBean(io.micrometer.core.instrument.MeterRegistry.class);
                var batches = meters.get("tokenfactory.metering.batches").tag("type", "tokenfactory.usage-recorded.v1").timer();
                var sizes = meters.get("tokenfactory.metering.batch.size").tag("type", "tokenfactory.usage-recorded.v1").summary();
                System.err.printf(Locale.ROOT, "%s: %,d events in %.1f s = %,.0f events/s (counted %d); %d batches of %.0f on average, %.1f ms each, %.1f s in batches%n", name, events,
                        seconds, result.eventsPerSecond(), counted, batches.count(), sizes.mean(),
                        batches.mean(java.util.concurrent.TimeUnit.MILLISECONDS), batches.totalTime(java.util.concurrent.TimeUnit.SECONDS));
                metering.close();
                deleteQueues(channel, prefix);
                return result;
            }
        } finally {
            metering.close();
        }
    }

    /** {@code events} usage-recorded events of one department, as JSON bodies, and their event ids. */
    static List<UsageRecorded> usageEvents(UUID department, int events, List<byte[]> bodies, List<String> ids) {
        List<UsageRecorded> records = new ArrayList<>(events);
        Instant hour = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS);
        for (int i = 0; i < events; i++) {
            UsageRecorded usage = new UsageRecorded(UUID.randomUUID(), hour.plusMillis(i % 3_600_000),
                    "req-" + UUID.randomUUID(), department, UUID.randomUUID(), null, null,
                    i % 3 == 0 ? "byte-lm-moby" : "llama-3.1-8b", "djl", "node-" + (i % 4), "cpu0",
                    ThreadLocalRandom.current().nextInt(1, 2000), ThreadLocalRandom.current().nextInt(1, 500),
                    UsageOutcome.COMPLETED, 900, 80, 2.5, EnergySource.RAPL, 0.9, false, null, 0.0);
            bodies.add(JSON.writeValueAsBytes(usage));
            ids.add(usage.eventId().toString());
            records.add(usage);
        }
        return records;
    }

    /**
     * {@code events} usage-recorded events of one department as the messages inference-service's outbox relay sends:
     * each alone ({@code perMessage} 1) or as CloudEvents batches of {@code perMessage}.
     */
    static List<Outgoing> messages(UUID department, int events, int perMessage) {
        List<byte[]> bodies = new ArrayList<>(events);
        List<String> ids = new ArrayList<>(events);
        List<UsageRecorded> records = usageEvents(department, events, bodies, ids);
        List<Outgoing> messages = new ArrayList<>();
        for (int from = 0; from < events; from += perMessage) {
            if (perMessage == 1) {
                messages.add(new Outgoing(bodies.get(from), "application/json", Map.of("ce-id", ids.get(from),
                        "ce-type", "tokenfactory.usage-recorded.v1", "ce-source", "urn:tokenfactory:bench",
                        "ce-specversion", "1.0"), 1));
            }
            else {
                List<UsageRecorded> batch = records.subList(from, Math.min(events, from + perMessage));
                messages.add(new Outgoing(CloudEventBatches.encode(batch, "urn:tokenfactory:bench", EVENTS_JSON),
                        CloudEventBatches.CONTENT_TYPE, Map.of(), batch.size()));
            }
        }
        return messages;
    }

    static void deleteQueues(Channel channel, String prefix) throws java.io.IOException {
        for (String queue : List.of("tokenfactory.usage-recorded.metering-service",
                "tokenfactory.usage-recorded.metering-service.dlq", "tokenfactory.power-sampled.metering-service",
                "tokenfactory.power-sampled.metering-service.dlq", "tokenfactory.usage-metered.billing-service",
                "tokenfactory.idle-energy-allocated.billing-service")) {
            channel.queueDelete(prefix + queue);
        }
    }

    static long count(Connection db, String sql) throws Exception {
        try (Statement statement = db.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
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

    /**
     * The Kafka half of the metering ingestion benchmark, measured as the RabbitMQ half is: the broker's own ceiling
     * first (the same publisher, and a plain Kafka consumer of the same topic with the same partitions, committing after
     * every poll, no database), then metering-service on Kafka end to end (batches of max.poll.records 500, the shipped
     * setting), then the consumer alone on a filled topic. The publisher sends as a Kafka producer with acks=all and
     * idempotence, waiting for every acknowledgement each 1,000 events (as the RabbitMQ half waits for confirms). Each
     * metering run checks that every event was counted exactly once. The broker is one KRaft broker in this JVM (the
     * tests' own), so its CPU is shared with everything else, as RabbitMQ's is.
     *
     *   java -cp CLASSPATH_WITH_TEST_SCOPE bench/MeteringIngestionBenchmark.java kafka EVENTS RESULT_FILE
     */
    static final class Kafka {


        static final int PARTITIONS = 6;
        static final String CEILING = "broker ceiling: the same publisher, a plain consumer of the same topic (no database)";
        static final String ENDTOEND = "batches of 500";
        static final String PREFILLED = "batches of 500, consumer alone (topic filled first)";
        static final String BATCHED = "batches of 500, " + PER_MESSAGE + " events per record (CloudEvents batch)";
        static String brokers;
        static double publisherAlone;

        record Result(String name, int perMessage, int events, double seconds, double publishSeconds, long counted,
                long rows) {
            double eventsPerSecond() {
                return events / seconds;
            }
        }

        static void run(int events, String resultFile) throws Exception {
            EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS);
            broker.brokerProperties(Map.of("group.initial.rebalance.delay.ms", "0"));
            broker.afterPropertiesSet();
            brokers = broker.getBrokersAsString();
            String run = Long.toHexString(System.nanoTime()).substring(0, 8);
            String database = "tf_bench_metering_kafka_" + run;
            createDatabase(database, true);
            List<Result> results = new ArrayList<>();
            try {
                measure("warm-up", database, run + "w", 1, WARM_UP);
                measure("warm-up", database, run + "v", PER_MESSAGE, WARM_UP);
                results.add(measure(CEILING, database, run + "e", 1, events));
                results.add(measure(ENDTOEND, database, run + "a", 1, events));
                results.add(measure(BATCHED, database, run + "f", PER_MESSAGE, events));
                results.add(measure(PREFILLED, database, run + "d", 1, events));
            }
            finally {
                createDatabase(database, false);
                broker.destroy();
            }
            StringBuilder report = new StringBuilder();
            report.append("# metering-service ingestion on Kafka, end to end\n\n")
                .append(Instant.now())
                .append(", ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores shared by one KRaft broker, PostgreSQL, metering-service and the publisher; Java ")
                .append(System.getProperty("java.version"))
                .append("\n\n")
                .append("| run | events | events per message | publish done (s) | all counted (s) | events/s | counted exactly once |\n")
                .append("|---|---:|---:|---:|---:|---:|---|\n");
            for (Result r : results) {
                report.append(String.format(Locale.ROOT, "| %s | %,d | %d | %.1f | %.1f | %,.0f | %s |%n", r.name(),
                        r.events(), r.perMessage(), r.publishSeconds(), r.seconds(), r.eventsPerSecond(),
                        r.name().equals(CEILING) ? "— (" + r.counted() + " delivered, nothing counted)"
                                : r.counted() == r.events() && r.rows() == r.events() ? "yes (" + r.counted() + ")"
                                        : "NO: " + r.counted() + " counted, " + r.rows() + " raw rows"));
            }
            report.append(String.format(Locale.ROOT,
                    "%nEnd to end, with %d events per message metering-service ingests at %.0f%% of the broker's own "
                            + "ceiling measured in this run (%,.0f events/s against %,.0f records/s, one event each); "
                            + "with one event per record at %.0f%% (%,.0f events/s). The publisher alone (consumer "
                            + "stopped) sent %,.0f events/s.%n", PER_MESSAGE,
                    100 * results.get(2).eventsPerSecond() / results.get(0).eventsPerSecond(),
                    results.get(2).eventsPerSecond(), results.get(0).eventsPerSecond(),
                    100 * results.get(1).eventsPerSecond() / results.get(0).eventsPerSecond(),
                    results.get(1).eventsPerSecond(), publisherAlone));
            System.out.print(report);
            java.nio.file.Files.writeString(java.nio.file.Path.of(resultFile), report.toString());
            boolean exact = results.stream()
                .filter(r -> !r.name().equals(CEILING))
                .allMatch(r -> r.counted() == r.events() && r.rows() == r.events());
            System.exit(exact ? 0 : 1);
        }

        static Result measure(String name, String database, String run, int perMessage, int events) throws Exception {
            String topic = "bench-" + run + ".tokenfactory.usage-recorded";
            ConfigurableApplicationContext metering = null;
            if (name.equals(CEILING)) {
                try (Admin admin = Admin.create(Map.of("bootstrap.servers", brokers))) {
                    admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
                }
            }
            else {
                metering = new SpringApplication(MeteringServiceApplication.class).run("--server.port=0",
                        "--spring.datasource.url=jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + database,
                        "--spring.datasource.username=" + PG_USER, "--spring.datasource.password=" + PG_PASSWORD,
                        "--spring.cloud.stream.default-binder=kafka", "--spring.cloud.stream.kafka.binder.brokers=" + brokers,
                        "--spring.cloud.stream.kafka.binder.replication-factor=1",
                        "--spring.cloud.stream.kafka.binder.min-partition-count=" + PARTITIONS,
                        "--spring.cloud.stream.bindings.usageRecorded-in-0.destination=" + topic,
                        "--logging.level.root=WARN", "--logging.level.io.tokenfactory=WARN",
                        "--spring.main.banner-mode=off");
            }
            UUID department = UUID.randomUUID();
            List<Outgoing> outgoing = messages(department, events, perMessage);
            Properties producerSettings = new Properties();
            producerSettings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
            producerSettings.put(ProducerConfig.ACKS_CONFIG, "all");
            producerSettings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            producerSettings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            producerSettings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            byte[] key = ("department/" + department).getBytes(StandardCharsets.UTF_8);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerSettings);
                    Connection db = DriverManager.getConnection(
                            "jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + database, PG_USER, PG_PASSWORD)) {
                BindingsLifecycleController bindings = metering == null ? null
                        : metering.getBean(BindingsLifecycleController.class);
                if (name.equals(PREFILLED)) {
                    bindings.changeState("usageRecorded-in-0", BindingsLifecycleController.State.STOPPED);
                }
                java.util.concurrent.atomic.AtomicLong delivered = new java.util.concurrent.atomic.AtomicLong();
                Thread plainConsumer = null;
                if (name.equals(CEILING)) {
                    plainConsumer = new Thread(() -> consumeAll(topic, outgoing.size(), delivered), "plain-consumer");
                    plainConsumer.start();
                }
                settle();
                long start = System.nanoTime();
                List<java.util.concurrent.Future<?>> unacknowledged = new ArrayList<>();
                for (int i = 0; i < outgoing.size(); i++) {
                    Outgoing message = outgoing.get(i);
                    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, key, message.body());
                    message.headers()
                        .forEach((header, value) -> record.headers()
                            .add(header, value.toString().getBytes(StandardCharsets.UTF_8)));
                    record.headers().add("contentType", message.contentType().getBytes(StandardCharsets.UTF_8));
                    unacknowledged.add(producer.send(record));
                    if (i % 1000 == 999) {
                        for (var future : unacknowledged) {
                            future.get();
                        }
                        unacknowledged.clear();
                    }
                }
                for (var future : unacknowledged) {
                    future.get();
                }
                long published = System.nanoTime();
                if (name.equals(PREFILLED)) {
                    publisherAlone = events / ((published - start) / 1e9);
                    start = System.nanoTime();
                    bindings.changeState("usageRecorded-in-0", BindingsLifecycleController.State.STARTED);
                }
                long deadline = System.nanoTime() + 600_000_000_000L;
                if (name.equals(CEILING)) {
                    plainConsumer.join(600_000);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    System.err.printf(Locale.ROOT, "%s: %,d events in %.1f s = %,.0f events/s%n", name, events, seconds,
                            events / seconds);
                    return new Result(name, perMessage, events, seconds, (published - start) / 1e9, delivered.get(),
                            delivered.get());
                }
                long counted = 0;
                while (counted < events && System.nanoTime() < deadline) {
                    counted = count(db,
                            "SELECT COALESCE(sum(requests), 0) FROM usage_hourly WHERE department_id = '" + department + "'");
                    if (counted < events) {
                        Thread.sleep(20);
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                // anything still in flight must not change the count
                Thread.sleep(2000);
                counted = count(db,
                        "SELECT COALESCE(sum(requests), 0) FROM usage_hourly WHERE department_id = '" + department + "'");
                long rows = count(db, "SELECT count(*) FROM usage_record WHERE department_id = '" + department + "'");
                System.err.printf(Locale.ROOT, "%s: %,d events in %.1f s = %,.0f events/s (counted %d)%n", name, events,
                        seconds, events / seconds, counted);
                return new Result(name, perMessage, events, seconds,
                        name.equals(PREFILLED) ? 0 : (published - start) / 1e9, counted, rows);
            }
            finally {
                if (metering != null) {
                    metering.close();
                }
            }
        }

        /** A plain consumer: polls the topic from its start and commits after every poll. */
        static void consumeAll(String topic, int events, java.util.concurrent.atomic.AtomicLong delivered) {
            Properties settings = new Properties();
            settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
            settings.put(ConsumerConfig.GROUP_ID_CONFIG, "plain-" + topic);
            settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
            settings.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            settings.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings)) {
                consumer.subscribe(List.of(topic));
                long deadline = System.nanoTime() + 600_000_000_000L;
                while (delivered.get() < events && System.nanoTime() < deadline) {
                    var records = consumer.poll(Duration.ofMillis(100));
                    if (!records.isEmpty()) {
                        delivered.addAndGet(records.count());
                        consumer.commitSync();
                    }
                }
            }
        }
    }
}
