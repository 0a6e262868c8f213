package io.tokenfactory.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;

class EmbeddedInfrastructureIntegrationTests {

    @Test
    void postgresKeepsDatabasesInItsDataDirectoryAcrossRestarts(@TempDir Path dataDirectory) throws Exception {
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dataDirectory, 0);
                Connection maintenance = postgres.connectToMaintenanceDatabase()) {
            assertThat(Databases.createIfMissing(maintenance, "tf_example")).isTrue();
            assertThat(Databases.createIfMissing(maintenance, "tf_example")).isFalse();
        }

        try (EmbeddedPostgresServer restarted = EmbeddedPostgresServer.start(dataDirectory, 0);
                Connection maintenance = restarted.connectToMaintenanceDatabase();
                ResultSet rows = maintenance.createStatement()
                    .executeQuery("SELECT count(*) FROM pg_database WHERE datname = 'tf_example'")) {
            rows.next();
            assertThat(rows.getInt(1)).isEqualTo(1);
            assertThat(maintenance.getMetaData().getDatabaseProductVersion()).startsWith("17.");
        }
    }

    @Test
    void brokerSpeaksAmqp091ToTheRabbitMqClient() throws Exception {
        try (EmbeddedAmqpBroker broker = EmbeddedAmqpBroker.start(0)) {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setHost(broker.host());
            factory.setPort(broker.port());
            factory.setUsername(EmbeddedAmqpBroker.USER);
            factory.setPassword(EmbeddedAmqpBroker.PASSWORD);
            try (var connection = factory.newConnection(); var channel = connection.createChannel()) {
                channel.exchangeDeclare("tf.test", "topic", true);
                channel.queueDeclare("tf.test.q", true, false, false, null);
                channel.queueBind("tf.test.q", "tf.test", "#");
                channel.confirmSelect();
                channel.basicPublish("tf.test", "any", null, "hello".getBytes(StandardCharsets.UTF_8));
                channel.waitForConfirmsOrDie(5_000);

                GetResponse response = channel.basicGet("tf.test.q", true);
                assertThat(new String(response.getBody(), StandardCharsets.UTF_8)).isEqualTo("hello");
            }
        }
    }

}
