package io.tokenfactory.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.tokenfactory.support.tracing.Traces;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import tools.jackson.databind.JsonNode;

/**
 * One request, one trace, across the five services and the broker: the gateway's span
 * continues the client's {@code traceparent}, inference-service's is below the gateway's
 * routed call, and the usage event carries the request's trace through the outbox and the
 * broker to metering's span for the record and billing's span for its charge. Each names
 * the department and the model; none holds the key. Named to run before
 * OpenAiThroughGatewaySystemTests: its own gateway, when it stops, disposes the JVM's
 * Reactor Netty event loops, on which the shared gateway serves.
 */
class DistributedTracingSystemTests {

    private static final SecureRandom random = new SecureRandom();

    private static final AttributeKey<String> SERVICE = AttributeKey.stringKey("service.name");

    @Test
    void aRequestIsOneTraceFromTheGatewayThroughInferenceAndTheBrokerToMeteringAndBilling() {
        WholeFactory factory = WholeFactory.get();
        factory.seedPrices();
        String run = UUID.randomUUID().toString().substring(0, 8);
        UUID department = factory.department("Traced " + run, "CC-TRACE-" + run);
        WholeFactory.IssuedKey key = factory.key(department, List.of("inference"));
        String traceId = hex(16);
        String clientSpan = hex(8);

        ResponseEntity<JsonNode> answered = factory.client(key.secret())
            .postWithHeaders("/v1/chat/completions",
                    Map.of("model", "byte-lm-moby", "max_tokens", 8, "messages",
                            List.of(Map.of("role", "user", "content", "Say hello."))),
                    Map.of("traceparent", "00-" + traceId + "-" + clientSpan + "-01"));
        assertThat(answered.getStatusCode()).as("%s", answered.getBody()).isEqualTo(HttpStatus.OK);

        await("the request's spans from all four services").atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            List<SpanData> spans = ExportedSpans.ofTrace(traceId);
            // the gateway serves every path with one handler: its span is named by the
            // method
            SpanData gateway = only(spans, "gateway", SpanKind.SERVER, "http post");
            SpanData inference = only(spans, "inference-service", SpanKind.SERVER, "/v1/chat/completions");
            SpanData metered = only(spans, "metering-service", SpanKind.CONSUMER, "meter usage");
            SpanData charged = only(spans, "billing-service", SpanKind.CONSUMER, "charge usage");

            assertThat(gateway.getParentSpanId()).as("the gateway continues the client's trace").isEqualTo(clientSpan);
            SpanData routed = spans.stream()
                .filter(span -> span.getSpanId().equals(inference.getParentSpanId()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("inference-service's parent span is not in the trace"));
            assertThat(routed.getResource().getAttribute(SERVICE)).isEqualTo("gateway");
            assertThat(routed.getKind()).isEqualTo(SpanKind.CLIENT);
            assertThat(metered.getParentSpanId()).as("metering continues inference-service's span")
                .isEqualTo(inference.getSpanId());
            assertThat(charged.getParentSpanId()).as("billing continues metering's span")
                .isEqualTo(metered.getSpanId());
            for (SpanData span : List.of(gateway, inference, metered, charged)) {
                assertThat(span.getAttributes().get(AttributeKey.stringKey(Traces.DEPARTMENT)))
                    .as("department on %s", span.getName())
                    .isEqualTo(department.toString());
                assertThat(span.getAttributes().get(AttributeKey.stringKey(Traces.MODEL)))
                    .as("model on %s", span.getName())
                    .isEqualTo("byte-lm-moby");
            }
            assertThat(metered.getAttributes().get(AttributeKey.longKey(Traces.OUTPUT_TOKENS))).isPositive();
            assertThat(charged.getAttributes().get(AttributeKey.stringKey("tokenfactory.charge"))).isNotBlank();
        });
        List<SpanData> spans = ExportedSpans.ofTrace(traceId);
        assertThat(spans).allSatisfy(span -> span.getAttributes().forEach((name, value) -> {
            assertThat(name.getKey()).as("attribute of %s", span.getName()).doesNotContainIgnoringCase("authorization");
            assertThat(String.valueOf(value)).as("%s of %s", name, span.getName()).doesNotContain(key.secret());
        }));
    }

    private static SpanData only(List<SpanData> spans, String service, SpanKind kind, String named) {
        List<SpanData> matching = spans.stream()
            .filter(span -> service.equals(span.getResource().getAttribute(SERVICE)) && span.getKind() == kind
                    && (span.getName().contains(named)
                            || named.equals(span.getAttributes().get(AttributeKey.stringKey("http.route")))
                            || named.equals(span.getAttributes().get(AttributeKey.stringKey("uri")))))
            .toList();
        assertThat(matching).as("%s %s span '%s' among %s", service, kind, named, describe(spans)).hasSize(1);
        return matching.get(0);
    }

    private static List<String> describe(List<SpanData> spans) {
        return spans.stream()
            .map(span -> span.getResource().getAttribute(SERVICE) + "/" + span.getKind() + "/" + span.getName() + " "
                    + span.getAttributes().asMap().keySet().stream().map(AttributeKey::getKey).toList())
            .toList();
    }

    private static String hex(int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }

}
