package io.tokenfactory.localrun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.tokenfactory.embedded.Databases;
import io.tokenfactory.testsupport.Infrastructure;
import io.tokenfactory.testsupport.TestInfrastructure;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What each service's own identities allow, on the real servers: a PostgreSQL role owns
 * its service's database alone and cannot even connect to another's; a RabbitMQ user
 * publishes only its service's events, under its own name, and reads only its own queues.
 * Roles, databases, users and the virtual host are this run's own and removed afterwards.
 */
class ServiceIdentitiesIntegrationTests {

    private static final Infrastructure SERVERS = TestInfrastructure.get();

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void eachServicesRoleOwnsItsDatabaseAloneAndCannotConnectToAnothers() throws SQLException {
        Service billing = service("billing-service");
        Service metering = service("metering-service");
        try (Connection admin = adminConnection()) {
            // a database made before roles existed, owned by the administrator, with data
            Databases.createIfMissing(admin, billing.database());
            try (Connection earlier = connect(billing.database(), SERVERS.postgresUser(), SERVERS.postgresPassword());
                    Statement sql = earlier.createStatement()) {
                sql.execute("CREATE TABLE charge (id bigserial PRIMARY KEY, amount numeric NOT NULL)");
                sql.execute("CREATE TABLE usage (at date NOT NULL) PARTITION BY RANGE (at)");
                sql.execute(
                        "CREATE TABLE usage_2026 PARTITION OF usage FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')");
                sql.execute("INSERT INTO charge (amount) VALUES (1.25)");
                sql.execute(
                        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$");
            }
            PostgresRoles.provision(admin, SERVERS.postgresHost(), SERVERS.postgresPort(), SERVERS.postgresUser(),
                    SERVERS.postgresPassword(), billing, "billing-password");
            PostgresRoles.provision(admin, SERVERS.postgresHost(), SERVERS.postgresPort(), SERVERS.postgresUser(),
                    SERVERS.postgresPassword(), metering, "metering-password");
            // provisioning again (every start) changes nothing
            PostgresRoles.provision(admin, SERVERS.postgresHost(), SERVERS.postgresPort(), SERVERS.postgresUser(),
                    SERVERS.postgresPassword(), billing, "billing-password");
            try {
                try (Connection own = connect(billing.database(), billing.databaseRole(), "billing-password");
                        Statement sql = own.createStatement()) {
                    // everything that was there is handed over
                    assertThat(
                            single(sql,
                                    "SELECT string_agg(DISTINCT pg_get_userbyid(relowner), ',') FROM pg_class "
                                            + "WHERE relnamespace = 'public'::regnamespace"))
                        .isEqualTo(billing.databaseRole());
                    sql.execute("INSERT INTO charge (amount) VALUES (2.50)");
                    sql.execute("ALTER TABLE charge ADD COLUMN note text");
                    sql.execute("DROP TABLE usage_2026"); // a partition's retention
                    assertThat(single(sql, "SELECT sum(amount)::text FROM charge")).isEqualTo("3.75");
                    assertThat(
                            single(sql,
                                    "SELECT rolsuper::text || rolcreatedb::text || rolcreaterole::text "
                                            + "FROM pg_roles WHERE rolname = current_user"))
                        .isEqualTo("falsefalsefalse");
                    assertThatThrownBy(() -> sql.execute("CREATE DATABASE " + billing.database() + "_more"))
                        .hasMessageContaining("permission denied");
                    assertThatThrownBy(() -> sql.execute("ALTER ROLE " + metering.databaseRole() + " PASSWORD 'x'"))
                        .hasMessageContaining("permission denied");
                }
                assertThatThrownBy(() -> connect(billing.database(), metering.databaseRole(), "metering-password"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("permission denied for database");
                assertThatThrownBy(() -> connect(metering.database(), billing.databaseRole(), "billing-password"))
                    .hasMessageContaining("permission denied for database");
            }
            finally {
                for (Service service : List.of(billing, metering)) {
                    Databases.drop(admin, service.database());
                    try (Statement sql = admin.createStatement()) {
                        sql.execute("DROP ROLE IF EXISTS " + service.databaseRole());
                    }
                }
            }
        }
    }

    @Test
    void eachServicesBrokerUserPublishesOnlyItsOwnEventsAsItselfAndReadsOnlyItsOwnQueues() throws Exception {
        Assumptions.assumeTrue(SERVERS.deadLettering() && rabbitmqctl("--quiet", "list_vhosts") == 0,
                "needs RabbitMQ on this machine and rabbitmqctl to manage its users");
        String virtualHost = "tft-" + RUN;
        List<Service> services = Service.ALL.stream().map(service -> service(service.name())).toList();
        try {
            BrokerUsers.load(BrokerUsers.definitions(virtualHost, services, service -> "pw-" + service.name()),
                    services.get(services.size() - 1).brokerUser(), null, SERVERS.rabbitUser(),
                    SERVERS.rabbitPassword(), "rabbitmqctl");
            Service inference = named(services, "inference-service");
            Service metering = named(services, "metering-service");
            Service billing = named(services, "billing-service");

            try (com.rabbitmq.client.Connection asInference = amqp(virtualHost, inference);
                    com.rabbitmq.client.Connection asMetering = amqp(virtualHost, metering);
                    com.rabbitmq.client.Connection asBilling = amqp(virtualHost, billing)) {
                // as the binder does: the owner declares its exchange and the queue it
                // keeps for its consumer's
                // group, the consumer its own queue too, each with its dead-letter queue
                // through DLX
                Channel producer = asInference.createChannel();
                producer.exchangeDeclare("tokenfactory.usage-recorded", "topic", true);
                declareWithDeadLettering(producer, "tokenfactory.usage-recorded", "metering-service");
                Channel consumer = asMetering.createChannel();
                declareWithDeadLettering(consumer, "tokenfactory.usage-recorded", "metering-service");
                consumer.exchangeDeclare("tokenfactory.usage-metered", "topic", true);
                declareWithDeadLettering(asBilling.createChannel(), "tokenfactory.usage-metered", "billing-service");

                // the owner publishes under its own name, and the consumer sees that name
                publish(producer, "tokenfactory.usage-recorded", inference.brokerUser());
                GetResponse delivered = consumer.basicGet("tokenfactory.usage-recorded.metering-service", true);
                assertThat(delivered).isNotNull();
                assertThat(delivered.getProps().getUserId()).isEqualTo(inference.brokerUser());

                // another service cannot publish the owner's event type ...
                assertThatThrownBy(
                        () -> publish(asMetering.createChannel(), "tokenfactory.usage-recorded", metering.brokerUser()))
                    .hasStackTraceContaining("ACCESS_REFUSED");
                // ... nor publish its own in the owner's name
                assertThatThrownBy(
                        () -> publish(asMetering.createChannel(), "tokenfactory.usage-metered", inference.brokerUser()))
                    .hasStackTraceContaining("PRECONDITION_FAILED");
                // ... nor read a queue that is not its own
                assertThatThrownBy(
                        () -> asBilling.createChannel().basicGet("tokenfactory.usage-recorded.metering-service", true))
                    .hasStackTraceContaining("ACCESS_REFUSED");
                assertThatThrownBy(
                        () -> asInference.createChannel().basicGet("tokenfactory.usage-metered.billing-service", true))
                    .hasStackTraceContaining("ACCESS_REFUSED");
                // ... nor declare a queue on another service's events for a group of its
                // choosing
                assertThatThrownBy(() -> declareWithDeadLettering(asInference.createChannel(),
                        "tokenfactory.usage-metered", "inference-service"))
                    .hasStackTraceContaining("ACCESS_REFUSED");
            }
        }
        finally {
            rabbitmqctl("--quiet", "delete_vhost", virtualHost);
            for (Service service : services) {
                rabbitmqctl("--quiet", "delete_user", service.brokerUser());
            }
        }
    }

    /**
     * A service as the launcher sees it, with this run's names for its database, role and
     * user.
     */
    private static Service service(String name) {
        String suffix = name.replace("-service", "");
        return new Service(name, name, 0, "tft_" + RUN + "_" + suffix, "", "", "tft-" + RUN + "-" + suffix);
    }

    private static Service named(List<Service> services, String name) {
        return services.stream().filter(service -> service.name().equals(name)).findFirst().orElseThrow();
    }

    private static void declareWithDeadLettering(Channel channel, String exchange, String group) throws Exception {
        String queue = exchange + "." + group;
        channel.exchangeDeclare("DLX", "direct", true);
        channel.queueDeclare(queue + ".dlq", true, false, false, Map.of());
        channel.queueBind(queue + ".dlq", "DLX", queue);
        channel.queueDeclare(queue, true, false, false,
                Map.of("x-dead-letter-exchange", "DLX", "x-dead-letter-routing-key", queue));
        channel.queueBind(queue, exchange, "#");
    }

    private static void publish(Channel channel, String exchange, String userId) throws Exception {
        channel.confirmSelect();
        channel.basicPublish(exchange, "event", new AMQP.BasicProperties.Builder().userId(userId).build(),
                "{}".getBytes(StandardCharsets.UTF_8));
        channel.waitForConfirmsOrDie(10_000);
    }

    private static com.rabbitmq.client.Connection amqp(String virtualHost, Service service) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(SERVERS.rabbitHost());
        factory.setPort(SERVERS.rabbitPort());
        factory.setVirtualHost(virtualHost);
        factory.setUsername(service.brokerUser());
        factory.setPassword("pw-" + service.name());
        return factory.newConnection();
    }

    private static int rabbitmqctl(String... arguments) {
        List<String> command = new java.util.ArrayList<>(List.of("rabbitmqctl"));
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(60, TimeUnit.SECONDS) ? process.exitValue() : -1;
        }
        catch (IOException e) {
            return -1;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static Connection adminConnection() throws SQLException {
        return Databases.connect(SERVERS.postgresHost(), SERVERS.postgresPort(), SERVERS.postgresUser(),
                SERVERS.postgresPassword());
    }

    private static Connection connect(String database, String user, String password) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:postgresql://" + SERVERS.postgresHost() + ":" + SERVERS.postgresPort() + "/" + database, user,
                password);
    }

    private static String single(Statement sql, String query) throws SQLException {
        try (ResultSet row = sql.executeQuery(query)) {
            row.next();
            return row.getString(1);
        }
    }

}
