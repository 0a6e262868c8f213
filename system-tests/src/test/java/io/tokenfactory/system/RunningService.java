package io.tokenfactory.system;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.tokenfactory.testsupport.TestInfrastructure;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One service started in this JVM the way it starts in production, with its own
 * application.yml, its own migrations and its own database, on the shared test PostgreSQL
 * and broker. Several can run side by side because each reads its configuration and
 * migrations from its own module rather than from the shared class path.
 */
final class RunningService implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private RunningService(ConfigurableApplicationContext context) {
        this.context = context;
    }

    static RunningService start(Class<?> application, String module, String... extraProperties) {
        Path resources = Path.of("..", module, "src", "main", "resources").toAbsolutePath().normalize();
        // command-line arguments, so they win over what the service's own configuration
        // says
        String[] arguments = new String[3 + extraProperties.length];
        arguments[0] = "--spring.config.location=file:" + resources.resolve("application.yml");
        arguments[1] = "--spring.flyway.locations=filesystem:" + resources.resolve("db/migration")
                + ",classpath:db/messaging";
        // a random port unless the caller names one (a repeated argument would become a
        // list)
        arguments[2] = "--server.port=" + Arrays.stream(extraProperties)
            .filter(p -> p.startsWith("server.port="))
            .map(p -> p.substring("server.port=".length()))
            .findFirst()
            .orElse("0");
        for (int i = 0; i < extraProperties.length; i++) {
            arguments[3 + i] = extraProperties[i].startsWith("server.port=") ? "--debug=false"
                    : "--" + extraProperties[i];
        }
        // the class path holds both web stacks; a reactive service (the gateway) must say
        // so before start-up, and
        // the servlet services must not pick up the gateway's auto-configuration
        boolean reactive = Arrays.asList(extraProperties).contains("spring.main.web-application-type=reactive");
        if (!reactive) {
            String[] withoutGateway = Arrays.copyOf(arguments, arguments.length + 2);
            withoutGateway[arguments.length] = "--spring.cloud.gateway.server.webflux.enabled=false";
            withoutGateway[arguments.length + 1] = "--spring.autoconfigure.exclude=" + gatewayAutoConfigurations();
            arguments = withoutGateway;
        }
        return new RunningService(new SpringApplicationBuilder(application)
            .web(reactive ? WebApplicationType.REACTIVE : WebApplicationType.SERVLET)
            .initializers(new TestInfrastructure(), ExportedSpans::exportTo)
            .run(arguments));
    }

    /**
     * Every auto-configuration Spring Cloud Gateway ships: it assumes a reactive
     * application wherever it is found.
     */
    private static String gatewayAutoConfigurations() {
        try {
            List<String> names = new ArrayList<>();
            var imports = RunningService.class.getClassLoader()
                .getResources("META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports");
            while (imports.hasMoreElements()) {
                try (InputStream in = imports.nextElement().openStream()) {
                    new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                        .map(String::trim)
                        .filter(line -> line.startsWith("org.springframework.cloud.gateway."))
                        .forEach(names::add);
                }
            }
            return String.join(",", names);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The port the service listens on. */
    int port() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    <T> T bean(String name, Class<T> type) {
        return context.getBean(name, type);
    }

    @Override
    public void close() {
        context.close();
    }

}
