package io.tokenfactory.gateway.audit.web;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;

import io.tokenfactory.support.audit.AuditCsv;
import io.tokenfactory.support.audit.AuditTrail.AuditFilter;
import io.tokenfactory.support.audit.AuditTrail.AuditRecord;
import io.tokenfactory.support.audit.AuditTrail;

import org.jspecify.annotations.Nullable;
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
        AuditFilter filter = AuditFilter.of(from, to, action, actor, departmentId, subject, limit, clock.instant());
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
        AuditFilter filter = AuditFilter.of(from, to, action, actor, departmentId, subject,
                limit == null ? AuditTrail.MAX_READ : limit, clock.instant());
        return blocking(() -> AuditCsv.download(trail.read(filter)));
    }

    private static <T> Mono<T> blocking(Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic());
    }

}
