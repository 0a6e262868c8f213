package io.tokenfactory.system.soak;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.tokenfactory.system.soak.SoakSuite.Service;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Injects one fault and waits for the suite to recover from it: a restarted service or
 * server is ready again, and usage served after the fault has been charged by billing
 * (the whole pipe flows again). The faults that strike mid-stream open a long stream
 * first and strike once its client has received a few chunks.
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

    /** Chunks the long stream's client has received when a mid-stream fault strikes. */
    private static final int CHUNKS_BEFORE_THE_FAULT = 5;

    private static final Duration READ_ONLY_MOMENT = Duration.ofSeconds(5);

    private final SoakSuite suite;

    private final ClientLoad clients;

    private final RemoteNodeReports remoteNode;

    private final List<UUID> departments;

    private final Instant closedMonth;

    FaultInjector(SoakSuite suite, ClientLoad clients, RemoteNodeReports remoteNode, List<UUID> departments,
            Instant closedMonth) {
        this.suite = suite;
        this.clients = clients;
        this.remoteNode = remoteNode;
        this.departments = departments;
        this.closedMonth = closedMonth;
    }

    /** Why a fault cannot be injected here; empty when it can. */
    Optional<String> unavailable(Fault fault) {
        return switch (fault) {
            case DROP_BROKER_CONNECTIONS, RESTART_BROKER -> suite.broker().cannotInject(fault);
            case RESTART_DATABASE, CRASH_DATABASE -> suite.databaseRestartUnavailable();
            default -> Optional.empty();
        };
    }

    Injected inject(Fault fault) throws Exception {
        Instant at = Instant.now();
        clients.faultInProgress(fault);
        try {
            return recovered(fault, at, strike(fault));
        }
        finally {
            clients.faultInProgress(null);
        }
    }

    private String strike(Fault fault) throws Exception {
        return switch (fault) {
            case KILL_INFERENCE_MID_STREAM -> midStream(Service.INFERENCE, true);
            case STOP_INFERENCE_MID_STREAM -> midStream(Service.INFERENCE, false);
            case KILL_GATEWAY_MID_STREAM -> midStream(Service.GATEWAY, true);
            case STOP_GATEWAY_MID_STREAM -> midStream(Service.GATEWAY, false);
            case KILL_METERING -> restarted(Service.METERING, true);
            case STOP_METERING -> restarted(Service.METERING, false);
            case KILL_BILLING -> restarted(Service.BILLING, true);
            case STOP_BILLING -> restarted(Service.BILLING, false);
            case TERMINATE_DATABASE_SESSIONS -> suite.terminateDatabaseSessions() + " sessions terminated";
            case RESTART_DATABASE -> suite.restartDatabaseServer(false);
            case CRASH_DATABASE -> suite.restartDatabaseServer(true);
            case READ_ONLY_DATABASE -> suite.readOnlyFor(READ_ONLY_MOMENT);
            case DROP_BROKER_CONNECTIONS -> suite.broker().dropConnections();
            case RESTART_BROKER -> suite.broker().restart();
            case LATE_USAGE -> {
                remoteNode.report(departments, closedMonth, Soak.MODEL);
                yield departments.size() + " requests of " + closedMonth.toString().substring(0, 7) + " reported";
            }
            case REPLAY_EVENTS -> replayed(Service.INFERENCE) + " usage-recorded and " + replayed(Service.METERING)
                    + " usage-metered events queued for sending again";
        };
    }

    private Injected recovered(Fault fault, Instant at, String detail) {
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
     * Opens a long stream, waits until its client has received a few chunks, then kills
     * or stops the service with that stream (and whatever the other clients have open) in
     * flight.
     */
    private String midStream(Service service, boolean kill) throws InterruptedException {
        ClientLoad.LongStream stream = clients.longStream(CHUNKS_BEFORE_THE_FAULT);
        int chunks = stream.awaitFirstChunks(Duration.ofMinutes(1));
        int open = clients.streamsOpen();
        String restarted = restarted(service, kill);
        return (kill ? "killed" : "stopped") + " after the long stream's client had received " + chunks + " chunks, "
                + open + " streams open; " + stream.outcome(Duration.ofMinutes(2)) + "; " + restarted;
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
