package io.tokenfactory.localrun;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

import io.tokenfactory.embedded.Databases;
import io.tokenfactory.embedded.EmbeddedAmqpBroker;
import io.tokenfactory.embedded.EmbeddedPostgresServer;

/**
 * PostgreSQL and the AMQP broker for the local run: the servers that
 * {@code TF_POSTGRES_HOST} and {@code TF_RABBITMQ_HOST} name, or else embedded ones
 * (PostgreSQL keeps its data under {@code .factory/postgres}).
 */
final class Infrastructure implements AutoCloseable {

    private final Map<String, String> serviceEnvironment = new LinkedHashMap<>();

    /** Each service's own logins, on top of what they share. */
    private final Map<Service, Map<String, String>> ownEnvironment = new LinkedHashMap<>();

    private ServiceCredentials credentials;

    private final StringBuilder description = new StringBuilder();

    private EmbeddedPostgresServer embeddedPostgres;

    private EmbeddedAmqpBroker embeddedBroker;

    static Infrastructure start(Path workDirectory, Map<String, String> env) {
        Infrastructure infrastructure = new Infrastructure();
        Service.ALL.forEach(service -> infrastructure.ownEnvironment.put(service, new LinkedHashMap<>()));
        infrastructure.credentials = ServiceCredentials
            .loadOrCreate(workDirectory.resolve("secrets").resolve("service-credentials"));
        try {
            infrastructure.startPostgres(workDirectory, env);
            infrastructure.startBroker(env);
            return infrastructure;
        }
        catch (RuntimeException e) {
            infrastructure.close();
            throw e;
        }
    }

    private void startPostgres(Path workDirectory, Map<String, String> env) {
        String host = env.get("TF_POSTGRES_HOST");
        int port;
        String user = env.getOrDefault("TF_POSTGRES_USER", "postgres");
        String password = env.getOrDefault("TF_POSTGRES_PASSWORD", "");
        if (host != null && !host.isBlank()) {
            port = Integer.parseInt(env.getOrDefault("TF_POSTGRES_PORT", "5432"));
            description.append("PostgreSQL at ").append(host).append(':').append(port);
        }
        else {
            port = Integer.parseInt(env.getOrDefault("TF_EMBEDDED_POSTGRES_PORT", "15432"));
            Path data = workDirectory.resolve("postgres");
            embeddedPostgres = EmbeddedPostgresServer.start(data, port);
            host = embeddedPostgres.host();
            user = EmbeddedPostgresServer.USER;
            password = "";
            description.append("embedded PostgreSQL on port ")
                .append(port)
                .append(" (data in ")
                .append(data)
                .append(')');
        }
        serviceEnvironment.put("TF_POSTGRES_HOST", host);
        serviceEnvironment.put("TF_POSTGRES_PORT", Integer.toString(port));
        serviceEnvironment.put("TF_POSTGRES_USER", user);
        serviceEnvironment.put("TF_POSTGRES_PASSWORD", password);
        createDatabases(host, port, user, password);
    }

    /**
     * Each service's own PostgreSQL role, owning its database alone; the administrator's
     * login is the launcher's only. A server whose login cannot create roles leaves the
     * services on that login, said aloud.
     */
    private void createDatabases(String host, int port, String user, String password) {
        try (Connection maintenance = Databases.connect(host, port, user, password)) {
            for (Service service : Service.ALL) {
                PostgresRoles.provision(maintenance, host, port, user, password, service,
                        credentials.postgresPassword(service));
                ownEnvironment.get(service).put("TF_POSTGRES_USER", service.databaseRole());
                ownEnvironment.get(service).put("TF_POSTGRES_PASSWORD", credentials.postgresPassword(service));
            }
            description.append(" (a role per service)");
        }
        catch (SQLException e) {
            if (!"42501".equals(e.getSQLState())) {
                throw new IllegalStateException(
                        "Could not create the service databases on " + host + ":" + port + ": " + e.getMessage(), e);
            }
            System.out.println("  WARNING: " + user + " may not create roles (" + e.getMessage()
                    + "); the five services share that login");
            Service.ALL.forEach(service -> ownEnvironment.get(service).clear());
            createSharedDatabases(host, port, user, password);
        }
    }

