package io.tokenfactory.billing.statement.web;

import java.nio.charset.StandardCharsets;
import java.time.YearMonth;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.billing.statement.PeriodClose;
import io.tokenfactory.billing.statement.StatementDocuments;
import io.tokenfactory.billing.statement.Statements;
import io.tokenfactory.billing.statement.Statements.Statement;
import io.tokenfactory.billing.statement.Statements.Summary;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.problem.QueryParameters;
import io.tokenfactory.support.security.Caller;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Closing months (administrators) and reading their statements: a department reads its
 * own, an administrator all. JSON, CSV and PDF per statement; the month's general-ledger
 * journal as CSV. Statements never change: any attempt to alter one is a 409.
 */
@RestController
class StatementController {

    private static final MediaType CSV = new MediaType("text", "csv", StandardCharsets.UTF_8);

    private final PeriodClose close;

    private final Statements statements;

    private final StatementDocuments documents;

    StatementController(PeriodClose close, Statements statements, StatementDocuments documents) {
        this.close = close;
        this.statements = statements;
        this.documents = documents;
    }

    @PostMapping("/api/billing/periods/{period}/close")
    PeriodClose.Closed close(@PathVariable String period) {
        return close.close(QueryParameters.month("period", period));
    }

    @GetMapping("/api/billing/statements")
    List<Summary> list(@ModelAttribute StatementFilter filter) {
        UUID scope = Caller.current().scopeTo(filter.department());
        return statements.list(filter.period(), scope);
    }

    @GetMapping("/api/billing/statements/{id}")
    Statement statement(@PathVariable UUID id) {
        return readable(id);
    }

    @GetMapping("/api/billing/statements/{id}/csv")
    ResponseEntity<String> csv(@PathVariable UUID id) {
        Statement statement = readable(id);
        return ResponseEntity.ok()
            .contentType(CSV)
            .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + fileName(statement) + ".csv\"")
            .body(documents.csv(statement));
    }

    @GetMapping("/api/billing/statements/{id}/pdf")
    ResponseEntity<byte[]> pdf(@PathVariable UUID id) {
        Statement statement = readable(id);
        return ResponseEntity.ok()
            .contentType(MediaType.APPLICATION_PDF)
            .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + fileName(statement) + ".pdf\"")
            .body(documents.pdf(statement));
    }

    @GetMapping("/api/billing/periods/{period}/journal")
    ResponseEntity<String> journal(@PathVariable String period) {
        YearMonth month = QueryParameters.month("period", period);
        return ResponseEntity.ok()
            .contentType(CSV)
            .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"journal-" + month + ".csv\"")
            .body(documents.journal(statements.list(month, null)));
    }

    @PutMapping("/api/billing/statements/{id}")
    void replace(@PathVariable UUID id) {
        throw immutable(id);
    }

    @PatchMapping("/api/billing/statements/{id}")
    void patch(@PathVariable UUID id) {
        throw immutable(id);
    }

    @DeleteMapping("/api/billing/statements/{id}")
    void delete(@PathVariable UUID id) {
        throw immutable(id);
    }

    private ApiProblemException immutable(UUID id) {
        statements.get(id);
        return ApiProblemException.conflict("statement_closed",
                "Statement " + id + " belongs to a closed month and never changes; late usage is billed next month");
    }

    private Statement readable(UUID id) {
        Statement statement = statements.get(id);
        if (!Caller.current().mayRead(statement.summary().departmentId())) {
            throw ApiProblemException.forbidden("A key of another department cannot read this statement");
        }
        return statement;
    }

    private static String fileName(Statement statement) {
        String code = statement.summary().costCentreCode();
        return "statement-" + statement.summary().period() + "-" + (code == null
                ? statement.summary().departmentId().toString() : code.replaceAll("[^A-Za-z0-9._-]", "_"));
    }

}
