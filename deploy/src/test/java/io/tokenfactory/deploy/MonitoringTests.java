package io.tokenfactory.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;

import io.tokenfactory.deploy.MonitoringQueries.Query;
import io.tokenfactory.localrun.Service;

/**
 * The Grafana dashboards and the alert rules are read here, without a Grafana or a
 * Prometheus: each is well formed, every panel and rule says what an operator needs, and
 * every metric they query is one a service registers or Spring Boot exports. Whether the
 * running services really export each name (suffixes and all) is for the system tests,
 * through {@link MonitoringQueries#metricNames()}.
 */
class MonitoringTests {

    private static final Path ROOT = MonitoringQueries.GRAFANA.getParent().getParent();

    private static final String DATASOURCE = "${datasource}";

    private static final Set<String> PANEL_TYPES = Set.of("timeseries", "stat", "table", "bargauge");

    private static final Set<String> SEVERITIES = Set.of("critical", "warning");

    /**
     * What Spring Boot's actuator exports in every service, beside the services' own
     * meters.
     */
    private static final Set<String> SPRING_BOOT_METRICS = Set.of("http_server_requests_seconds_count",
            "http_server_requests_seconds_sum", "http_server_requests_seconds_max", "process_cpu_usage",
            "jvm_memory_used_bytes");

    /**
     * What Micrometer's Prometheus registry appends to a meter's name: counters' _total,
     * timers' _seconds_*, base units (joules, seconds); longest first.
     */
    private static final List<String> PROMETHEUS_SUFFIXES = List.of("_seconds_bucket", "_seconds_count", "_seconds_sum",
            "_seconds_max", "_joules_total", "_seconds", "_total", "_bucket", "_count", "_sum", "_max", "");

    private static final Pattern METER_NAME = Pattern.compile("\"(tokenfactory(?:\\.[a-z0-9]+)+)\"");

