package io.tokenfactory.localrun;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import io.tokenfactory.embedded.Databases;

import org.postgresql.PGConnection;

/**
 * Gives a service its own PostgreSQL role: a login that is no superuser and cannot create
 * databases or roles, owns the service's database and everything in it, and is the only
 * one (besides the administrator) that may connect to it. A database made before, owned
 * by the administrator, is handed over with all its objects. Run with the administrator's
 * login; every step can be run again.
 */
final class PostgresRoles {

    /**
     * Objects in the schema public that the role does not own yet: tables and each of
     * their partitions (ownership does not pass down to them), views, sequences not tied
     * to a column (those follow their table), routines and types.
     */
    private static final String HAND_OVER = """
            DO $$
            DECLARE
                target text := '%1$s';
                item record;
            BEGIN
                FOR item IN
                    SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                               WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind,
                           format('public.%%I', c.relname) AS name
                    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                      AND pg_get_userbyid(c.relowner) <> target
                      AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d
                               WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
                LOOP
                    EXECUTE format('ALTER %%s %%s OWNER TO %%I', item.kind, item.name, target);
                END LOOP;
                FOR item IN
                    SELECT p.oid::regprocedure::text AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                    WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> target
                LOOP
                    EXECUTE format('ALTER ROUTINE %%s OWNER TO %%I', item.name, target);
                END LOOP;
                FOR item IN
                    SELECT format('public.%%I', t.typname) AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                    WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd') AND pg_get_userbyid(t.typowner) <> target
                LOOP
                    EXECUTE format('ALTER TYPE %%s OWNER TO %%I', item.name, target);
                END LOOP;
            END $$""";

    private PostgresRoles() {
    }

    /**
     * @param maintenance the administrator's connection to the server's maintenance
     * database
     */
    static void provision(Connection maintenance, String host, int port, String adminUser, String adminPassword,
            Service service, String password) throws SQLException {
        String role = service.databaseRole();
        String database = service.database();
        try (Statement sql = maintenance.createStatement()) {
            sql.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + role
                    + "') THEN CREATE ROLE " + role + " LOGIN; END IF; END $$");
            sql.execute("ALTER ROLE " + role + " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
                    + "NOBYPASSRLS");
            // hashed here (SCRAM-SHA-256): the password itself never reaches the server,
            // nor its log
            maintenance.unwrap(PGConnection.class).alterUserPassword(role, password.toCharArray(), "scram-sha-256");
            Databases.createIfMissing(maintenance, database);
            sql.execute("ALTER DATABASE " + database + " OWNER TO " + role);
            sql.execute("REVOKE ALL ON DATABASE " + database + " FROM PUBLIC");
            sql.execute("GRANT CONNECT, TEMPORARY ON DATABASE " + database + " TO " + role);
        }
        try (Connection inside = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database,
                adminUser, adminPassword); Statement sql = inside.createStatement()) {
            sql.execute("ALTER SCHEMA public OWNER TO " + role);
            sql.execute(HAND_OVER.formatted(role));
        }
    }

}
