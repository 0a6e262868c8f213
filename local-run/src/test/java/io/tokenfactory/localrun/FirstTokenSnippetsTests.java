package io.tokenfactory.localrun;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * The snippets {@code ./factory up} prints (run as printed by a system test), and the
 * line its detached start waits for.
 */
class FirstTokenSnippetsTests {

    private final FirstTokenSnippets snippets = FirstTokenSnippets.of("http://localhost:8080", "tf_demo_secret",
            "simulated-llm");

    @Test
    void eachSnippetCarriesTheGatewayTheKeyAndTheModel() {
        assertThat(snippets.curl()).startsWith("curl -s http://localhost:8080/v1/chat/completions")
            .contains("Authorization: Bearer tf_demo_secret")
            .contains("\"model\": \"simulated-llm\"");
        assertThat(snippets.python()).contains("base_url=\"http://localhost:8080/v1\"", "api_key=\"tf_demo_secret\"");
        assertThat(snippets.node()).contains("baseURL: \"http://localhost:8080/v1\"", "apiKey: \"tf_demo_secret\"");
    }

    @Test
    void nothingIsIndentedSoAPastedPythonProgramRuns() {
        assertThat(snippets.python().lines().filter(line -> line.startsWith(" "))).isEmpty();
        assertThat(snippets.printed()).contains("\n" + snippets.python() + "\n", snippets.curl(), snippets.node());
    }

    @Test
    void theDetachedStartWaitsForTheLauncherSLastLine() throws IOException {
        assertThat(Files.readString(Path.of("..", "factory"))).contains("grep -q \"" + Factory.READY_LINE + "\"");
    }

}
