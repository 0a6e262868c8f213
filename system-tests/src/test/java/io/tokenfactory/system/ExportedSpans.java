package io.tokenfactory.system;

import java.util.Collection;
import java.util.List;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * Every span the services in this JVM export, kept in memory: each service's
 * OpenTelemetry SDK sends to this exporter beside any other (Spring Boot hands every
 * {@code SpanExporter} bean to its span processor). The services sample nothing of their
 * own (no collector is configured), so only traces a test starts sampled are here.
 */
final class ExportedSpans {

    private static final InMemorySpanExporter EXPORTER = InMemorySpanExporter.create();

    private ExportedSpans() {
    }

    static void exportTo(ConfigurableApplicationContext service) {
        service.getBeanFactory().registerSingleton("systemTestSpanExporter", new ToSharedExporter());
    }

    /**
     * One service's way into the shared exporter: a service that stops shuts down its own
     * exporters, which must not stop the others'.
     */
    private static final class ToSharedExporter implements SpanExporter {

        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return EXPORTER.export(spans);
        }

        @Override
        public CompletableResultCode flush() {
            return EXPORTER.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }

    }

    /** The spans of one trace exported so far, from every service. */
    static List<SpanData> ofTrace(String traceId) {
        return EXPORTER.getFinishedSpanItems().stream().filter(span -> span.getTraceId().equals(traceId)).toList();
    }

}
