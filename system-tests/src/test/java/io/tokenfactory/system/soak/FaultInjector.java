package io.tokenfactory.system.soak;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.system.soak.SoakSuite.Service;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Injects one fault and waits for the suite to recover from it: a restarted service is
 * ready again, and usage served after the fault has been charged by billing (the whole
 * pipe flows again).
 */
final class FaultInjector {

    /**
     * One injected fault: when, what exactly, and how long until the pipe flowed again
     * (null: it did not).
     */
    record Injected(Fault fault, Instant at, String detail, Duration recovery) {
    }

    private static final Duration RECOVERY_TIMEOUT = Duration.ofMinutes(3);

    private static final int REPLAYED_PER_SERVICE = 25;

    private final SoakSuite suite;

    private final RemoteNodeReports remoteNode;

    private final List<UUID> departments;

    private final Instant closedMonth;

    FaultInjector(SoakSuite suite, RemoteNodeReports remoteNode, List<UUID> departments, Instant closedMonth) {
        this.suite = suite;
        this.remoteNode = remoteNode;
        this.departments = departments;
        this.closedMonth = closedMonth;
    }

    boolean available(Fault fault) {
        return !fault.needsBrokerAdministration || suite.broker().administrable();
    }

    Injected inject(Fault fault) throws Exception {
        Instant at = Instant.now();
        String detail = switch (fault) {
            case KILL_METERING -> restarted(Service.METERING, true);
            case STOP_METERING -> restarted(Service.METERING, false);
            case KILL_BILLING -> restarted(Service.BILLING, true);
            case STOP_BILLING -> restarted(Service.BILLING, false);
            case TERMINATE_DATABASE_SESSIONS -> suite.terminateDatabaseSessions() + " sessions terminated";
            case DROP_BROKER_CONNECTIONS -> suite.broker().dropConnections() + " connections closed";
            case RESTART_BROKER_APPLICATION -> {
                long started = System.nanoTime();
                suite.broker().restartApplication();
                yield "broker back after " + seconds(Duration.ofNanos(System.nanoTime() - started));
            }
            case LATE_USAGE -> {
                remoteNode.report(departments, closedMonth, Soak.MODEL);
                yield departments.size() + " requests of " + closedMonth.toString().substring(0, 7) + " reported";
            }
            case REPLAY_EVENTS -> replayed(Service.INFERENCE) + " usage-recorded and " + replayed(Service.METERING)
                    + " usage-metered events queued for sending again";
        };
        Instant injected = Instant.now();
        Duration recovery;
        try {
            Awaitility.await(fault + ": usage charged after the fault")
                .atMost(RECOVERY_TIMEOUT)
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> lastCharge().isAfter(injected));
            recovery = Duration.between(at, Instant.now());
        }
        catch (ConditionTimeoutException e) {
            recovery = null;
        }
        return new Injected(fault, at, detail, recovery);
    }

    private String restarted(Service service, boolean kill) {
        return service.module + " ready again after " + seconds(suite.restart(service, kill, RECOVERY_TIMEOUT));
    }

    /**
     * Puts copies of publications the outbox already completed back into it, as if the
     * relay had died between the broker's confirm and marking them done: they are sent
     * again and must change nothing downstream.
     */
    private int replayed(Service service) throws SQLException {
        try (Connection connection = suite.connect(service); Statement statement = connection.createStatement()) {
            return statement.executeUpdate("""
                    INSERT INTO event_publication (id, listener_id, event_type, serialized_event, publication_date,
                        completion_date, status, completion_attempts, last_resubmission_date)
                    SELECT gen_random_uuid(), listener_id, event_type, serialized_event, publication_date, NULL,
                        'FAILED', 1, NULL
                    FROM event_publication_archive WHERE event_type LIKE '%%Usage%%'
                    ORDER BY completion_date DESC LIMIT %d""".formatted(REPLAYED_PER_SERVICE));
        }
    }

    private Instant lastCharge() throws SQLException {
        try (Connection connection = suite.connect(Service.BILLING);
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT max(charged_at) FROM usage_charge")) {
            row.next();
            Timestamp last = row.getTimestamp(1);
            return last == null ? Instant.EPOCH : last.toInstant();
        }
    }

    static String seconds(Duration duration) {
        return String.format(java.util.Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

}
