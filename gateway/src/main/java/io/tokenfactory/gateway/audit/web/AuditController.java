package io.tokenfactory.gateway.audit.web;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

import io.tokenfactory.gateway.audit.AuditTrail;
import io.tokenfactory.gateway.audit.AuditTrail.AuditFilter;
import io.tokenfactory.gateway.audit.AuditTrail.AuditRecord;
import io.tokenfactory.support.problem.QueryParameters;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The audit trail for administrators: newest first, filtered by time (default: the last
 * 30 days), action (or its prefix, {@code key.}), actor, department and subject; as JSON,
 * or as CSV from {@code /api/audit/csv}. The reads are blocking JDBC, off the event loop.
 */
@RestController
@RequestMapping("/api/audit")
class AuditController {

    private static final int DEFAULT_LIMIT = 500;

    private final AuditTrail trail;

    private final Clock clock;

    AuditController(AuditTrail trail, Clock clock) {
        this.trail = trail;
        this.clock = clock;
    }

    @GetMapping
    Mono<List<AuditRecord>> list(@RequestParam(required = false) @Nullable String from,
            @RequestParam(required = false) @Nullable String to,
            @RequestParam(required = false) @Nullable String action,
            @RequestParam(required = false) @Nullable String actor,
            @RequestParam(required = false) @Nullable String departmentId,
            @RequestParam(required = false) @Nullable String subject,
            @RequestParam(required = false) @Nullable Integer limit) {
        AuditFilter filter = filter(from, to, action, actor, departmentId, subject, limit);
        return blocking(() -> trail.read(filter));
    }

    @GetMapping("/csv")
    Mono<ResponseEntity<byte[]>> csv(@RequestParam(required = false) @Nullable String from,
            @RequestParam(required = false) @Nullable String to,
            @RequestParam(required = false) @Nullable String action,
            @RequestParam(required = false) @Nullable String actor,
            @RequestParam(required = false) @Nullable String departmentId,
            @RequestParam(required = false) @Nullable String subject,
            @RequestParam(required = false) @Nullable Integer limit) {
        AuditFilter filter = filter(from, to, action, actor, departmentId, subject,
                limit == null ? AuditTrail.MAX_READ : limit);
        return blocking(() -> ResponseEntity.ok()
            .contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
            .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\"")
            .body(AuditCsv.of(trail.read(filter)).getBytes(StandardCharsets.UTF_8)));
    }

    private AuditFilter filter(@Nullable String from, @Nullable String to, @Nullable String action,
            @Nullable String actor, @Nullable String departmentId, @Nullable String subject, @Nullable Integer limit) {
        Instant end = to == null ? clock.instant().plusSeconds(1) : QueryParameters.instant("to", to);
        Instant start = from == null ? end.minus(Duration.ofDays(30)) : QueryParameters.instant("from", from);
        if (!start.isBefore(end)) {
            throw QueryParameters.invalid("from must be before to");
        }
        int rows = limit == null ? DEFAULT_LIMIT : limit;
        if (rows < 1 || rows > AuditTrail.MAX_READ) {
            throw QueryParameters.invalid("limit must lie between 1 and " + AuditTrail.MAX_READ);
        }
        if ((action != null && action.length() > 100) || (actor != null && actor.length() > 200)
                || (subject != null && subject.length() > 200)) {
            throw QueryParameters.invalid("action is at most 100 characters, actor and subject at most 200");
        }
        UUID department = departmentId == null ? null : QueryParameters.uuid("departmentId", departmentId);
        return new AuditFilter(start, end, blank(action), blank(actor), department, blank(subject), rows);
    }

    private static @Nullable String blank(@Nullable String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static <T> Mono<T> blocking(Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic());
    }

}
