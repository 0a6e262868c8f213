package io.tokenfactory.support.audit.web;

import java.time.Clock;
import java.util.List;

import io.tokenfactory.support.audit.AuditCsv;
import io.tokenfactory.support.audit.AuditTrail;
import io.tokenfactory.support.audit.AuditTrail.AuditFilter;
import io.tokenfactory.support.audit.AuditTrail.AuditRecord;

import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A servlet service's audit trail (scope {@code admin}, see {@code ServiceSecurity}),
 * newest first, as JSON or CSV; the gateway reaches it at {@code /api/audit/<service>}.
 * Importing this class into a service's configuration registers it.
 */
@RestController
@RequestMapping("/api/audit")
public class AuditController {

    private final AuditTrail trail;

    private final Clock clock;

    public AuditController(AuditTrail trail, Clock clock) {
        this.trail = trail;
        this.clock = clock;
    }

    @GetMapping
    List<AuditRecord> list(@RequestParam(required = false) @Nullable String from,
            @RequestParam(required = false) @Nullable String to,
            @RequestParam(required = false) @Nullable String action,
            @RequestParam(required = false) @Nullable String actor,
            @RequestParam(required = false) @Nullable String departmentId,
            @RequestParam(required = false) @Nullable String subject,
            @RequestParam(required = false) @Nullable Integer limit) {
        return trail.read(AuditFilter.of(from, to, action, actor, departmentId, subject, limit, clock.instant()));
    }

    @GetMapping("/csv")
    ResponseEntity<byte[]> csv(@RequestParam(required = false) @Nullable String from,
            @RequestParam(required = false) @Nullable String to,
            @RequestParam(required = false) @Nullable String action,
            @RequestParam(required = false) @Nullable String actor,
            @RequestParam(required = false) @Nullable String departmentId,
            @RequestParam(required = false) @Nullable String subject,
            @RequestParam(required = false) @Nullable Integer limit) {
        AuditFilter filter = AuditFilter.of(from, to, action, actor, departmentId, subject,
                limit == null ? AuditTrail.MAX_READ : limit, clock.instant());
        return AuditCsv.download(trail.read(filter));
    }

}