    private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{?(\\w+)");

    @Test
    void extractsMetricNamesFromPromQl() {
        assertThat(MonitoringQueries.metricNames(
                "sum by (model, type) (rate(tokenfactory_inference_tokens_total{model=~\"$model\"}[$__rate_interval]))"))
            .containsExactly("tokenfactory_inference_tokens_total");
        assertThat(MonitoringQueries.metricNames("histogram_quantile(0.95, sum by (le) (rate(a_bucket{x=\"y{z}\", "
                + "w='(b)'}[5m:30s]))) * 1e3 + 0x1F - Inf > bool 0.5"))
            .containsExactly("a_bucket");
        assertThat(MonitoringQueries.metricNames("a / on (node) group_left (source) b offset 1h30m unless c @ start() "
                + "or sum(d) BY (job) and ignoring(pod) e:recorded_rate5m"))
            .containsExactly("a", "b", "c", "d", "e:recorded_rate5m");
        assertThat(MonitoringQueries.metricNames("absent(up{job=\"gateway\"}) or vector(0)")).isEmpty();
        assertThat(
                MonitoringQueries.metricNames("{__name__=\"f_total\", job=~\"${service}\"} + topk(5, g[${__range}])"))
            .containsExactly("f_total", "g");
        assertThat(MonitoringQueries
            .metricNames(MonitoringQueries.variableExpression("label_values(h_total{x=~\"$y\"}, department)")))
            .containsExactly("h_total");
        assertThat(MonitoringQueries.variableExpression("label_values(job)")).isEmpty();
    }

    @Test
    void namesTheServicesMetricsInTheDashboardsAndTheRules() {
        Set<String> names = MonitoringQueries.metricNames();
        assertThat(names).as("metric names of the dashboards and alert rules")
            .contains("tokenfactory_inference_tokens_total", "tokenfactory_metering_tokens_per_joule",
                    "tokenfactory_events_dead_letters_waiting", "tokenfactory_inference_node_energy_gaps_total",
                    "tokenfactory_billing_department_spend", "tokenfactory_billing_department_budget",
                    "tokenfactory_billing_cost_per_million_tokens", "tokenfactory_events_outbox_pending",
                    "tokenfactory_events_outbox_oldest_seconds",
                    "tokenfactory_inference_node_energy_reading_age_seconds", "http_server_requests_seconds_count")
            .doesNotContain("up", "sum", "rate", "by", "job", "model", "le");
        assertThat(names).as("metric names").allMatch(name -> name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*"));
        for (String source : List.of("factory-overview.json", "service-red.json", "alert-rules.yaml")) {
            assertThat(MonitoringQueries.queries().stream().filter(query -> query.where().startsWith(source)))
                .as("queries of %s", source)
                .isNotEmpty()
                .allSatisfy(query -> assertThat(query.expr()).as(query.where()).isNotBlank());
        }
    }

    @Test
    void queriesOnlyMetersTheServicesRegisterOrSpringBootExports() throws IOException {
        Set<String> registered = registeredMeterNames();
        assertThat(registered).as("meter names registered in the services' code").isNotEmpty();
        List<String> unknown = new ArrayList<>();
        for (Query query : MonitoringQueries.queries()) {
            for (String name : MonitoringQueries.metricNames(query.expr())) {
                if (!SPRING_BOOT_METRICS.contains(name) && !registered.contains(meterName(name, registered))) {
                    unknown.add(query.where() + ": " + name);
                }
            }
        }
        assertThat(unknown).as("metrics that no service registers (tokenfactory.*) and Spring Boot does not export")
            .isEmpty();
    }

    @Test
    void givesEveryDashboardAUniqueUidAndEveryPanelATitleAndTheDatasourceVariable() {
        Map<String, JsonNode> dashboards = MonitoringQueries.dashboards();
        assertThat(dashboards.keySet()).as("dashboards in deploy/grafana")
            .contains("factory-overview.json", "service-red.json");
        Set<String> uids = new HashSet<>();
        dashboards.forEach((file, dashboard) -> {
            String uid = dashboard.path("uid").asString();
            assertThat(uid).as("%s: uid", file).isNotBlank();
            assertThat(uids.add(uid)).as("%s: uid %s is unique", file, uid).isTrue();
            assertThat(dashboard.path("title").asString()).as("%s: title", file).isNotBlank();
            assertThat(dashboard.path("schemaVersion").asInt()).as("%s: schemaVersion", file)
                .isGreaterThanOrEqualTo(39);

            List<JsonNode> variables = new ArrayList<>(dashboard.path("templating").path("list").values());
            assertThat(variables).as("%s: a Prometheus datasource variable named datasource", file)
                .anySatisfy(variable -> {
                    assertThat(variable.path("name").asString()).isEqualTo("datasource");
                    assertThat(variable.path("type").asString()).isEqualTo("datasource");
                    assertThat(variable.path("query").asString()).isEqualTo("prometheus");
                });
            for (JsonNode variable : variables) {
                if (variable.path("type").asString().equals("query")) {
                    assertThat(variable.path("datasource").path("uid").asString())
                        .as("%s: datasource of variable %s", file, variable.path("name").asString())
                        .isEqualTo(DATASOURCE);
                }
            }

            Set<Integer> ids = new HashSet<>();
            Set<String> cells = new HashSet<>();
            for (JsonNode panel : MonitoringQueries.panels(dashboard)) {
                String title = panel.path("title").asString();
                String where = file + ": panel '" + title + "'";
                assertThat(title).as("%s: a panel's title", file).isNotBlank();
                assertThat(ids.add(panel.path("id").asInt())).as("%s: id is unique", where).isTrue();
                assertThat(panel.path("type").asString()).as("%s: type", where).isIn(PANEL_TYPES);
                assertThat(panel.path("datasource").path("type").asString()).as("%s: datasource type", where)
                    .isEqualTo("prometheus");
                assertThat(panel.path("datasource").path("uid").asString()).as("%s: datasource", where)
                    .isEqualTo(DATASOURCE);
                JsonNode grid = panel.path("gridPos");
                int x = grid.path("x").asInt();
                int y = grid.path("y").asInt();
                int w = grid.path("w").asInt();
                int h = grid.path("h").asInt();
                assertThat(w).as("%s: gridPos width", where).isBetween(1, 24);
                assertThat(h).as("%s: gridPos height", where).isPositive();
                assertThat(x).as("%s: gridPos x", where).isBetween(0, 24 - w);
                assertThat(y).as("%s: gridPos y", where).isNotNegative();
                for (int column = x; column < x + w; column++) {
                    for (int line = y; line < y + h; line++) {
                        assertThat(cells.add(column + "," + line))
                            .as("%s: overlaps another panel at x %d, y %d", where, column, line)
                            .isTrue();
                    }
                }
                assertThat(panel.path("targets").values()).as("%s: targets", where).isNotEmpty().allSatisfy(target -> {
                    assertThat(target.path("expr").asString()).as("%s: expr", where).isNotBlank();
                    assertThat(target.path("datasource").path("uid").asString(DATASOURCE))
                        .as("%s: target datasource", where)
                        .isEqualTo(DATASOURCE);
                });
            }
        });
    }

    @Test
    void usesOnlyVariablesTheDashboardDefines() {
        MonitoringQueries.dashboards().forEach((file, dashboard) -> {
            Set<String> defined = new HashSet<>();
            dashboard.path("templating").path("list").values().forEach(v -> defined.add(v.path("name").asString()));
            List<String> queries = new ArrayList<>();
            MonitoringQueries.panels(dashboard)
                .forEach(panel -> panel.path("targets").values().forEach(t -> queries.add(t.path("expr").asString())));
            dashboard.path("templating")
                .path("list")
                .values()
                .stream()
                .filter(variable -> variable.path("type").asString().equals("query"))
                .forEach(variable -> queries.add(MonitoringQueries.variableQuery(variable)));
            for (String query : queries) {
                Matcher variable = GRAFANA_VARIABLE.matcher(query);
                while (variable.find()) {
                    // $__rate_interval, $__range and the like are Grafana's own
                    assertThat(variable.group(1)).as("%s: variable in %s", file, query)
                        .matches(name -> name.startsWith("__") || defined.contains(name), "defined");
                }
            }
        });
    }

    @Test
    void givesEveryAlertASeveritySummaryDescriptionAndRunbook() {
        Map<String, Object> resource = MonitoringQueries.alertRuleResource();
        assertThat(resource.get("apiVersion")).as("alert-rules.yaml apiVersion").isEqualTo("monitoring.coreos.com/v1");
        assertThat(resource.get("kind")).as("alert-rules.yaml kind").isEqualTo("PrometheusRule");
        List<Map<String, Object>> rules = MonitoringQueries.alertRules();
        assertThat(rules).as("alert rules").isNotEmpty();
        Set<String> alerts = new HashSet<>();
        for (Map<String, Object> rule : rules) {
            String alert = String.valueOf(rule.get("alert"));
            assertThat(alert).as("alert name").matches("TokenFactory[A-Za-z]+");
            assertThat(alerts.add(alert)).as("%s is unique", alert).isTrue();
            assertThat(String.valueOf(rule.get("expr"))).as("%s: expr", alert).isNotBlank();
            assertThat(stringMap(rule.get("labels"))).as("%s: labels", alert)
                .hasEntrySatisfying("severity", severity -> assertThat(severity).isIn(SEVERITIES));
            Map<String, String> annotations = stringMap(rule.get("annotations"));
            assertThat(annotations).as("%s: annotations", alert)
                .hasEntrySatisfying("summary", summary -> assertThat(summary).isNotBlank())
                .hasEntrySatisfying("description", description -> assertThat(description).isNotBlank())
                // docs/operations.md has a section per alert, its anchor the alert's name
                .containsEntry("runbook_url", "docs/operations.md#" + alert.toLowerCase(Locale.ROOT));
        }
        assertThat(alerts).as("alerts")
            .contains("TokenFactoryServiceDown", "TokenFactoryDeadLettersWaiting", "TokenFactoryOutboxBacklog",
                    "TokenFactoryUsageBacklog", "TokenFactoryBudgetExceeded", "TokenFactoryEnergyMeterSilent");
    }

    @Test
    void watchesEveryServiceByItsJob() {
        Map<String, String> exprs = new HashMap<>();
        MonitoringQueries.alertRules()
            .forEach(rule -> exprs.put(String.valueOf(rule.get("alert")), String.valueOf(rule.get("expr"))));
        JsonNode serviceVariable = MonitoringQueries.dashboards()
            .get("service-red.json")
            .path("templating")
            .path("list")
            .values()
            .stream()
            .filter(variable -> variable.path("name").asString().equals("service"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("service-red.json: no variable named service"));
        for (Service service : Service.ALL) {
            // the ServiceMonitors' job label is the Kubernetes Service's name
            assertThat(exprs.get("TokenFactoryServiceDown")).as("TokenFactoryServiceDown: up of %s", service.name())
                .containsPattern("up\\{job=~\"[^\"]*\\b" + Pattern.quote(service.name()) + "\\b");
            assertThat(exprs.get("TokenFactoryServiceAbsent")).as("TokenFactoryServiceAbsent")
                .contains("absent(up{job=\"" + service.name() + "\"})");
            assertThat(serviceVariable.path("regex").asString()).as("service-red.json: regex of variable service")
                .containsPattern("[(|]" + Pattern.quote(service.name()) + "[|)]");
        }
    }

    @Test
    void listsTheAlertRulesInTheBase() throws IOException {
        Map<String, Object> kustomization = new Yaml()
            .load(Files.readString(ROOT.resolve("deploy/kubernetes/base/kustomization.yaml")));
        assertThat(String.valueOf(kustomization.get("resources"))).as("base/kustomization.yaml resources")
            .contains("alert-rules.yaml");
    }

    /**
     * The meter name a Prometheus name comes from, among those registered: the name
     * without the suffix Micrometer gave it, dots for underscores.
     */
    private static String meterName(String prometheusName, Set<String> registered) {
        for (String suffix : PROMETHEUS_SUFFIXES) {
            if (prometheusName.endsWith(suffix)) {
                String candidate = prometheusName.substring(0, prometheusName.length() - suffix.length())
                    .replace('_', '.');
                if (registered.contains(candidate)) {
                    return candidate;
                }
            }
        }
        return prometheusName;
    }

    /** Every "tokenfactory.*" string in the main code, meter names among them. */
    private static Set<String> registeredMeterNames() throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> modules = Files.list(ROOT)) {
            for (Path sources : modules.map(module -> module.resolve("src/main/java"))
                .filter(Files::isDirectory)
                .toList()) {
                try (Stream<Path> files = Files.walk(sources)) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                        Matcher name = METER_NAME.matcher(Files.readString(file));
                        while (name.find()) {
                            names.add(name.group(1));
                        }
                    }
                }
            }
        }
        return names;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> stringMap(Object value) {
        assertThat(value).as("a YAML mapping").isInstanceOf(Map.class);
        Map<String, String> strings = new LinkedHashMap<>();
        ((Map<String, Object>) value).forEach((key, entry) -> strings.put(key, String.valueOf(entry)));
        return strings;
    }

}