    private void startBroker(Map<String, String> env) {
        String host = env.get("TF_RABBITMQ_HOST");
        if (host != null && !host.isBlank()) {
            String port = env.getOrDefault("TF_RABBITMQ_PORT", "5672");
            serviceEnvironment.put("TF_RABBITMQ_HOST", host);
            serviceEnvironment.put("TF_RABBITMQ_PORT", port);
            description.append(", RabbitMQ at ").append(host).append(':').append(port);
            createBrokerUsers(env, host);
            return;
        }
        int port = Integer.parseInt(env.getOrDefault("TF_EMBEDDED_RABBITMQ_PORT", "15673"));
        embeddedBroker = EmbeddedAmqpBroker.start(port);
        serviceEnvironment.put("TF_RABBITMQ_HOST", embeddedBroker.host());
        serviceEnvironment.put("TF_RABBITMQ_PORT", Integer.toString(port));
        serviceEnvironment.put("TF_RABBITMQ_USER", EmbeddedAmqpBroker.USER);
        serviceEnvironment.put("TF_RABBITMQ_PASSWORD", EmbeddedAmqpBroker.PASSWORD);
        // the embedded broker refuses dead-letter queue arguments; real RabbitMQ gets
        // DLQs
        serviceEnvironment.put("TF_RABBITMQ_DEAD_LETTERING", "false");
        description.append(", embedded AMQP broker on port ").append(port).append(" (in memory)");
    }

    private static void createSharedDatabases(String host, int port, String user, String password) {
        try (Connection maintenance = Databases.connect(host, port, user, password)) {
            for (Service service : Service.ALL) {
                Databases.createIfMissing(maintenance, service.database());
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException(
                    "Could not create the service databases on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * Each service's own RabbitMQ user (BrokerUsers), loaded with the login the launcher
     * was given: through the management API that {@code TF_RABBITMQ_MANAGEMENT_URL}
     * names, else {@code rabbitmqctl} when the broker runs on this machine. When neither
     * can, the services share the given login, said aloud.
     */
    private void createBrokerUsers(Map<String, String> env, String host) {
        String managementUrl = env.get("TF_RABBITMQ_MANAGEMENT_URL");
        boolean local = host.equals("localhost") || host.startsWith("127.");
        if ((managementUrl == null || managementUrl.isBlank()) && !local) {
            System.out
                .println("  WARNING: RabbitMQ at " + host + " is not on this machine and TF_RABBITMQ_MANAGEMENT_URL"
                        + " is not set: the five services share the login TF_RABBITMQ_USER");
            return;
        }
        String definitions = BrokerUsers.definitions(env.getOrDefault("TF_RABBITMQ_VHOST", "/"), Service.ALL,
                credentials::brokerPassword);
        try {
            String how = BrokerUsers.load(definitions, Service.ALL.get(Service.ALL.size() - 1).brokerUser(),
                    managementUrl, env.getOrDefault("TF_RABBITMQ_USER", "guest"),
                    env.getOrDefault("TF_RABBITMQ_PASSWORD", "guest"),
                    env.getOrDefault("TF_RABBITMQCTL", "rabbitmqctl"));
            for (Service service : Service.ALL) {
                ownEnvironment.get(service).put("TF_RABBITMQ_USER", service.brokerUser());
                ownEnvironment.get(service).put("TF_RABBITMQ_PASSWORD", credentials.brokerPassword(service));
            }
            description.append(" (a user per service, ").append(how).append(')');
        }
        catch (IllegalStateException e) {
            System.out.println("  WARNING: could not create the services' broker users (" + e.getMessage()
                    + "); the five services share the login TF_RABBITMQ_USER");
        }
    }

    /**
     * The variables every service process gets, on top of the launcher's own environment.
     */
    Map<String, String> serviceEnvironment() {
        return serviceEnvironment;
    }

    /** The variables of one service only: its own database role and broker user. */
    Map<String, String> ownEnvironment(Service service) {
        return ownEnvironment.get(service);
    }

    String description() {
        return description.toString();
    }

    @Override
    public void close() {
        if (embeddedBroker != null) {
            embeddedBroker.close();
            embeddedBroker = null;
        }
        if (embeddedPostgres != null) {
            embeddedPostgres.close();
            embeddedPostgres = null;
        }
    }

}
