package io.tokenfactory.support.tracing;

import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.StringUtils;

/**
 * Turns the two tracing settings an operator gives every service into Spring Boot's own.
 * {@code TF_OTLP_ENDPOINT} is an OpenTelemetry collector's base address (as
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT}, e.g. {@code http://collector:4318}): spans are
 * sent to its {@code /v1/traces} over OTLP/HTTP, and every request is traced unless
 * {@code TF_TRACE_SAMPLING} says what share. Without a collector nothing is sampled: a
 * request still gets a trace id, passed downstream and carried by its usage, but no span
 * is recorded. Both are defaults: Boot's own {@code management.*} properties, set
 * anywhere, win. It runs after the configuration files are read, so it sees
 * {@code tokenfactory.tracing.*} as {@code tokenfactory-service-defaults.yml} binds them.
 */
public class TracingEnvironment implements EnvironmentPostProcessor {

    /** {@code TF_OTLP_ENDPOINT}, by the shared defaults. */
    static final String ENDPOINT = "tokenfactory.tracing.otlp-endpoint";

    /** {@code TF_TRACE_SAMPLING}, by the shared defaults. */
    static final String SAMPLING = "tokenfactory.tracing.sampling";

    static final String OTLP_TRACES = "management.opentelemetry.tracing.export.otlp.endpoint";

    static final String PROBABILITY = "management.tracing.sampling.probability";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Map<String, Object> defaults = defaults(environment.getProperty(ENDPOINT), environment.getProperty(SAMPLING));
        defaults.keySet().removeIf(environment::containsProperty);
        if (!defaults.isEmpty()) {
            environment.getPropertySources().addLast(new MapPropertySource("tokenfactoryTracing", defaults));
        }
    }

    static Map<String, Object> defaults(String endpoint, String sampling) {
        Map<String, Object> defaults = new HashMap<>();
        boolean exporting = StringUtils.hasText(endpoint);
        if (exporting) {
            String base = endpoint.strip().replaceAll("/+$", "");
            defaults.put(OTLP_TRACES, base.endsWith("/v1/traces") ? base : base + "/v1/traces");
        }
        defaults.put(PROBABILITY, StringUtils.hasText(sampling) ? sampling.strip() : exporting ? "1.0" : "0.0");
        return defaults;
    }

}
