package io.tokenfactory.support.jdbc;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * One SQL statement over a whole batch: each column travels as one PostgreSQL array, and
 * the statement reads the rows back with {@code unnest(?, ?, …)}. A thousand rows cost
 * one round trip and one parse, not a thousand.
 */
public final class BatchStatement<T> {

    private final List<T> rows;

    private final List<Column> columns = new ArrayList<>();

    private record Column(String sqlType, Object[] values) {
    }

    private BatchStatement(List<T> rows) {
        this.rows = rows;
    }

    public static <T> BatchStatement<T> of(List<T> rows) {
        return new BatchStatement<>(rows);
    }

    public BatchStatement<T> uuid(Function<T, UUID> value) {
        return column("uuid", value);
    }

    public BatchStatement<T> text(Function<T, String> value) {
        return column("text", value);
    }

    public BatchStatement<T> int8(Function<T, Long> value) {
        return column("int8", value);
    }

    public BatchStatement<T> int4(Function<T, Integer> value) {
        return column("int4", value);
    }

    public BatchStatement<T> numeric(Function<T, BigDecimal> value) {
        return column("numeric", value);
    }

    public BatchStatement<T> bool(Function<T, Boolean> value) {
        return column("bool", value);
    }

    public BatchStatement<T> timestamp(Function<T, Instant> value) {
        return column("timestamptz", row -> {
            Instant instant = value.apply(row);
            return instant == null ? null : Timestamp.from(instant);
        });
    }

    private BatchStatement<T> column(String sqlType, Function<T, ?> value) {
        Object[] values = new Object[rows.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = value.apply(rows.get(i));
        }
        columns.add(new Column(sqlType, values));
        return this;
    }

    /**
     * Runs the statement (an insert or update over {@code unnest}); returns the rows it
     * changed.
     */
    public int update(JdbcTemplate jdbc, String sql, Object... leadingParameters) {
        Integer changed = jdbc.execute((ConnectionCallback<Integer>) connection -> {
            try (PreparedStatement statement = bind(connection, sql, leadingParameters)) {
                return statement.executeUpdate();
            }
        });
        return changed == null ? 0 : changed;
    }

    /** Runs a statement that returns rows (for example {@code INSERT … RETURNING}). */
    public <R> List<R> query(JdbcTemplate jdbc, String sql, RowMapper<R> mapper, Object... leadingParameters) {
        return jdbc.execute((ConnectionCallback<List<R>>) connection -> {
            try (PreparedStatement statement = bind(connection, sql, leadingParameters);
                    ResultSet results = statement.executeQuery()) {
                List<R> mapped = new ArrayList<>();
                while (results.next()) {
                    mapped.add(mapper.mapRow(results, mapped.size()));
                }
                return mapped;
            }
        });
    }

    /**
     * Binds the leading scalar parameters, then one array per column in the order the
     * columns were added.
     */
    private PreparedStatement bind(Connection connection, String sql, Object... leadingParameters) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        int index = 1;
        for (Object parameter : leadingParameters) {
            statement.setObject(index++, parameter);
        }
        for (Column column : columns) {
            statement.setArray(index++, connection.createArrayOf(column.sqlType(), column.values()));
        }
        return statement;
    }

}
