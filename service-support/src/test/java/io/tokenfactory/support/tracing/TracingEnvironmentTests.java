package io.tokenfactory.support.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.otlp.OtlpTracingAutoConfiguration;
import org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Where spans go: to {@code TF_OTLP_ENDPOINT}'s collector, every request sampled, when it
 * is set; nowhere, and nothing sampled, when not — with Spring Boot's own settings
 * winning over both defaults.
 */
class TracingEnvironmentTests {

    private final ApplicationContextRunner service = new ApplicationContextRunner()
        .withInitializer(context -> new TracingEnvironment().postProcessEnvironment(context.getEnvironment(), null))
        .withConfiguration(
                AutoConfigurations.of(ObservationAutoConfiguration.class, MicrometerTracingAutoConfiguration.class,
                        OpenTelemetrySdkAutoConfiguration.class, OpenTelemetryTracingAutoConfiguration.class,
                        OtlpTracingAutoConfiguration.class, TracingConfiguration.class))
        .withPropertyValues("spring.application.name=traced-service");

    private HttpServer collector;

    private final List<String> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startCollector() throws IOException {
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/", exchange -> {
            received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
                    + exchange.getRequestHeaders().getFirst("Content-Type"));
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
    }

    @AfterEach
    void stopCollector() {
        collector.stop(0);
    }

    @Test
    void withACollectorEverySpanIsSampledAndSentToItsTracesPathOverOtlpHttp() {
        service
            .withPropertyValues(
                    "tokenfactory.tracing.otlp-endpoint=http://127.0.0.1:" + collector.getAddress().getPort() + "/")
            .run(context -> {
                assertThat(context).hasSingleBean(SpanExporter.class);
                Span span = context.getBean(Tracer.class).nextSpan().name("served").start();
                assertThat(span.isNoop()).isFalse();
                assertThat(context.getBean(Traces.class).traceparentOf(span)).endsWith("-01");
                span.end();
                context.getBean(SdkTracerProvider.class).forceFlush();
                await().atMost(Duration.ofSeconds(10))
                    .until(() -> received.contains("POST /v1/traces application/x-protobuf"));
            });
    }

    @Test
    void withoutACollectorNothingIsExportedAndNothingSampledButTheTraceIdStillTravels() {
        service.run(context -> {
            assertThat(context).doesNotHaveBean(SpanExporter.class);
            Traces traces = context.getBean(Traces.class);
            Span span = context.getBean(Tracer.class).nextSpan().name("served").start();
            String traceparent = traces.traceparentOf(span);
            assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-00");
            Span continued = traces.continued(traceparent, "metered");
            assertThat(continued.context().traceId()).isEqualTo(span.context().traceId());
            assertThat(continued.context().spanId()).isNotEqualTo(span.context().spanId());
            continued.end();
            span.end();
        });
    }

    @Test
    void bootsOwnSettingsWinAndASamplingShareCanBeGiven() {
        assertThat(TracingEnvironment.defaults("http://collector:4318/v1/traces", null))
            .containsEntry(TracingEnvironment.OTLP_TRACES, "http://collector:4318/v1/traces")
            .containsEntry(TracingEnvironment.PROBABILITY, "1.0");
        assertThat(TracingEnvironment.defaults("http://collector:4318", "0.05"))
            .containsEntry(TracingEnvironment.OTLP_TRACES, "http://collector:4318/v1/traces")
            .containsEntry(TracingEnvironment.PROBABILITY, "0.05");
        service
            .withPropertyValues(
                    "tokenfactory.tracing.otlp-endpoint=http://127.0.0.1:" + collector.getAddress().getPort(),
                    "management.tracing.sampling.probability=0")
            .run(context -> assertThat(context.getBean(Tracer.class).nextSpan().start().context().sampled()).isFalse());
    }

    @Test
    void anEventWithoutATraceContinuesNone() {
        Traces traces = Traces.none();
        assertThat(traces.continued(null, "metered").isNoop()).isTrue();
        assertThat(traces.currentTraceparent()).isNull();
    }

}
