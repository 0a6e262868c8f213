package io.tokenfactory.testsupport;

/**
 * Where the tests' PostgreSQL and AMQP broker are, and what the broker can do.
 *
 * @param deadLettering whether the broker accepts dead-letter queue arguments (RabbitMQ
 * does, Qpid does not)
 * @param sharedServer whether other runs may use the same servers, so names must be
 * unique per run
 */
public record Infrastructure(String postgresHost, int postgresPort, String postgresUser, String postgresPassword,
        String rabbitHost, int rabbitPort, String rabbitUser, String rabbitPassword, boolean deadLettering,
        boolean sharedServer, String description) {
}
