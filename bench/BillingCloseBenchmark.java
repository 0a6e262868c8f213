import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Locale;

import io.tokenfactory.billing.BillingServiceApplication;
import io.tokenfactory.billing.statement.PeriodClose;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Closing a billing month on the real PostgreSQL: the month holds N metered usage records (charged, and rolled up,
 * as the consumer leaves them), spread over 50 departments, 12 models and 200 agents, plus adjustments of the month
 * before. The close itself runs through billing-service's own code. Beside it, in the same run: the baseline — a
 * close that sums the month's charges into lines when it runs (what the rollup saves) — one plain scan of the
 * month, and the same close over a tenth of the records.
 *
 *   java -cp CLASSPATH bench/BillingCloseBenchmark.java RECORDS RESULT_FILE
 */
public class BillingCloseBenchmark {

    static final String PG_HOST = env("TF_POSTGRES_HOST", "localhost");
    static final String PG_PORT = env("TF_POSTGRES_PORT", "5432");
    static final String PG_USER = env("TF_POSTGRES_USER", "postgres");
    static final String PG_PASSWORD = env("TF_POSTGRES_PASSWORD", "");

    public static void main(String[] args) throws Exception {
        long records = Long.parseLong(args[0]);
        String database = "tf_bench_billing_" + Long.toHexString(System.nanoTime()).substring(0, 8);
        admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        admin("CREATE DATABASE " + database);
        StringBuilder report = new StringBuilder();
        try {
            ConfigurableApplicationContext billing = new SpringApplication(BillingServiceApplication.class).run(
                    "--server.port=0",
                    "--spring.datasource.url=jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + database,
                    "--spring.datasource.username=" + PG_USER, "--spring.datasource.password=" + PG_PASSWORD,
                    "--spring.cloud.stream.rabbit.default.consumer.prefix=bench-billing.",
                    "--spring.cloud.stream.rabbit.default.producer.prefix=bench-billing.",
                    "--spring.cloud.stream.function.autodetect=false", "--spring.cloud.function.definition=",
                    "--logging.level.root=WARN", "--spring.main.banner-mode=off");
            try (Connection db = DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/"
                    + database, PG_USER, PG_PASSWORD)) {
                PeriodClose close = billing.getBean(PeriodClose.class);
                long small = records / 10;
                load(db, "2025-05", small);
                load(db, "2025-06", records);
                double scan = time(() -> scalar(db, "SELECT count(*) + sum(charge)::bigint FROM usage_charge WHERE period = '2025-06'"));
                double summing = time(() -> scalar(db, """
                        SELECT count(*) FROM (SELECT department_id, service_period, model, agent_id, count(*),
                            sum(prompt_tokens), sum(completion_tokens), sum(embedding_tokens), sum(direct_joules),
                            sum(overhead_joules), sum(cost), sum(charge)
                        FROM usage_charge WHERE period = '2025-06' GROUP BY 1, 2, 3, 4) lines"""));
                double smallClose = time(() -> close.close(YearMonth.of(2025, 5)));
                double fullClose = time(() -> close.close(YearMonth.of(2025, 6)));
                long lines = scalar(db, "SELECT count(*) FROM statement_line l JOIN statement s ON s.id = l.statement_id WHERE s.period = '2025-06'");
                long statements = scalar(db, "SELECT count(*) FROM statement WHERE period = '2025-06'");
                report.append("# Closing a billing month\n\n").append(Instant.now()).append(", ")
                        .append(Runtime.getRuntime().availableProcessors())
                        .append(" cores; PostgreSQL ").append(string(db, "SHOW server_version")).append(", stock settings\n\n")
                        .append("| run | usage records | time (s) |\n|---|---:|---:|\n")
                        .append(String.format(Locale.ROOT, "| baseline: summing the month's charges into lines at close time | %,d | %.2f |%n", records, summing))
                        .append(String.format(Locale.ROOT, "| for scale: one plain scan of the month's charges | %,d | %.2f |%n", records, scan))
                        .append(String.format(Locale.ROOT, "| close, a tenth of the records | %,d | %.2f |%n", small, smallClose))
                        .append(String.format(Locale.ROOT, "| **close** | %,d | **%.2f** |%n", records, fullClose))
                        .append(String.format(Locale.ROOT, "%nThe full close wrote %d statements with %,d lines.%n",
                                statements, lines));
            } finally {
                billing.close();
            }
        } finally {
            admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
        System.out.print(report);
        java.nio.file.Files.writeString(java.nio.file.Path.of(args[1]), report.toString());
    }

