package io.tokenfactory.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.tokenfactory.localrun.DemoKey;
import io.tokenfactory.localrun.FirstTokenSnippets;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A newcomer's first token as {@code ./factory up} prints it: the launcher's demo key for
 * a department (issued with the first start's admin key, kept owner-only, the same one at
 * the next start) and its snippets, pasted as printed: the curl command in a shell and
 * the Node program with the {@code openai} npm package, against the real gateway.
 */
class FirstTokenSystemTests {

    /**
     * The openai npm package the Node snippet is run with (npm's registry is reachable).
     */
    private static final String OPENAI_NPM = "openai@5.23.2";

    private static final String MODEL = "simulated-llm";

    private static WholeFactory factory;

    private static String gatewayUrl;

    private static String key;

    @TempDir
    static Path secrets;

    @BeforeAll
    static void issueTheDemoKey() throws Exception {
        factory = WholeFactory.get();
        factory.seedPrices();
        gatewayUrl = "http://localhost:" + factory.gatewayPort;
        String department = "First Token " + UUID.randomUUID().toString().substring(0, 6);
        factory.department(department, "FT-" + department.substring(12));
        Files.writeString(secrets.resolve("admin-key"), factory.adminKey + "\n");
        key = DemoKey.ensure(gatewayUrl, secrets.resolve("admin-key"), secrets.resolve("demo-key"), department)
            .orElseThrow();
    }

    @Test
    void theDemoKeyIsKeptOwnerOnlyAndTheNextStartPrintsTheSameOne() throws Exception {
        assertThat(Files.readString(secrets.resolve("demo-key")).strip()).isEqualTo(key);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets.resolve("demo-key"))))
            .isEqualTo("rw-------");
        Optional<String> again = DemoKey.ensure(gatewayUrl, secrets.resolve("no-admin-key-needed"),
                secrets.resolve("demo-key"), "any");
        assertThat(again).contains(key);
    }

    @Test
    void theDemoKeyMayInferButNotAdminister() {
        assertThat(factory.client(key).get("/v1/models").getStatusCode().value()).isEqualTo(200);
        assertThat(factory.client(key).get("/api/keys").getStatusCode().value()).isEqualTo(403);
    }

    @Test
    void thePrintedCurlCommandAnswersWithACompletion() throws Exception {
        FirstTokenSnippets snippets = FirstTokenSnippets.of(gatewayUrl, key, MODEL);

        Run curl = run(List.of("bash", "-c", snippets.curl()), secrets);

        assertThat(curl.exitCode()).as(curl.output()).isZero();
        JsonNode completion = JsonMapper.builder().build().readTree(curl.output());
        assertThat(completion.path("object").asString()).isEqualTo("chat.completion");
        assertThat(completion.at("/choices/0/message/content").asString()).isNotBlank();
        assertThat(completion.at("/usage/completion_tokens").asInt()).isPositive();
    }

    @Test
    void thePrintedNodeProgramAnswersWithTheOfficialOpenAiPackage() throws Exception {
        Path project = Path.of("target", "first-token-node").toAbsolutePath();
        Files.createDirectories(project);
        if (!Files.isDirectory(project.resolve("node_modules/openai"))) {
            Files.writeString(project.resolve("package.json"), "{\"private\": true}\n");
            Run install = run(List.of("npm", "install", "--no-audit", "--no-fund", "--silent", OPENAI_NPM), project);
            assertThat(install.exitCode()).as(install.output()).isZero();
        }
        Path program = project.resolve("first-token.mjs");
        Files.writeString(program, FirstTokenSnippets.of(gatewayUrl, key, MODEL).node());

        Run node = run(List.of("node", program.toString()), project);

        assertThat(node.exitCode()).as(node.output()).isZero();
        assertThat(node.output()).isNotBlank();
    }

    @Test
    void thePrintedPythonProgramNamesTheGatewayAndTheKey() {
        // PyPI is out of reach of the build machines: the program is read, not run
        String python = FirstTokenSnippets.of(gatewayUrl, key, MODEL).python();

        assertThat(python).contains("from openai import OpenAI")
            .contains("base_url=\"" + gatewayUrl + "/v1\"")
            .contains("api_key=\"" + key + "\"")
            .contains("model=\"" + MODEL + "\"");
    }

    private record Run(int exitCode, String output) {
    }

    private static Run run(List<String> command, Path directory) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            return new Run(-1, command + " did not finish in 3 minutes");
        }
        return new Run(process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

}
