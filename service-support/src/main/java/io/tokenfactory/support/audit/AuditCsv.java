package io.tokenfactory.support.audit;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.tokenfactory.support.audit.AuditTrail.AuditRecord;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * The trail as RFC 4180 CSV. A cell a spreadsheet would read as a formula ({@code =},
 * {@code +}, {@code -}, {@code @}) is prefixed with an apostrophe: the trail holds text
 * its readers did not write.
 */
public final class AuditCsv {

    private static final String HEADER = "id,occurred_at,actor_kind,actor_id,actor_department,source_address,action,"
            + "subject_type,subject_id,department_id,before,after";

    private AuditCsv() {
    }

    /** The trail as a CSV download, {@code audit.csv}. */
    public static ResponseEntity<byte[]> download(List<AuditRecord> records) {
        return ResponseEntity.ok()
            .contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
            .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\"")
            .body(of(records).getBytes(StandardCharsets.UTF_8));
    }

    public static String of(List<AuditRecord> records) {
        StringBuilder csv = new StringBuilder(HEADER).append("\r\n");
        for (AuditRecord record : records) {
            csv.append(Stream
                .of(String.valueOf(record.id()), record.occurredAt().toString(), record.actorKind().name(),
                        record.actorId(), text(record.actorDepartment()), record.sourceAddress(), record.action(),
                        record.subjectType(), record.subjectId(), text(record.departmentId()), record.before(),
                        record.after())
                .map(AuditCsv::cell)
                .collect(Collectors.joining(","))).append("\r\n");
        }
        return csv.toString();
    }

    private static @Nullable String text(@Nullable Object value) {
        return value == null ? null : value.toString();
    }

    private static String cell(@Nullable String value) {
        if (value == null) {
            return "";
        }
        String safe = !value.isEmpty() && "=+-@".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
        return safe.contains(",") || safe.contains("\"") || safe.contains("\n") || safe.contains("\r")
                ? '"' + safe.replace("\"", "\"\"") + '"' : safe;
    }

}