    /** Charges as the consumer writes them: monotonic keys, 1 % of them adjustments of the month before. */
    static void load(Connection db, String period, long records) throws Exception {
        long started = System.nanoTime();
        try (Statement sql = db.createStatement()) {
            sql.execute("INSERT INTO billing_period (period) VALUES ('" + period + "') ON CONFLICT DO NOTHING");
            sql.execute("""
                    INSERT INTO usage_charge (usage_event_id, department_id, period, service_period, occurred_at, agent_id,
                        model, node, prompt_tokens, completion_tokens, embedding_tokens, direct_joules, overhead_joules,
                        accelerator_seconds, rate_card_id, list_price, cost, charge, charged_at)
                    SELECT ('%1$s-0000-0000-0000-' || lpad(to_hex(i), 12, '0'))::uuid,
                        ('00000000-0000-0000-0000-' || lpad(to_hex(i %% 50), 12, '0'))::uuid,
                        '%2$s', CASE WHEN i %% 100 = 0 THEN to_char(to_date('%2$s', 'YYYY-MM') - interval '1 month', 'YYYY-MM') ELSE '%2$s' END,
                        to_date('%2$s', 'YYYY-MM') + (i %% 2500000) * interval '1 second',
                        CASE WHEN i %% 3 = 0 THEN ('00000000-0000-0000-1111-' || lpad(to_hex((i / 11) %% 200), 12, '0'))::uuid END,
                        'model-' || ((i / 7) %% 12), 'node-' || (i %% 8), 100 + i %% 900, 50 + i %% 400, 0,
                        (i %% 1000) / 7.0, (i %% 1000) / 28.0, 0.5, NULL,
                        (100 + i %% 900) * 0.0000005 + (50 + i %% 400) * 0.0000015,
                        (i %% 1000) / 7.0 * 1.25 * 0.25 / 3600000,
                        (100 + i %% 900) * 0.0000005 + (50 + i %% 400) * 0.0000015, now()
                    FROM generate_series(1, %3$d) AS i""".formatted("00" + period.replace("-", ""), period, records));
            // what the consumer keeps with every charge (ChargeRollup), built here in one statement
            sql.execute("""
                    INSERT INTO charge_rollup
                    SELECT department_id, period, service_period,
                        CASE WHEN service_period = period THEN 'USAGE' ELSE 'ADJUSTMENT' END, model, agent_id, count(*),
                        sum(prompt_tokens), sum(completion_tokens), sum(embedding_tokens), sum(direct_joules), 0,
                        sum(overhead_joules), sum(cost), sum(charge)
                    FROM usage_charge WHERE period = '%s' GROUP BY 1, 2, 3, 4, 5, 6""".formatted(period));
            sql.execute("ANALYZE usage_charge");
            sql.execute("ANALYZE charge_rollup");
        }
        System.err.printf(Locale.ROOT, "loaded %,d charges for %s in %.0f s%n", records, period,
                (System.nanoTime() - started) / 1e9);
    }

    interface Work {
        void run() throws Exception;
    }

    static double time(Work work) throws Exception {
        long started = System.nanoTime();
        work.run();
        return (System.nanoTime() - started) / 1e9;
    }

    static long scalar(Connection db, String sql) throws Exception {
        try (Statement statement = db.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    static String string(Connection db, String sql) throws Exception {
        try (Statement statement = db.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    static void admin(String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT
                + "/postgres", PG_USER, PG_PASSWORD)) {
            connection.createStatement().execute(sql);
        }
    }

    static String env(String name, String otherwise) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? otherwise : value;
    }
}
