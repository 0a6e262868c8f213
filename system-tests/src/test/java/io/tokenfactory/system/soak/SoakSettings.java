package io.tokenfactory.system.soak;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import io.tokenfactory.testsupport.TestKafka;

/**
 * How long and how hard a soak runs, and on which broker. Read from system properties
 * ({@code tokenfactory.soak.*}); the defaults are the shortened soak of the test suite,
 * {@code bench/soak.sh} sets the long one.
 *
 * @param duration how long the load runs at least (it also runs until every fault has
 * been injected once)
 * @param faultInterval the pause between one fault's recovery and the next fault
 * @param faults the faults to cycle through: {@code tokenfactory.soak.faults}, else
 * {@code tokenfactory.soak.faults.<broker>}, else all
 * @param broker {@code rabbit} or {@code kafka}; by default the one the tests' JVM runs
 * the services on ({@code tokenfactory.test.event-broker})
 * @param clients concurrent external OpenAI clients (a third stream, a third of those
 * disconnect early)
 * @param departments departments with keys and agents
 * @param agentsPerDepartment always-on agents per department
 * @param agentIntervalSeconds how often each agent runs
 * @param settleTimeout how long the suite may take, once the load stops, until every
 * event has arrived
 * @param workDirectory logs, secrets, the soak's own PostgreSQL and the report
 */
record SoakSettings(Duration duration, Duration faultInterval, List<Fault> faults, String broker, int clients,
        int departments, int agentsPerDepartment, int agentIntervalSeconds, Duration settleTimeout,
        Path workDirectory) {

    static SoakSettings fromSystemProperties() {
        String broker = System.getProperty("tokenfactory.soak.broker", TestKafka.enabled() ? "kafka" : "rabbit");
        // the test suite shares the faults out between its RabbitMQ and its Kafka run
        String faults = System
            .getProperty("tokenfactory.soak.faults", System.getProperty("tokenfactory.soak.faults." + broker, ""))
            .strip();
        return new SoakSettings(Duration.parse(System.getProperty("tokenfactory.soak.duration", "PT20S")),
                Duration.parse(System.getProperty("tokenfactory.soak.fault-interval", "PT1S")),
                faults.isEmpty() ? List.of(Fault.values())
                        : Arrays.stream(faults.split("[,\\s]+")).map(Fault::valueOf).toList(),
                broker, Integer.getInteger("tokenfactory.soak.clients", 3),
                Integer.getInteger("tokenfactory.soak.departments", 3),
                Integer.getInteger("tokenfactory.soak.agents-per-department", 2),
                Integer.getInteger("tokenfactory.soak.agent-interval-seconds", 10),
                Duration.parse(System.getProperty("tokenfactory.soak.settle-timeout", "PT3M")),
                Path.of(System.getProperty("tokenfactory.soak.work-directory",
                        "target/soak" + (broker.equals("rabbit") ? "" : "-" + broker)))
                    .toAbsolutePath());
    }
}
