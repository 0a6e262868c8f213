package io.tokenfactory.system;

import java.nio.file.Path;

import io.tokenfactory.testsupport.TestInfrastructure;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One service started in this JVM the way it starts in production, with its own application.yml, its own
 * migrations and its own database, on the shared test PostgreSQL and broker. Several can run side by side
 * because each reads its configuration and migrations from its own module rather than from the shared class path.
 */
final class RunningService implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private RunningService(ConfigurableApplicationContext context) {
        this.context = context;
    }

    static RunningService start(Class<?> application, String module, String... extraProperties) {
        Path resources = Path.of("..", module, "src", "main", "resources").toAbsolutePath().normalize();
        // command-line arguments, so they win over what the service's own configuration says
        String[] arguments = new String[3 + extraProperties.length];
        arguments[0] = "--spring.config.location=file:" + resources.resolve("application.yml");
        arguments[1] = "--spring.flyway.locations=filesystem:" + resources.resolve("db/migration") + ",classpath:db/messaging";
        arguments[2] = "--server.port=0";
        for (int i = 0; i < extraProperties.length; i++) {
            arguments[3 + i] = "--" + extraProperties[i];
        }
        return new RunningService(new SpringApplicationBuilder(application)
                .initializers(new TestInfrastructure())
                .run(arguments));
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
