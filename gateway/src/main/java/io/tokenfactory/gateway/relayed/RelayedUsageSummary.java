package io.tokenfactory.gateway.relayed;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * What this gateway (all its replicas) relayed to clients in a window of whole hours, in
 * total and per department and model: what metering-service's reconciliation sets against
 * inference-service's usage summary. Hours are complete once every replica has flushed
 * them ({@code relayed-usage.flush-interval} after they end).
 */
@Service
public class RelayedUsageSummary {

    /**
     * @param chunkCountedRequests responses whose completion tokens are the content
     * chunks that went out (a stream without a usage: its client asked for none, or it
     * was cut short before it), their prompt tokens unknown (0)
     */
    public record Relayed(long requests, long promptTokens, long completionTokens, long chunkCountedRequests,
            List<Row> rows) {
    }

    public record Row(UUID department, String model, long requests, long promptTokens, long completionTokens,
            long chunkCountedRequests) {
    }

    private final JdbcTemplate jdbc;

    RelayedUsageSummary(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The hours that begin in [from, to). */
    @Transactional(readOnly = true)
    public Relayed between(Instant from, Instant to) {
        List<Row> rows = jdbc.query("""
                SELECT department_id, model, sum(requests), sum(prompt_tokens), sum(completion_tokens),
                    sum(chunk_counted_requests)
                FROM relayed_usage WHERE hour_start >= ? AND hour_start < ?
                GROUP BY department_id, model ORDER BY department_id, model""",
                (row, i) -> new Row(row.getObject(1, UUID.class), row.getString(2), row.getLong(3), row.getLong(4),
                        row.getLong(5), row.getLong(6)),
                Timestamp.from(from), Timestamp.from(to));
        return new Relayed(rows.stream().mapToLong(Row::requests).sum(),
                rows.stream().mapToLong(Row::promptTokens).sum(), rows.stream().mapToLong(Row::completionTokens).sum(),
                rows.stream().mapToLong(Row::chunkCountedRequests).sum(), rows);
    }

}
