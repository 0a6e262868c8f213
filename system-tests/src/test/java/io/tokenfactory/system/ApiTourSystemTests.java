package io.tokenfactory.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * docs/tour.sh, the API tour of docs/api.md, runs as written (curl and jq) against the
 * real services: a department, its key, a call, its usage, its spend, its statements.
 */
class ApiTourSystemTests {

    @Test
    void theTourRunsAsWritten() throws IOException, InterruptedException {
        WholeFactory factory = WholeFactory.get();
        factory.seedPrices();
        ProcessBuilder tour = new ProcessBuilder("bash", Path.of("..", "docs", "tour.sh").toString())
            .redirectErrorStream(true);
        tour.environment().put("TF_GATEWAY", "http://localhost:" + factory.gatewayPort);
        tour.environment().put("ADMIN", factory.adminKey);

        Process process = tour.start();
        boolean finished = process.waitFor(4, TimeUnit.MINUTES);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(finished).as(output).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).containsSubsequence("1. A department", "department ", "2. A key", "3. A call",
                "completion tokens", "4. Its usage", "simulated-llm for tour-user: 1 request(s)",
                "5. What its tokens cost", "simulated-llm: ", " tokens cost ", "spent ", "EUR of 50",
                "6. Its statements", "Tour done");
    }

}
