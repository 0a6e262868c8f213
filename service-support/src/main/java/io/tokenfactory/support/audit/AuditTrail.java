package io.tokenfactory.support.audit;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.support.problem.QueryParameters;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import tools.jackson.databind.json.JsonMapper;

/**
 * Records an action in the transaction of the change it describes (so it is recorded
 * exactly when the change commits, and once), and reads the trail. The table refuses
 * updates, deletes and truncation: nobody, this service included, rewrites history.
 */
public class AuditTrail {

    /** The most records one read returns. */
    public static final int MAX_READ = 10_000;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcTemplate jdbc;

    private final Clock clock;

    public AuditTrail(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * Records an action of the current request's caller ({@link Actor#current()}).
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void record(String action, String subjectType, @Nullable Object subjectId, @Nullable UUID department,
            @Nullable Object before, @Nullable Object after) {
        record(Actor.current(), action, subjectType, subjectId, department, before, after);
    }

    /**
     * @param action what was done, as {@code <subject>.<verb>}: {@code key.issued}
     * @param department the department the subject belongs to, if any
     * @param before the subject's state before (null when it was created)
     * @param after its state after (null when it was removed)
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void record(Actor actor, String action, String subjectType, @Nullable Object subjectId,
            @Nullable UUID department, @Nullable Object before, @Nullable Object after) {
        jdbc.update("""
                INSERT INTO audit_record (occurred_at, actor_kind, actor_id, actor_department, source_address, action,
                                          subject_type, subject_id, department_id, before_state, after_state)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)
                """, Timestamp.from(clock.instant()), actor.kind().name(), actor.id(), actor.departmentId(),
                actor.address(), action, subjectType, subjectId == null ? null : subjectId.toString(), department,
                json(before), json(after));
    }

    /** The trail, newest first, as far as the filter reaches. */
    @Transactional(readOnly = true)
    public List<AuditRecord> read(AuditFilter filter) {
        StringBuilder sql = new StringBuilder("""
                SELECT id, occurred_at, actor_kind, actor_id, actor_department, source_address, action, subject_type,
                       subject_id, department_id, before_state::text AS before_state, after_state::text AS after_state
                  FROM audit_record WHERE occurred_at >= ? AND occurred_at < ?""");
        List<Object> arguments = new ArrayList<>(List.of(Timestamp.from(filter.from()), Timestamp.from(filter.to())));
        if (filter.action() != null) {
            sql.append(" AND action LIKE ?");
            arguments.add(filter.action().replace("%", "\\%").replace("_", "\\_") + "%");
        }
        if (filter.actor() != null) {
            sql.append(" AND actor_id = ?");
            arguments.add(filter.actor());
        }
        if (filter.department() != null) {
            sql.append(" AND (department_id = ? OR actor_department = ?)");
            arguments.add(filter.department());
            arguments.add(filter.department());
        }
        if (filter.subject() != null) {
            sql.append(" AND subject_id = ?");
            arguments.add(filter.subject());
        }
        sql.append(" ORDER BY occurred_at DESC, id DESC LIMIT ?");
        arguments.add(Math.min(filter.limit(), MAX_READ));
        return jdbc.query(sql.toString(),
                (row, index) -> new AuditRecord(row.getLong("id"), row.getTimestamp("occurred_at").toInstant(),
                        Actor.Kind.valueOf(row.getString("actor_kind")), row.getString("actor_id"),
                        row.getObject("actor_department", UUID.class), row.getString("source_address"),
                        row.getString("action"), row.getString("subject_type"), row.getString("subject_id"),
                        row.getObject("department_id", UUID.class), row.getString("before_state"),
                        row.getString("after_state")),
                arguments.toArray());
    }

    private static @Nullable String json(@Nullable Object state) {
        return state == null ? null : JSON.writeValueAsString(state);
    }

    /**
     * One record. {@code before} and {@code after} are the subject's states as JSON text,
     * null where there was none.
     */
    public record AuditRecord(long id, Instant occurredAt, Actor.Kind actorKind, String actorId,
            @Nullable UUID actorDepartment, @Nullable String sourceAddress, String action, String subjectType,
            @Nullable String subjectId, @Nullable UUID departmentId, @Nullable String before, @Nullable String after) {
    }

    /**
     * What to read: a time window, and optionally an action (or its prefix:
     * {@code key.}), an actor's id, a department (the subject's or the actor's), a
     * subject's id.
     */
    public record AuditFilter(Instant from, Instant to, @Nullable String action, @Nullable String actor,
            @Nullable UUID department, @Nullable String subject, int limit) {

        /** Records a read returns unless told otherwise. */
        public static final int DEFAULT_LIMIT = 500;

        /**
         * The filter a request's parameters ask for: the last 30 days by default; 400
         * {@code invalid_parameter} for a window that ends before it starts, a limit
         * outside 1..{@value AuditTrail#MAX_READ}, or overlong text.
         */
        public static AuditFilter of(@Nullable String from, @Nullable String to, @Nullable String action,
                @Nullable String actor, @Nullable String departmentId, @Nullable String subject,
                @Nullable Integer limit, Instant now) {
            Instant end = to == null ? now.plusSeconds(1) : QueryParameters.instant("to", to);
            Instant start = from == null ? end.minus(Duration.ofDays(30)) : QueryParameters.instant("from", from);
            if (!start.isBefore(end)) {
                throw QueryParameters.invalid("from must be before to");
            }
            int rows = limit == null ? DEFAULT_LIMIT : limit;
            if (rows < 1 || rows > MAX_READ) {
                throw QueryParameters.invalid("limit must lie between 1 and " + MAX_READ);
            }
            if ((action != null && action.length() > 100) || (actor != null && actor.length() > 200)
                    || (subject != null && subject.length() > 200)) {
                throw QueryParameters.invalid("action is at most 100 characters, actor and subject at most 200");
            }
            UUID department = departmentId == null || departmentId.isBlank() ? null
                    : QueryParameters.uuid("departmentId", departmentId);
            return new AuditFilter(start, end, blank(action), blank(actor), department, blank(subject), rows);
        }

        private static @Nullable String blank(@Nullable String value) {
            return value == null || value.isBlank() ? null : value.strip();
        }
    }

}
