package io.tokenfactory.support.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.bootstrap.DefaultBootstrapContext;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.mock.env.MockEnvironment;

/**
 * A service on servers beyond this machine starts only with real logins.
 */
class DefaultCredentialsGuardTests {

    @Test
    void refusesAPasswordlessDatabaseLoginAndRabbitMQsGuestOnAServerElsewhere() {
        MockEnvironment environment = remote().withProperty("spring.datasource.password", "")
            .withProperty("spring.rabbitmq.username", "guest")
            .withProperty("spring.rabbitmq.password", "guest");

        assertThat(DefaultCredentialsGuard.problems(environment)).containsExactly(
                "the PostgreSQL login at db.example.internal has no password",
                "the RabbitMQ login at mq.example.internal is RabbitMQ's default guest");
        assertThatIllegalStateException()
            .isThrownBy(() -> new DefaultCredentialsGuard().onApplicationEvent(new ApplicationEnvironmentPreparedEvent(
                    new DefaultBootstrapContext(), new SpringApplication(), new String[0], environment)))
            .withMessageStartingWith("Refusing to start with default credentials")
            .withMessageContaining("TF_ALLOW_DEFAULT_CREDENTIALS=true");
    }

    @Test
    void refusesABrokerUserWithoutARealPassword() {
        MockEnvironment environment = remote().withProperty("spring.datasource.password", "s3cret")
            .withProperty("spring.rabbitmq.username", "tf-billing")
            .withProperty("spring.rabbitmq.password", "");

        assertThat(DefaultCredentialsGuard.problems(environment))
            .containsExactly("the RabbitMQ login at mq.example.internal is without a real password");
    }

    @Test
    void startsWithOwnLoginsOnServersOnThisMachineOrWhenALabSaysSo() {
        assertThat(DefaultCredentialsGuard.problems(remote().withProperty("spring.datasource.password", "s3cret")
            .withProperty("spring.rabbitmq.username", "tf-billing")
            .withProperty("spring.rabbitmq.password", "s3cret"))).isEmpty();
        assertThat(DefaultCredentialsGuard.problems(new MockEnvironment()
            .withProperty("spring.datasource.url", "jdbc:postgresql://127.0.0.1:5432/tf_billing")
            .withProperty("spring.rabbitmq.host", "localhost"))).isEmpty();
        assertThat(DefaultCredentialsGuard.problems(remote().withProperty(DefaultCredentialsGuard.ALLOW, "true")))
            .isEmpty();
        // on Kafka the RabbitMQ login is never used
        assertThat(DefaultCredentialsGuard.problems(remote().withProperty("spring.datasource.password", "s3cret")
            .withProperty("spring.cloud.stream.default-binder", "kafka"))).isEmpty();
    }

    private static MockEnvironment remote() {
        return new MockEnvironment()
            .withProperty("spring.datasource.url", "jdbc:postgresql://db.example.internal:5432/tf_billing")
            .withProperty("spring.rabbitmq.host", "mq.example.internal");
    }

}
