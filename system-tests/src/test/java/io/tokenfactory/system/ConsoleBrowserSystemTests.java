package io.tokenfactory.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import javax.sql.DataSource;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.contracts.UsageMetered;
import io.tokenfactory.contracts.UsageOutcome;
import io.tokenfactory.contracts.UsageRecorded;
import io.tokenfactory.support.events.CloudEventMessages;
import io.tokenfactory.testsupport.HttpTestClient;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.http.ResponseEntity;

import tools.jackson.databind.JsonNode;

/**
 * The admin console in a real browser (Debian's headless Chromium and its chromedriver)
 * against the real five services: signing in, a live number changing after traffic,
 * pausing and resuming an agent, downloading a statement, and a department key that
 * cannot see another department. Screenshots of the main pages are kept in
 * {@code target/console-screenshots} (the README shows them).
 */
class ConsoleBrowserSystemTests {

    /** What a department's people hold: every department scope. */
    private static final List<String> DEPARTMENT_SCOPES = List.of("inference", "usage:read", "agents:read",
            "agents:write", "billing:read");

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private static ChromeDriver browser;

    private static WholeFactory factory;

    private static Path downloads;

    private static int gatewayPort;

    private static String adminKey;

    private static HttpTestClient admin;

    @BeforeAll
    static void startTheFactoryAndABrowser() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver (.ci/run installs them)");
        factory = WholeFactory.get();
        gatewayPort = factory.gatewayPort;
        adminKey = factory.adminKey;
        admin = factory.admin();

