package io.tokenfactory.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The PromQL of the Grafana dashboards (deploy/grafana) and of the alert rules
 * (deploy/kubernetes/base/alert-rules.yaml), and the metric names it reads. Public so
 * that a system test can check every name against what the running services export: no
 * Prometheus runs where these files are checked.
 */
public final class MonitoringQueries {

    /** Found from the working directory, so that any module's tests can use this. */
    private static final Path ROOT = repositoryRoot();

    static final Path GRAFANA = ROOT.resolve("deploy/grafana");

    static final Path ALERT_RULES = ROOT.resolve("deploy/kubernetes/base/alert-rules.yaml");

    /** Prometheus's own, not a service's. */
    private static final Set<String> NOT_EXPORTED = Set.of("up");

    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "offset", "and", "or", "unless", "atan2", "inf", "nan");

    private static final Pattern NAME_MATCHER = Pattern.compile("__name__\\s*=\\s*\"([^\"]*)\"");

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");

    /** ${var}, $var, $__rate_interval and the old [[var]]. */
    private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+|\\[\\[[^\\]]*]]");

    private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^}]*}");

    /** Ranges, subqueries. */
    private static final Pattern BRACKETS = Pattern.compile("\\[[^\\]]*]");

    /** Label lists of aggregations and vector matching. */
    private static final Pattern LABEL_LIST = Pattern
        .compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", Pattern.CASE_INSENSITIVE);

    /** A number or duration (skipped), or a name: a function's when "(" follows it. */
    private static final Pattern TOKEN = Pattern
        .compile("(0[xX][0-9a-fA-F]+|\\d*\\.?\\d+(?:[eE][+-]?\\d+)?[a-zA-Z]*)|([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");

    /** Grafana's variable queries: label_values(metric, label) names a label last. */
    private static final Pattern LABEL_VALUES = Pattern
        .compile("\\s*label_values\\s*\\((?:(.*),)?\\s*[a-zA-Z_][a-zA-Z0-9_]*\\s*\\)\\s*", Pattern.DOTALL);

    private static final Pattern QUERY_RESULT = Pattern.compile("\\s*query_result\\s*\\((.*)\\)\\s*", Pattern.DOTALL);

    private static final Pattern NAMES_ONLY = Pattern.compile("\\s*(?:metrics|label_names)\\s*\\(.*", Pattern.DOTALL);

    private MonitoringQueries() {
    }

    /**
     * Every metric name that the dashboards and the alert rules query, sorted;
     * Prometheus's own {@code up} left out.
     */
    public static Set<String> metricNames() {
        Set<String> names = new TreeSet<>();
        for (Query query : queries()) {
            names.addAll(metricNames(query.expr()));
        }
        return names;
    }

    /** Every PromQL expression, with where it is. */
    static List<Query> queries() {
        List<Query> queries = new ArrayList<>();
        dashboards().forEach((file, dashboard) -> {
            for (JsonNode panel : panels(dashboard)) {
                for (JsonNode target : panel.path("targets").values()) {
                    queries.add(new Query(file + ": panel '" + panel.path("title").asString() + "'",
                            target.path("expr").asString()));
                }
            }
            for (JsonNode variable : dashboard.path("templating").path("list").values()) {
                if (variable.path("type").asString().equals("query")) {
                    queries.add(new Query(file + ": variable " + variable.path("name").asString(),
                            variableExpression(variableQuery(variable))));
                }
            }
        });
        for (Map<String, Object> rule : alertRules()) {
            queries.add(new Query("alert-rules.yaml: " + rule.get("alert"), String.valueOf(rule.get("expr"))));
        }
        return queries;
    }

    /** The dashboards by file name. */
    static Map<String, JsonNode> dashboards() {
        JsonMapper json = JsonMapper.builder().build();
        Map<String, JsonNode> dashboards = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(GRAFANA)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                dashboards.put(file.getFileName().toString(), json.readTree(file));
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dashboards;
    }

    /**
     * A dashboard's panels, those inside collapsed rows too; the rows themselves left
     * out.
     */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels").values()) {
            if (panel.path("type").asString().equals("row")) {
                panels.addAll(panels(panel));
            }
            else {
                panels.add(panel);
            }
        }
        return panels;
    }

    /** The PrometheusRule's rules, every group's. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> alertRules() {
        List<Map<String, Object>> rules = new ArrayList<>();
        Map<String, Object> spec = (Map<String, Object>) alertRuleResource().get("spec");
        for (Map<String, Object> group : (List<Map<String, Object>>) spec.get("groups")) {
            rules.addAll((List<Map<String, Object>>) group.get("rules"));
        }
        return rules;
    }

    /** The PrometheusRule as a whole, for its kind and metadata. */
    static Map<String, Object> alertRuleResource() {
        try {
            return new Yaml().load(Files.readString(ALERT_RULES));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A query variable's query: a string in older dashboards, an object since Grafana 10.
     */
    static String variableQuery(JsonNode variable) {
        JsonNode query = variable.path("query");
        return query.isObject() ? query.path("query").asString() : query.asString();
    }

    /** The PromQL inside a Grafana variable query; empty where it names no metric. */
    static String variableExpression(String query) {
        Matcher labelValues = LABEL_VALUES.matcher(query);
        if (labelValues.matches()) {
            return labelValues.group(1) != null ? labelValues.group(1) : "";
        }
        Matcher queryResult = QUERY_RESULT.matcher(query);
        if (queryResult.matches()) {
            return queryResult.group(1);
        }
        return NAMES_ONLY.matcher(query).matches() ? "" : query;
    }

    /**
     * The metric names that a PromQL expression selects: what is left once strings,
     * Grafana variables, label matchers, ranges, label lists, numbers, keywords and
     * function names are taken out.
     */
    static Set<String> metricNames(String promql) {
        Set<String> names = new TreeSet<>();
        Matcher byName = NAME_MATCHER.matcher(promql);
        while (byName.find()) {
            names.add(byName.group(1));
        }
        String left = STRING.matcher(promql).replaceAll(" ");
        left = GRAFANA_VARIABLE.matcher(left).replaceAll(" ");
        left = LABEL_MATCHERS.matcher(left).replaceAll(" ");
        left = BRACKETS.matcher(left).replaceAll(" ");
        left = LABEL_LIST.matcher(left).replaceAll(" ");
        Matcher token = TOKEN.matcher(left);
        while (token.find()) {
            String name = token.group(2);
            if (name != null && token.group(3) == null && !KEYWORDS.contains(name.toLowerCase(Locale.ROOT))) {
                names.add(name);
            }
        }
        names.removeAll(NOT_EXPORTED);
        return names;
    }

    private static Path repositoryRoot() {
        for (Path directory = Path.of("").toAbsolutePath(); directory != null; directory = directory.getParent()) {
            if (Files.isDirectory(directory.resolve("deploy/grafana"))) {
                return directory;
            }
        }
        throw new IllegalStateException("no deploy/grafana above " + Path.of("").toAbsolutePath());
    }

    /** One PromQL expression and where it is written. */
    record Query(String where, String expr) {
    }

}
