package io.tokenfactory.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class SimulatedGpuNodeTests {

    private static final SimulatedGpuNode NODE = SimulatedGpuNode
        .start(SimulatedGpuNode.Settings.defaults().withGpus(2));

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @AfterAll
    static void stop() {
        NODE.close();
    }

    @Test
    void answersAWholeChatCompletionWithItsTokenCounts() throws Exception {
        JsonNode body = JSON.readTree(post("/chat/completions",
                "{\"model\":\"simulated-llm\",\"messages\":[{\"role\":\"user\",\"content\":\"three word prompt\"}],"
                        + "\"max_tokens\":5}")
            .body());

        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(3);
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(5);
        assertThat(body.at("/choices/0/message/content").asString().split(" ")).hasSize(5);
    }

    @Test
    void streamsOneChunkPerTokenThenUsageThenDone() throws Exception {
        String events = post("/chat/completions", "{\"model\":\"simulated-llm\",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"max_tokens\":4}")
            .body();

        assertThat(events.split("\"content\":\"[a-z]+ \"")).hasSize(5);
        assertThat(events).contains("\"completion_tokens\":4").endsWith("data: [DONE]\n\n");
    }

    @Test
    void aModelNamedNoUsageReportsNoTokenCounts() throws Exception {
        String body = post("/completions", "{\"model\":\"llm-no-usage\",\"prompt\":\"hi\",\"max_tokens\":2}").body();

        assertThat(body).doesNotContain("\"usage\"").doesNotContain("prompt_tokens");
    }

    @Test
    void itsEnergyCountersFollowTheLoadAndTheExporterCanFail() throws Exception {
        String before = metrics().body();
        double startJoules = NODE.energyJoules();
        post("/completions", "{\"model\":\"simulated-llm\",\"prompt\":\"hi\",\"max_tokens\":10}");
        double used = NODE.energyJoules() - startJoules;

        assertThat(before).contains("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu=\"1\"")
            .contains("modelName=\"Simulated H100 (Token Factory, not a GPU)\"");
        // 2 GPUs x 60 W idle + 40 W for the running request, over at least 10 steps of 22
        // ms
        assertThat(used).isGreaterThan(0.2 * 160 * 0.9);
        NODE.exporter(SimulatedGpuNode.Exporter.DOWN);
        assertThat(metrics().statusCode()).isEqualTo(503);
        NODE.exporter(SimulatedGpuNode.Exporter.POWER_ONLY);
        assertThat(metrics().body()).contains("DCGM_FI_DEV_POWER_USAGE").doesNotContain("TOTAL_ENERGY");
        NODE.exporter(SimulatedGpuNode.Exporter.NORMAL);
        long reset = System.nanoTime();
        NODE.resetCounters();
        double counter = counterOfGpu0(metrics().body());
        double seconds = (System.nanoTime() - reset) / 1e9;
        // back to zero, plus what one GPU (well under 200 W here) drew until the read, in
        // mJ
        assertThat(counter).isBetween(0.0, 200 * 1_000 * seconds + 1_000);
    }

    private static double counterOfGpu0(String exposition) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu=\"0\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no counter of gpu 0");
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(NODE.baseUrl() + path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> metrics() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(NODE.metricsUrl())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

}
