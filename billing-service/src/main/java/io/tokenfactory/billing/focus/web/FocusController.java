package io.tokenfactory.billing.focus.web;

import java.nio.charset.StandardCharsets;
import java.time.YearMonth;
import java.util.UUID;

import io.tokenfactory.billing.focus.FocusExport;
import io.tokenfactory.support.problem.QueryParameters;
import io.tokenfactory.support.security.Caller;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A billing month's charges as a FOCUS 1.2 CSV: a department reads its own, billing
 * administrators every department's or one's.
 */
@RestController
class FocusController {

    private static final MediaType CSV = new MediaType("text", "csv", StandardCharsets.UTF_8);

    private final FocusExport export;

    FocusController(FocusExport export) {
        this.export = export;
    }

    @GetMapping("/api/billing/focus")
    ResponseEntity<String> focus(@RequestParam(required = false) @Nullable String period,
            @RequestParam(required = false) @Nullable String department) {
        if (period == null) {
            throw QueryParameters.invalid("period is required, as a month such as 2026-11");
        }
        YearMonth month = QueryParameters.month("period", period);
        UUID scope = Caller.current()
            .scopeTo(department == null ? null : QueryParameters.uuid("department", department));
        String name = "focus-" + month + (scope == null ? "" : "-" + scope) + ".csv";
        return ResponseEntity.ok()
            .contentType(CSV)
            .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + name + "\"")
            .body(export.csv(month, scope));
    }

}
