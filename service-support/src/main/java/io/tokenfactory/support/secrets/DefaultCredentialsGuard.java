package io.tokenfactory.support.secrets;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.tokenfactory.support.events.EventBackbone;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;

/**
 * Refuses to start a service whose PostgreSQL login has no password, or whose RabbitMQ
 * login is RabbitMQ's default ({@code guest}, or an empty password), when that server is
 * anywhere but on this machine. A server on the loopback address is a developer's: the
 * embedded mode, the tests, the benchmarks. Everywhere else each service has its own role
 * and broker user (docs/security.md); {@code TF_ALLOW_DEFAULT_CREDENTIALS=true} lets a
 * lab start anyway. Registered for every Spring application in
 * {@code META-INF/spring.factories}; it runs before anything connects.
 */
public class DefaultCredentialsGuard implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {

    static final String ALLOW = "tokenfactory.allow-default-credentials";

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        List<String> problems = problems(event.getEnvironment());
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Refusing to start with default credentials: " + String.join("; ", problems)
                    + ". Give each service its own PostgreSQL role and RabbitMQ user with a password (TF_POSTGRES_USER/"
                    + "TF_POSTGRES_PASSWORD, TF_RABBITMQ_USER/TF_RABBITMQ_PASSWORD; docs/security.md), or set "
                    + "TF_ALLOW_DEFAULT_CREDENTIALS=true for a lab.");
        }
    }

    static List<String> problems(Environment environment) {
        List<String> problems = new ArrayList<>();
        if (environment.getProperty(ALLOW, Boolean.class, false)) {
            return problems;
        }
        String url = environment.getProperty("spring.datasource.url");
        String databaseHost = url == null ? null : databaseHost(url);
        if (databaseHost != null && !loopback(databaseHost)
                && environment.getProperty("spring.datasource.password", "").isEmpty()) {
            problems.add("the PostgreSQL login at " + databaseHost + " has no password");
        }
        boolean rabbit = environment.getProperty(EventBackbone.DEFAULT_BINDER, "rabbit").equals("rabbit");
        String brokerHost = environment.getProperty("spring.rabbitmq.host", "localhost");
        String brokerUser = environment.getProperty("spring.rabbitmq.username", "guest");
        String brokerPassword = environment.getProperty("spring.rabbitmq.password", "guest");
        if (rabbit && !loopback(brokerHost)
                && (brokerUser.equals("guest") || brokerPassword.isEmpty() || brokerPassword.equals("guest"))) {
            problems.add("the RabbitMQ login at " + brokerHost + " is "
                    + (brokerUser.equals("guest") ? "RabbitMQ's default guest" : "without a real password"));
        }
        return problems;
    }

    private static @Nullable String databaseHost(String jdbcUrl) {
        if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
            return null;
        }
        try {
            return URI.create(jdbcUrl.substring("jdbc:".length())).getHost();
        }
        catch (IllegalArgumentException unreadable) {
            return null;
        }
    }

    static boolean loopback(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        return name.equals("localhost") || name.startsWith("127.") || name.equals("::1") || name.equals("[::1]");
    }

}
