package io.tokenfactory.metering.efficiency;

import static io.tokenfactory.metering.MeteringEvents.usage;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import io.tokenfactory.metering.usage.UsageIngestion;
import io.tokenfactory.testsupport.ServiceIntegrationTest;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Tokens per joule over the last hour reaches Prometheus by model and department. */
@ServiceIntegrationTest
class EfficiencyGaugesIntegrationTests {

    @Autowired
    UsageIngestion ingestion;

    @Autowired
    EfficiencyGauges gauges;

    @Autowired
    MeterRegistry meters;

    @Test
    void publishesTokensPerJouleOfTheLastHourByModelAndDepartment() {
        UUID department = UUID.randomUUID();
        Instant now = Instant.now();
        ingestion.ingest(List.of(usage(department, null, "byte-lm-moby", "node-a", now.minusSeconds(120), 300, 900, 4),
                usage(department, null, "byte-lm-moby", "node-a", now.minusSeconds(60), 100, 700, 4),
                // older than an hour: not in the gauge
                usage(department, null, "byte-lm-moby", "node-a", now.minusSeconds(4000), 1, 1, 1000)));

        gauges.refresh();

        assertThat(meters.get("tokenfactory.metering.tokens.per.joule")
            .tag("model", "byte-lm-moby")
            .tag("department", department.toString())
            .gauge()
            .value()).isEqualTo(250.0);
    }

}
