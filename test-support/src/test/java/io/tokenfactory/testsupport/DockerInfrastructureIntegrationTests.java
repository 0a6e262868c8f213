package io.tokenfactory.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;

import io.tokenfactory.embedded.Databases;

import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.rabbitmq.RabbitMQContainer;

import com.rabbitmq.client.ConnectionFactory;

/**
 * The containers that {@link TestInfrastructure} falls back to on a machine with Docker.
 * Skipped, not failed, where no Docker engine answers.
 */
@Testcontainers(disabledWithoutDocker = true)
class DockerInfrastructureIntegrationTests {

    @Container
    static final PostgreSQLContainer postgres = new PostgreSQLContainer("postgres:17-alpine");

    @Container
    static final RabbitMQContainer rabbit = new RabbitMQContainer("rabbitmq:4-alpine");

    @Test
    void servicesCanHaveTheirOwnDatabasesInThePostgresContainer() throws Exception {
        try (Connection maintenance = Databases.connect(postgres.getHost(), postgres.getMappedPort(5432),
                postgres.getUsername(), postgres.getPassword())) {
            Databases.recreate(maintenance, "tft_docker_check");
            try (ResultSet rows = maintenance.createStatement()
                .executeQuery("SELECT count(*) FROM pg_database WHERE datname = 'tft_docker_check'")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(1);
            }
        }
    }

    @Test
    void theRabbitMqContainerAcceptsDeadLetterQueues() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(rabbit.getHost());
        factory.setPort(rabbit.getAmqpPort());
        factory.setUsername(rabbit.getAdminUsername());
        factory.setPassword(rabbit.getAdminPassword());
        try (var connection = factory.newConnection(); var channel = connection.createChannel()) {
            channel.queueDeclare("check.dlq", true, false, false, null);
            channel.queueDeclare("check", true, false, false,
                    java.util.Map.of("x-dead-letter-exchange", "", "x-dead-letter-routing-key", "check.dlq"));
            assertThat(channel.queueDeclarePassive("check").getQueue()).isEqualTo("check");
        }
    }

}