        downloads = Files.createTempDirectory("tf-console-downloads");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1366,900", "--user-data-dir=" + Files.createTempDirectory("tf-chromium"));
        options.setExperimentalOption("prefs",
                Map.of("download.default_directory", downloads.toString(), "download.prompt_for_download", false));
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build(), options);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stopTheBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void operatorsAndDepartmentsSeeTheFactoryLiveAndRunIt() throws IOException {
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        factory.seedPrices();
        UUID research = factory.department("Research " + suffix, "CC-R" + suffix);
        UUID support = factory.department("Support " + suffix, "CC-S" + suffix);
        // support is shown its usage, not charged for it
        assertThat(
                admin
                    .put("/api/billing/departments/" + support,
                            Map.of("name", "Support " + suffix, "costCentreCode", "CC-S" + suffix, "monthlyBudget",
                                    "100", "billingMode", "SHOWBACK"))
                    .getStatusCode())
            .isEqualTo(HttpStatus.OK);
        String researchKey = factory.key(research, DEPARTMENT_SCOPES).secret();
        String supportKey = factory.key(support, DEPARTMENT_SCOPES).secret();
        String agentName = "scout-" + suffix;
        ResponseEntity<JsonNode> agent = admin.post("/api/agents",
                Map.of("name", agentName, "departmentId", research, "model", "byte-lm-moby", "instructions",
                        "Note one idea.", "tools", List.of(), "trigger",
                        Map.of("kind", "LOOP", "intervalSeconds", 3600)));
        assertThat(agent.getStatusCode()).as("%s", agent.getBody()).isEqualTo(HttpStatus.CREATED);
        admin.post("/api/agents/" + agent.getBody().get("id").asString() + "/activate", null);

        // a wrong key is refused with a readable message, and nothing else appears
        browser.get("http://localhost:" + gatewayPort + "/console");
        waitFor(By.id("api-key")).sendKeys("tf_not-a-real-key");
        browser.findElement(By.cssSelector("#sign-in-form button[type=submit]")).click();
        await().atMost(PATIENCE)
            .ignoreExceptions()
            .until(() -> browser.findElement(By.id("error")).getText().contains("unknown, revoked or expired"));
        assertThat(browser.findElement(By.id("view")).isDisplayed()).isFalse();

        // sign in as an administrator: the factory page shows live numbers
        signIn(adminKey);
        waitFor(By.cssSelector("[data-testid=tokens-total]"));
        await().atMost(PATIENCE).ignoreExceptions().until(() -> !text("tokens-total").isEmpty());
        long before = tokens(text("tokens-total"));
        HttpTestClient research1 = HttpTestClient.onPort(gatewayPort).withToken(researchKey);
        for (int i = 0; i < 3; i++) {
            ResponseEntity<JsonNode> answer = research1.post("/v1/chat/completions", Map.of("model", "byte-lm-moby",
                    "max_tokens", 20, "messages", List.of(Map.of("role", "user", "content", "Call me Ishmael."))));
            assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.OK);
        }
        // and the simulated GPU node's model, whose joules are read from its DCGM-format
        // counters
        assertThat(research1.post("/v1/chat/completions",
                Map.of("model", "simulated-llm", "max_tokens", 20, "messages",
                        List.of(Map.of("role", "user", "content", "Call me Ishmael."))))
            .getStatusCode()).isEqualTo(HttpStatus.OK);
        // metered, then shown at the page's next refresh, without a reload
        await().atMost(PATIENCE).ignoreExceptions().until(() -> tokens(text("tokens-total")) > before);
        await().atMost(PATIENCE).ignoreExceptions().until(() -> !text("tokens-per-joule").equals("–"));
        // carbon per token: a figure where an intensity is set, else why there is none
        await().atMost(PATIENCE)
            .ignoreExceptions()
            .until(() -> text("carbon-per-thousand").matches("[0-9.,]+")
                    || text("no-carbon-intensity").equals("no carbon intensity set"));
        // every energy figure says where it came from, and an estimate is never shown as
        // a measurement
        await().atMost(PATIENCE)
            .ignoreExceptions()
            .until(() -> !browser
                .findElements(
                        By.cssSelector("[data-testid=models-table] [data-testid=energy-source][data-source=DCGM]"))
                .isEmpty()
                    && !browser.findElements(By.cssSelector("[data-testid=models-table] [data-source=ESTIMATED]"))
                        .isEmpty());
        await().atMost(PATIENCE)
            .ignoreExceptions()
            .until(() -> browser.findElement(By.cssSelector("[data-testid=models-table] [data-source=DCGM]"))
                .getText()
                .equals("measured · DCGM")
                    && browser.findElement(By.cssSelector("[data-testid=models-table] [data-source=ESTIMATED]"))
                        .getText()
                        .equals("estimated")
                    && text("energy-warning").contains("estimated from CPU time"));
        await().atMost(PATIENCE).ignoreExceptions().until(() -> text("nodes-table").contains("simulated-gpu-node"));
        // administrators set power caps beside the nodes, and have a Capacity page
        waitFor(By.cssSelector("[data-testid=power-cap-form]"));
        assertThat(browser.findElement(By.cssSelector("nav button[data-page=capacity]")).isDisplayed()).isTrue();
        screenshot("factory");
        // a narrow window: everything wraps, nothing runs off the side
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(420, 900));
        await().atMost(PATIENCE)
            .ignoreExceptions()
            .until(() -> ((Number) browser
                .executeScript("return document.documentElement.scrollWidth - window.innerWidth")).intValue() <= 0);
        screenshot("factory-narrow");
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(1366, 900));

        // capacity: which nodes and deployments earn their power, from the request log
        navigate("capacity");
        await().atMost(PATIENCE)
            .ignoreExceptions()
            .until(() -> text("capacity-nodes").contains("simulated-gpu-node")
                    && text("capacity-deployments").contains("simulated-llm"));
        screenshot("capacity");

        // departments: spend against budget
        navigate("departments");
        WebElement departments = waitFor(By.cssSelector("[data-testid=departments-table]"));
        await().atMost(PATIENCE).ignoreExceptions().until(() -> departments.getText().contains("Research " + suffix));
        await().atMost(PATIENCE)
            .ignoreExceptions()
            .until(() -> browser
                .findElement(By.xpath("//table[@data-testid='departments-table']//tr[.//button[text()='Support "
                        + suffix + "']]//*[@data-testid='billing-mode']"))
                .getText()
                .equals("Showback"));
        // its budgets as the gateway holds them at the door
        By researchButton = By
            .xpath("//table[@data-testid='departments-table']//button[text()='Research " + suffix + "']");
        click(researchButton);
        // the details are read once per click: a person who finds them not yet there
        // opens them again
        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(3)).ignoreExceptions().until(() -> {
            if (text("budgets-table").contains("department: Research " + suffix)
                    && text("budgets-table").contains("WARN_ONLY")) {
                return true;
            }
            click(researchButton);
            return false;
        });
        screenshot("departments");

        // agents: pause and resume from the page
        navigate("agents");
        click(By.cssSelector("[data-testid='pause-" + agentName + "']"));
        await().atMost(PATIENCE).ignoreExceptions().until(() -> rowOf(agentName).contains("PAUSED"));
        click(By.cssSelector("[data-testid='resume-" + agentName + "']"));
        await().atMost(PATIENCE).ignoreExceptions().until(() -> rowOf(agentName).contains("ACTIVE"));
        click(By.cssSelector("[data-testid='open-" + agentName + "']"));
        waitFor(By.cssSelector("[data-testid=runs-table]"));
        screenshot("agents");
        // an edit is a new version
        WebElement instructions = waitFor(By.cssSelector("[data-testid=edit-agent] input[name=instructions]"));
        instructions.clear();
        instructions.sendKeys("Note two ideas.");
        click(By.cssSelector("[data-testid=edit-agent] button[type=submit]"));
        await().atMost(PATIENCE)
            .ignoreExceptions()
            .until(() -> browser.findElement(By.id("notice")).getText().contains("version 2"));
        JsonNode edited = admin.get("/api/agents/" + agent.getBody().get("id").asString()).getBody();
        assertThat(edited.get("version").asInt()).isEqualTo(2);
        assertThat(edited.at("/definition/instructions").asString()).isEqualTo("Note two ideas.");

        // usage explorer
        navigate("usage");
        WebElement usage = waitFor(By.cssSelector("[data-testid=usage-table]"));
        await().atMost(PATIENCE).ignoreExceptions().until(() -> usage.getText().contains("byte-lm-moby"));
        click(By.cssSelector("[data-testid=usage-csv]"));
        await().atMost(PATIENCE).ignoreExceptions().until(() -> Files.exists(downloads.resolve("usage.csv")));
        assertThat(Files.readString(downloads.resolve("usage.csv"))).contains("byte-lm-moby");
        screenshot("usage");

        // statements: last month closed, a statement downloaded as PDF
        String lastMonth = YearMonth.now(ZoneOffset.UTC).minusMonths(1).toString();
        usageLastMonth(research);
        ResponseEntity<JsonNode> closed = admin.post("/api/billing/periods/" + lastMonth + "/close", null);
        assertThat(closed.getStatusCode()).isIn(HttpStatus.OK, HttpStatus.CREATED, HttpStatus.CONFLICT);
        navigate("statements");
        WebElement statements = waitFor(By.cssSelector("[data-testid=statements-table]"));
        await().atMost(PATIENCE)
            .ignoreExceptions()
            .until(() -> !statements.findElements(By.cssSelector("button[data-testid^=pdf-]")).isEmpty());
        statements.findElements(By.cssSelector("button[data-testid^=pdf-]")).get(0).click();
        await().atMost(PATIENCE).ignoreExceptions().until(() -> pdfs().findFirst().isPresent());
        assertThat(Files.readAllBytes(pdfs().findFirst().orElseThrow())).startsWith("%PDF".getBytes());
        screenshot("statements");
        // the statement says where its kWh came from, in JSON and in CSV
        JsonNode researchStatements = admin
            .get("/api/billing/statements?period=" + lastMonth + "&department=" + research)
            .getBody();
        assertThat(researchStatements).hasSize(1);
        String statementId = researchStatements.get(0).get("id").asString();
        assertThat(admin.get("/api/billing/statements/" + statementId).getBody().get("lines")).anySatisfy(line -> {
            assertThat(line.get("energySource").asString()).isEqualTo("RAPL");
            assertThat(line.get("energyLabel").asString()).isEqualTo("measured (RAPL)");
        });
        assertThat(admin.getText("/api/billing/statements/" + statementId + "/csv").getBody())
            .contains("measured (RAPL)");

        // webhooks: a subscription made in the page, its secret shown once, a test
        // delivery logged
        navigate("webhooks");
        WebElement url = waitFor(By.cssSelector("[data-testid=webhook-form] input[name=url]"));
        url.sendKeys("http://127.0.0.1:9/console-test-hook");
        click(By.cssSelector("[data-testid=webhook-form] button[type=submit]"));
        assertThat(waitFor(By.cssSelector("[data-testid=new-webhook-secret]")).getText()).isNotBlank();
        await().atMost(PATIENCE)
            .ignoreExceptions()
            .until(() -> text("webhooks-table").contains("http://127.0.0.1:9/console-test-hook"));
        browser.findElements(By.cssSelector("button[data-testid^=test-webhook-]")).get(0).click();
        await().atMost(PATIENCE).ignoreExceptions().until(() -> text("webhook-deliveries").contains("PING"));
        screenshot("webhooks");

        // reconciliation: what was served, metered and billed, per department and model
        navigate("reconciliation");
        WebElement reconciled = waitFor(By.cssSelector("[data-testid=reconciliation-rows]"));
        await().atMost(PATIENCE).ignoreExceptions().until(() -> reconciled.getText().contains("simulated-llm"));
        screenshot("reconciliation");

        // keys: a key's cost tags are shown beside it
        String taggedKey = "tagged " + suffix;
        ResponseEntity<JsonNode> tagged = admin.post("/api/keys", Map.of("name", taggedKey, "departmentId", research,
                "scopes", List.of("inference"), "tags", Map.of("team", "search")));
        assertThat(tagged.getStatusCode()).as("%s", tagged.getBody()).isEqualTo(HttpStatus.CREATED);
        navigate("keys");
        waitFor(By.cssSelector("[data-testid=keys-table]"));
        await().atMost(PATIENCE)
            .ignoreExceptions()
            .until(() -> browser.findElement(By.xpath("//table[@data-testid='keys-table']//tr[td[text()='" + taggedKey
                    + "']]" + "//*[@data-testid='key-tags']"))
                .getText()
                .equals("team: search"));
        screenshot("keys");

        // dead letters: every consuming service answers through the gateway
        navigate("dead-letters");
        waitFor(By.cssSelector("[data-testid=dead-letters-table]"));
        for (String area : List.of("gateway", "agents", "metering", "billing")) {
            waitFor(By.cssSelector("[data-testid=dead-letters-waiting-" + area + "]"));
        }
        assertThat(browser.findElements(By.cssSelector("#view .warning"))).isEmpty();
        screenshot("dead-letters");

        // the audit trail of every service: the keys, departments and agents this test
        // made, with who made them
        navigate("audit");
        WebElement trail = waitFor(By.cssSelector("[data-testid=audit-table]"));
        await().atMost(PATIENCE)
            .ignoreExceptions()
            .until(() -> trail.getText().contains("key.issued") && trail.getText().contains("department.created")
                    && trail.getText().contains("agent.created"));
        screenshot("audit");

        // a department key sees its own department only
        click(By.id("sign-out"));
        signIn(supportKey);
        await().atMost(PATIENCE)
            .ignoreExceptions()
            .until(() -> text("who").contains(support.toString().substring(0, 8)));
        navigate("departments");
        WebElement own = waitFor(By.cssSelector("[data-testid=departments-table]"));
        await().atMost(PATIENCE).ignoreExceptions().until(() -> own.getText().contains("Support " + suffix));
        assertThat(own.getText()).doesNotContain("Research " + suffix);
        assertThat(browser.findElements(By.cssSelector("nav button[data-page=keys]")).get(0).isDisplayed()).isFalse();
        navigate("agents");
        waitFor(By.cssSelector("[data-testid=agents-table]"));
        await().atMost(PATIENCE).ignoreExceptions().until(() -> text("agents-table").contains("Nothing yet."));
        assertThat(text("agents-table")).doesNotContain(agentName);
        // asking for the other department's figures directly is refused, and the page
        // says so
        browser.executeScript("location.hash = 'departments'");
        Object refused = browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch('/api/billing/departments/" + research + "/spend', {headers: {Authorization: 'Bearer "
                + supportKey + "'}}).then(r => done(r.status));");
        assertThat(((Number) refused).intValue()).isEqualTo(403);

        // a key that may only call the models sees no page it could not use
        click(By.id("sign-out"));
        signIn(factory.key(support, List.of("inference")).secret());
        await().atMost(PATIENCE)
            .ignoreExceptions()
            .until(() -> text("who").contains(support.toString().substring(0, 8)));
        for (String page : List.of("departments", "agents", "usage", "statements", "webhooks", "keys", "audit")) {
            assertThat(browser.findElement(By.cssSelector("nav button[data-page=" + page + "]")).isDisplayed())
                .as("the %s page for an inference-only key", page)
                .isFalse();
        }
        assertThat(browser.findElement(By.cssSelector("nav button[data-page=capacity]")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.cssSelector("nav button[data-page=factory]")).isDisplayed()).isTrue();
    }

    @Test
    void aPersonSignsInWithTheOrganisationsAccountAndSeesTheirDepartmentOnly() throws IOException {
        browser.get("http://localhost:" + gatewayPort + "/console");
        browser.executeScript("sessionStorage.clear()");
        browser.get("http://localhost:" + gatewayPort + "/console");

        // the console sends the person to the identity provider's own sign-in page ...
        click(By.id("sso-sign-in"));
        waitFor(By.name("username")).sendKeys("ada");
        browser.findElement(By.name("password")).sendKeys(TestIdentityProvider.PASSWORD);
        browser.findElement(By.cssSelector("button[type=submit]")).click();

        // ... and takes them back, signed in as themselves, a member of the department
        // their group names
        String research = factory.ssoResearch.toString().substring(0, 8);
        await().atMost(PATIENCE)
            .ignoreExceptions()
            .until(() -> text("who").contains("ada") && text("who").contains(research));
        assertThat(browser.getCurrentUrl()).doesNotContain("code=");
        navigate("departments");
        WebElement own = waitFor(By.cssSelector("[data-testid=departments-table]"));
        await().atMost(PATIENCE).ignoreExceptions().until(() -> own.getText().contains("SSO Research"));
        assertThat(own.getText()).doesNotContain("SSO Support");
        assertThat(browser.findElements(By.cssSelector("nav button[data-page=keys]")).get(0).isDisplayed()).isFalse();
        screenshot("signed-in-with-sso");
        assertThat(admin.get("/api/audit?action=person.signed-in&actor=ada").getBody().size()).isPositive();
        click(By.id("sign-out"));
    }

    @Test
    void theApiDocsShowEveryEndpointOfTheMergedDescription() throws IOException {
        JsonNode description = HttpTestClient.onPort(gatewayPort).get("/api/openapi.json").getBody();
        int operations = 0;
        for (JsonNode path : description.get("paths")) {
            for (String method : path.propertyNames()) {
                operations += List.of("get", "put", "post", "delete", "patch").contains(method) ? 1 : 0;
            }
        }
        int described = operations;

        // Swagger UI under the gateway's CSP: scripts and styles from the gateway only
        browser.get("http://localhost:" + gatewayPort + "/api/docs");

        await().atMost(PATIENCE)
            .ignoreExceptions()
            .until(() -> browser.findElements(By.cssSelector(".opblock")).size() == described);
        assertThat(described).isGreaterThan(100);
        assertThat(browser.findElement(By.cssSelector(".info .title")).getText()).contains("Token Factory API");
        assertThat(browser.findElements(By.cssSelector(".opblock-summary-path"))
            .stream()
            .map(WebElement::getText)
            .map(path -> path.replace("\u200b", ""))).contains("/v1/chat/completions",
                    "/api/billing/statements/{id}/pdf", "/api/dead-letters/metering/{id}/replay");
        screenshot("api-docs");
    }

    /**
     * Last month's metered usage of a department, as metering-service reports it (so the
     * month has a statement).
     */
    private static void usageLastMonth(UUID department) {
        Instant at = YearMonth.now(ZoneOffset.UTC).minusMonths(1).atDay(15).atStartOfDay().toInstant(ZoneOffset.UTC);
        UsageRecorded usage = new UsageRecorded(UUID.randomUUID(), at, "req-" + UUID.randomUUID(), department,
                UUID.randomUUID(), null, null, "byte-lm-moby", "djl", "node-1", "cpu0", 600, 400,
                UsageOutcome.COMPLETED, 900, 80, 36.0, EnergySource.RAPL, 0.5, false, null, 0.0);
        UsageMetered metered = new UsageMetered(UUID.randomUUID(), Instant.now(), department,
                List.of(new UsageMetered.Item(usage, new BigDecimal("36.0"), BigDecimal.ZERO, BigDecimal.ONE)));
        assertThat(factory.billing.bean(StreamBridge.class)
            .send("tokenfactory.usage-metered",
                    CloudEventMessages.toMessage(metered, "urn:tokenfactory:metering-service")))
            .isTrue();
        JdbcTemplate billing = new JdbcTemplate(factory.billing.bean(DataSource.class));
        await().atMost(PATIENCE)
            .ignoreExceptions()
            .until(() -> billing.queryForObject("SELECT count(*) FROM usage_charge WHERE usage_event_id = ?",
                    Long.class, usage.eventId()) == 1);
    }

    private static void signIn(String key) {
        browser.get("http://localhost:" + gatewayPort + "/console");
        WebElement field = waitFor(By.id("api-key"));
        field.sendKeys(key);
        browser.findElement(By.cssSelector("#sign-in-form button[type=submit]")).click();
        waitFor(By.cssSelector("#view[data-page]"));
    }

    private static void navigate(String page) {
        click(By.cssSelector("nav button[data-page=" + page + "]"));
        await().atMost(PATIENCE)
            .ignoreExceptions()
            .until(() -> page.equals(browser.findElement(By.id("view")).getAttribute("data-page")));
        assertThat(browser.findElement(By.id("error")).isDisplayed())
            .as("error on %s: %s", page, browser.findElement(By.id("error")).getText())
            .isFalse();
    }

    private static void click(By target) {
        waitFor(target).click();
    }

    private static WebElement waitFor(By target) {
        await().atMost(PATIENCE).ignoreExceptions().until(() -> browser.findElement(target).isDisplayed());
        return browser.findElement(target);
    }

    /**
     * The element's text now; empty while the page is redrawing it (live pages replace
     * their elements).
     */
    private static String text(String testId) {
        try {
            List<WebElement> found = browser.findElements(By.cssSelector("[data-testid=" + testId + "]"));
            return found.isEmpty() ? "" : found.get(0).getText().trim();
        }
        catch (StaleElementReferenceException redrawn) {
            return "";
        }
    }

    private static String rowOf(String agentName) {
        try {
            return browser.findElement(By.cssSelector("[data-testid='open-" + agentName + "']"))
                .findElement(By.xpath("./ancestor::tr"))
                .getText();
        }
        catch (StaleElementReferenceException | org.openqa.selenium.NoSuchElementException redrawn) {
            return "";
        }
    }

    private static long tokens(String shown) {
        String digits = shown.replaceAll("[^0-9]", "");
        return digits.isEmpty() ? -1 : Long.parseLong(digits);
    }

    private static Stream<Path> pdfs() throws IOException {
        return Files.list(downloads).filter(file -> file.toString().endsWith(".pdf"));
    }

    private static void screenshot(String page) throws IOException {
        Files.write(SCREENSHOTS.resolve(page + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

}
