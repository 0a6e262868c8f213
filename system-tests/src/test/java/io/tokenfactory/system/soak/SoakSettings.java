package io.tokenfactory.system.soak;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How long and how hard a soak runs. Read from system properties
 * ({@code tokenfactory.soak.*}); the defaults are the shortened soak of the test suite,
 * {@code bench/soak.sh} sets the long one.
 *
 * @param duration how long the load runs at least (it also runs until every fault has
 * been injected once)
 * @param faultInterval the pause between one fault's recovery and the next fault
 * @param clients concurrent external OpenAI clients (a third stream, a third of those
 * disconnect early)
 * @param departments departments with keys and agents
 * @param agentsPerDepartment always-on agents per department
 * @param agentIntervalSeconds how often each agent runs
 * @param settleTimeout how long the suite may take, once the load stops, until every
 * event has arrived
 * @param workDirectory logs, secrets and the report
 */
record SoakSettings(Duration duration, Duration faultInterval, int clients, int departments, int agentsPerDepartment,
        int agentIntervalSeconds, Duration settleTimeout, Path workDirectory) {

    static SoakSettings fromSystemProperties() {
        return new SoakSettings(Duration.parse(System.getProperty("tokenfactory.soak.duration", "PT1M")),
                Duration.parse(System.getProperty("tokenfactory.soak.fault-interval", "PT5S")),
                Integer.getInteger("tokenfactory.soak.clients", 3),
                Integer.getInteger("tokenfactory.soak.departments", 3),
                Integer.getInteger("tokenfactory.soak.agents-per-department", 2),
                Integer.getInteger("tokenfactory.soak.agent-interval-seconds", 10),
                Duration.parse(System.getProperty("tokenfactory.soak.settle-timeout", "PT3M")),
                Path.of(System.getProperty("tokenfactory.soak.work-directory", "target/soak")).toAbsolutePath());
    }
}
