package io.tokenfactory.embedded;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;

/**
 * Creates (and for tests re-creates) the per-service databases on any PostgreSQL server.
 */
public final class Databases {

    private static final Pattern SAFE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    private Databases() {
    }

    public static Connection connect(String host, int port, String user, String password) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/postgres", user, password);
    }

    /**
     * Creates the database unless it exists; never touches an existing one. Returns true
     * when it was created.
     */
    public static boolean createIfMissing(Connection maintenance, String database) throws SQLException {
        requireSafe(database);
        try (PreparedStatement exists = maintenance.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, database);
            if (exists.executeQuery().next()) {
                return false;
            }
        }
        try (Statement create = maintenance.createStatement()) {
            create.execute("CREATE DATABASE " + database);
            return true;
        }
        catch (SQLException e) {
            if ("42P04".equals(e.getSQLState())) { // created concurrently by another
                                                   // process
                return false;
            }
            throw e;
        }
    }

    /**
     * Drops the database (disconnecting its sessions) and creates it empty; for tests
     * only.
     */
    public static void recreate(Connection maintenance, String database) throws SQLException {
        requireSafe(database);
        try (Statement statement = maintenance.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            statement.execute("CREATE DATABASE " + database);
        }
    }

    /** Drops the database, disconnecting its sessions; for tests only. */
    public static void drop(Connection maintenance, String database) throws SQLException {
        requireSafe(database);
        try (Statement statement = maintenance.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    private static void requireSafe(String database) {
        if (!SAFE_NAME.matcher(database).matches()) {
            throw new IllegalArgumentException("Not a plain database name: " + database);
        }
    }

}
