package io.tokenfactory.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import io.tokenfactory.localrun.BrokerUsers;
import io.tokenfactory.localrun.Service;

/**
 * No cluster runs where the tests run, so the Kustomize manifests under deploy/kubernetes
 * are checked by reading them: every service has its Deployment, Service, autoscaler and
 * disruption budget, on the port, probes and variables that the service's own
 * configuration expects, and each overlay patches only what the base has.
 */
class KubernetesManifestTests {

    /** The repository: tests run in the module's directory, deploy/. */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static final Path KUBERNETES = ROOT.resolve("deploy/kubernetes");

    private static final Path BASE = KUBERNETES.resolve("base");

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(TF_[A-Z_]+)");

    /**
     * Read by the JVM or Spring Boot themselves rather than through a ${TF_...}
     * placeholder.
     */
    private static final Set<String> STANDARD_VARIABLES = Set.of("JAVA_TOOL_OPTIONS", "SPRING_PROFILES_ACTIVE");

    /** Variables that hold secrets, which only a Secret may set. */
    private static final Pattern SECRET_VARIABLE = Pattern.compile("TF_.*(PASSWORD|PEPPER|JWK|_KEY)");

    private static final String PLACEHOLDER = "REPLACE_ME";

    private static final String NAME_LABEL = "app.kubernetes.io/name";

    private static final String LIVENESS = "/actuator/health/liveness";

    private static final String READINESS = "/actuator/health/readiness";

    private static final String PROMETHEUS = "/actuator/prometheus";

    private static Manifests base;

    private static String sharedDefaults;

    @BeforeAll
    static void readManifests() throws IOException {
        base = Manifests.read(BASE);
        sharedDefaults = Files
            .readString(ROOT.resolve("service-support/src/main/resources/tokenfactory-service-defaults.yml"));
    }

    @Test
    void listsEveryManifestOfTheBaseAndOnlyFilesThatExist() throws IOException {
        List<String> listed = strings(kustomization(BASE).get("resources"));
        assertThat(listed).as("resources of base/kustomization.yaml").isNotEmpty().doesNotHaveDuplicates();
        for (String resource : listed) {
            assertThat(BASE.resolve(resource)).as("base/kustomization.yaml lists %s", resource).isRegularFile();
        }
        try (Stream<Path> files = Files.list(BASE)) {
            List<String> manifests = files.map(file -> file.getFileName().toString())
                .filter(file -> file.endsWith(".yaml") && !file.equals("kustomization.yaml"))
                .toList();
            assertThat(listed).as("base/kustomization.yaml resources (every manifest in base/ must be listed)")
                .containsAll(manifests);
        }
    }

    @Test
    void givesEveryServiceADeploymentServiceAutoscalerAndDisruptionBudgetOnItsPodLabels() {
        for (Service service : Service.ALL) {
            String name = service.name();
            Map<String, Object> deployment = base.get("Deployment", name);
            Map<String, String> selector = stringMap(path(deployment, "spec", "selector", "matchLabels"));
            Map<String, String> podLabels = stringMap(path(deployment, "spec", "template", "metadata", "labels"));
            assertThat(selector).as("%s: Deployment spec.selector.matchLabels", name).containsEntry(NAME_LABEL, name);
            assertThat(podLabels).as("%s: pod labels, selected by the Deployment", name).containsAllEntriesOf(selector);

            Map<String, String> serviceSelector = stringMap(path(base.get("Service", name), "spec", "selector"));
            assertThat(serviceSelector).as("%s: Service spec.selector", name).containsEntry(NAME_LABEL, name);
            assertThat(podLabels).as("%s: pod labels, selected by the Service", name)
                .containsAllEntriesOf(serviceSelector);

            Map<String, Object> autoscaler = base.get("HorizontalPodAutoscaler", name);
            assertThat(autoscaler.get("apiVersion")).as("%s: HPA apiVersion", name).isEqualTo("autoscaling/v2");
            assertThat(stringMap(path(autoscaler, "spec", "scaleTargetRef"))).as("%s: HPA spec.scaleTargetRef", name)
                .containsEntry("apiVersion", "apps/v1")
                .containsEntry("kind", "Deployment")
                .containsEntry("name", name);
            int maxReplicas = integer(path(autoscaler, "spec", "maxReplicas"));
            assertThat(integer(path(autoscaler, "spec", "minReplicas"))).as("%s: HPA spec.minReplicas", name)
                .isBetween(1, maxReplicas);
            assertThat(cpuUtilizationTarget(autoscaler)).as("%s: HPA CPU averageUtilization", name).isBetween(1, 100);

            Map<String, Object> budget = base.get("PodDisruptionBudget", name);
            assertThat(budget.get("apiVersion")).as("%s: PDB apiVersion", name).isEqualTo("policy/v1");
            assertThat(path(budget, "spec", "minAvailable")).as("%s: PDB spec.minAvailable", name).isEqualTo(1);
            Map<String, String> budgetSelector = stringMap(path(budget, "spec", "selector", "matchLabels"));
            assertThat(budgetSelector).as("%s: PDB spec.selector.matchLabels", name).containsEntry(NAME_LABEL, name);
            assertThat(podLabels).as("%s: pod labels, selected by the PDB", name).containsAllEntriesOf(budgetSelector);
        }
    }

    @Test
    void servesEachServiceOnItsPortWithTheActuatorProbes() {
        for (Service service : Service.ALL) {
            String name = service.name();
            Map<String, Object> container = container(base, service);
            assertThat(container.get("image")).as("%s: container image", name)
                .isEqualTo("tokenfactory/" + name + ":0.1.0");
            List<Object> containerPorts = maps(path(container, "ports")).stream()
                .map(port -> port.get("containerPort"))
                .toList();
            assertThat(containerPorts).as("%s: containerPort", name).containsExactly(service.port());

            assertProbe(service, container, "startupProbe", LIVENESS);
            assertProbe(service, container, "livenessProbe", LIVENESS);
            assertProbe(service, container, "readinessProbe", READINESS);

            List<Map<String, Object>> servicePorts = maps(path(base.get("Service", name), "spec", "ports"));
            assertThat(servicePorts).as("%s: Service spec.ports", name).hasSize(1);
            assertThat(servicePorts.get(0).get("port")).as("%s: Service port (the one its TF_*_URL names)", name)
                .isEqualTo(service.port());
            assertThat(containerPort(container, servicePorts.get(0).get("targetPort")))
                .as("%s: Service targetPort", name)
                .isEqualTo(service.port());
        }
    }

    @Test
    void setsEachServicesPortAndDatabase() {
        for (Service service : Service.ALL) {
            Map<String, Object> container = container(base, service);
            assertThat(setting(base, container, service.portVariable()))
                .as("%s: %s", service.name(), service.portVariable())
                .contains(Integer.toString(service.port()));
            assertThat(setting(base, container, service.databaseVariable()))
                .as("%s: %s", service.name(), service.databaseVariable())
                .contains(service.database());
        }
    }

    @Test
    void setsOnlyVariablesTheServiceReads() throws IOException {
        for (Service service : Service.ALL) {
            Set<String> read = variablesReadBy(service);
            Set<String> set = variableSources(base, container(base, service)).keySet();

            assertThat(read).as("%s: variables its configuration reads", service.name())
                .contains(service.portVariable(), "TF_POSTGRES_HOST", "TF_RABBITMQ_HOST");
            assertThat(set).as("%s: variables its container sets", service.name())
                .contains(service.portVariable(), service.databaseVariable(), "TF_POSTGRES_HOST",
                        "TF_POSTGRES_PASSWORD", "TF_RABBITMQ_HOST", "TF_RABBITMQ_PASSWORD");
            assertThat(set.stream().filter(variable -> variable.startsWith("TF_")).toList())
                .as("%s: TF_ variables its container sets (env, and the keys of envFrom ConfigMaps and Secrets)"
                        + " that its application.yml and the shared defaults never read", service.name())
                .isSubsetOf(read);
            assertThat(set.stream().filter(variable -> !variable.startsWith("TF_")).toList())
                .as("%s: variables its container sets that are not TF_ ones", service.name())
                .isSubsetOf(STANDARD_VARIABLES);
        }
    }

    @Test
    void takesEachReferencedKeyUnderItsOwnNameFromAConfigMapOrSecretThatHoldsIt() {
        int references = 0;
        for (Service service : Service.ALL) {
            for (Map<String, Object> variable : listIn(container(base, service), "env")) {
                String name = string(variable.get("name"));
                Map<String, Object> valueFrom = variable.containsKey("valueFrom") ? map(variable.get("valueFrom"))
                        : Map.of();
                for (String kind : List.of("ConfigMap", "Secret")) {
                    String refKey = kind.equals("ConfigMap") ? "configMapKeyRef" : "secretKeyRef";
                    if (valueFrom.containsKey(refKey)) {
                        Map<String, Object> ref = map(valueFrom.get(refKey));
                        String source = string(ref.get("name"));
                        assertThat(keysOf(base.get(kind, source)))
                            .as("%s: keys of %s %s, which %s takes", service.name(), kind, source, name)
                            .contains(string(ref.get("key")));
                        assertThat(ref.get("key"))
                            .as("%s: the key of %s %s that %s takes", service.name(), kind, source, name)
                            .isEqualTo(name);
                        references++;
                    }
                }
            }
            for (Map<String, Object> volume : listIn(podSpec(base, service), "volumes")) {
                if (volume.containsKey("secret")) {
                    base.get("Secret", string(map(volume.get("secret")).get("secretName")));
                }
                if (volume.containsKey("configMap")) {
                    base.get("ConfigMap", string(map(volume.get("configMap")).get("name")));
                }
            }
        }
        assertThat(references).as("variables taken from a ConfigMap or Secret key").isPositive();
    }

    @Test
    void usesEverySettingOfTheConfigMap() {
        List<Map<String, Object>> configMaps = base.all("ConfigMap");
        assertThat(configMaps).as("ConfigMaps in the base").hasSize(1);
        Set<String> taken = new HashSet<>();
        for (Service service : Service.ALL) {
            variableSources(base, container(base, service)).forEach((variable, source) -> {
                if (source.startsWith("ConfigMap ")) {
                    taken.add(variable);
                }
            });
        }
        assertThat(keysOf(configMaps.get(0))).as("ConfigMap keys (each must be taken by some service)")
            .isNotEmpty()
            .isSubsetOf(taken);
    }

    @Test
    void pointsTheServicesAtEachOtherByTheirServiceNames() throws IOException {
        Map<String, String> config = stringMap(path(base.all("ConfigMap").get(0), "data"));
        for (Service service : Service.ALL) {
            assertThat(config).as("ConfigMap: %s", urlVariable(service))
                .containsEntry(urlVariable(service), "http://" + service.name() + ":" + service.port());
        }
        int urlsRead = 0;
        for (Service service : Service.ALL) {
            Set<String> read = variablesReadBy(service);
            Map<String, Object> container = container(base, service);
            for (Service other : Service.ALL) {
                if (!other.equals(service) && read.contains(urlVariable(other))) {
                    assertThat(setting(base, container, urlVariable(other)))
                        .as("%s: %s (without it, it calls localhost)", service.name(), urlVariable(other))
                        .contains("http://" + other.name() + ":" + other.port());
                    urlsRead++;
                }
            }
        }
        assertThat(urlsRead).as("URLs of other services that the services read").isPositive();
    }

    @Test
    void runsEveryServiceOnRabbitMqInTheBaseAndOnKafkaInTheKafkaOverlay() throws IOException {
        assertThat(sharedDefaults).as("the shared defaults: the binder every binding uses")
            .contains("default-binder: ${TF_EVENT_BROKER:rabbit}")
            .contains("brokers: ${TF_KAFKA_BOOTSTRAP_SERVERS:");
        Manifests kafka = render(KUBERNETES.resolve("overlays/kafka"));
        for (Service service : Service.ALL) {
            assertThat(setting(base, container(base, service), "TF_EVENT_BROKER")).as("%s: base", service.name())
                .contains("rabbit");
            // all five or none: a producer on Kafka and its consumer on RabbitMQ would
            // never meet
            assertThat(setting(kafka, container(kafka, service), "TF_EVENT_BROKER"))
                .as("%s: overlays/kafka", service.name())
                .contains("kafka");
            assertThat(setting(kafka, container(kafka, service), "TF_KAFKA_BOOTSTRAP_SERVERS"))
                .as("%s: overlays/kafka bootstrap servers", service.name())
                .hasValueSatisfying(servers -> assertThat(servers).matches("[a-z0-9.-]+:[0-9]+(,[a-z0-9.-]+:[0-9]+)*"));
        }
    }

    @Test
    void logsEachServiceInToPostgresAndRabbitMqAsItselfFromItsOwnSecret() {
        for (Service service : Service.ALL) {
            String secret = service.name() + "-logins";
            assertThat(variableSources(base, container(base, service))).as("%s: its logins", service.name())
                .containsEntry("TF_POSTGRES_USER", "Secret " + secret)
                .containsEntry("TF_POSTGRES_PASSWORD", "Secret " + secret)
                .containsEntry("TF_RABBITMQ_USER", "Secret " + secret)
                .containsEntry("TF_RABBITMQ_PASSWORD", "Secret " + secret);
            assertThat(stringMap(path(base.get("Secret", secret), "stringData"))).as(secret)
                .containsEntry("TF_POSTGRES_USER", service.databaseRole())
                .containsEntry("TF_RABBITMQ_USER", service.brokerUser());
        }
    }

    @Test
    void onKafkaEachServiceWritesOnlyTheTopicsOfItsOwnEventsAsItsOwnUser() throws IOException {
        Manifests kafka = render(KUBERNETES.resolve("overlays/kafka"));
        for (Service service : Service.ALL) {
            Map<String, Object> container = container(kafka, service);
            assertThat(variableSources(kafka, container)).as("%s: its Kafka login", service.name())
                .containsEntry("TF_KAFKA_SASL_JAAS_CONFIG", "Secret " + service.brokerUser());
            assertThat(setting(kafka, container, "TF_KAFKA_SECURITY_PROTOCOL")).contains("SASL_SSL");
            List<Map<String, Object>> acls = maps(
                    path(kafka.get("KafkaUser", service.brokerUser()), "spec", "authorization", "acls"));
            assertThat(topics(acls, "Write")).as("%s: topics it may write", service.name())
                .containsExactlyInAnyOrderElementsOf(BrokerUsers.PUBLISHES.get(service.name())
                    .stream()
                    .map(event -> "tokenfactory." + event)
                    .toList());
            assertThat(topics(acls, "Read")).as("%s: topics it may read", service.name())
                .containsExactlyInAnyOrderElementsOf(BrokerUsers.CONSUMES.get(service.name())
                    .stream()
                    .map(event -> "tokenfactory." + event)
                    .toList());
        }
    }

    private static List<String> topics(List<Map<String, Object>> acls, String operation) {
        return acls.stream()
            .filter(acl -> string(path(acl, "resource", "type")).equals("topic"))
            .filter(acl -> strings(acl.get("operations")).contains(operation))
            .map(acl -> string(path(acl, "resource", "name")))
            .toList();
    }

    @Test
    void sharesTheGatewaysLimitsAndSigningKeyBetweenItsReplicas() {
        Map<String, Object> gateway = container(base, service("gateway"));
        assertThat(setting(base, gateway, "TF_LIMITS_STORE")).as("gateway: TF_LIMITS_STORE").contains("redis");
        assertThat(setting(base, gateway, "TF_REDIS_HOST")).as("gateway: TF_REDIS_HOST")
            .hasValueSatisfying(host -> assertThat(host).isNotBlank());
        assertThat(variableSources(base, gateway)).as("gateway: where its variables come from")
            .containsEntry("TF_IDENTITY_SIGNING_JWK", "Secret gateway-secrets")
            .containsEntry("TF_API_KEY_PEPPER", "Secret gateway-secrets");
    }

    @Test
    void takesSecretsOnlyFromSecretTemplatesHoldingPlaceholders() {
        List<Map<String, Object>> secrets = base.all("Secret");
        assertThat(secrets).as("Secrets in the base").isNotEmpty();
        for (Map<String, Object> secret : secrets) {
            String name = nameOf(secret);
            assertThat(secret).as("Secret %s: values readable as placeholders in stringData, never in data", name)
                .doesNotContainKey("data");
            Map<String, String> values = stringMap(path(secret, "stringData"));
            assertThat(values).as("Secret %s: stringData", name).isNotEmpty();
            // a login's user name is no secret; every secret value is a placeholder
            values.entrySet()
                .stream()
                .filter(entry -> !entry.getKey().matches("TF_(POSTGRES|RABBITMQ)_USER"))
                .forEach(entry -> assertThat(entry.getValue())
                    .as("Secret %s: %s (a template, never a real secret)", name, entry.getKey())
                    .isEqualTo(PLACEHOLDER));
        }
        assertThat(keysOf(base.all("ConfigMap").get(0))).as("ConfigMap keys that look like secrets")
            .noneMatch(key -> SECRET_VARIABLE.matcher(key).matches());

        Set<String> fromSecrets = new HashSet<>();
        for (Service service : Service.ALL) {
            variableSources(base, container(base, service)).forEach((variable, source) -> {
                if (SECRET_VARIABLE.matcher(variable).matches()) {
                    assertThat(source).as("%s: where %s comes from", service.name(), variable).startsWith("Secret ");
                    fromSecrets.add(variable);
                }
            });
        }
        assertThat(fromSecrets).as("secret variables the services take from Secrets")
            .contains("TF_POSTGRES_PASSWORD", "TF_RABBITMQ_PASSWORD", "TF_API_KEY_PEPPER", "TF_IDENTITY_SIGNING_JWK",
                    "TF_AGENT_CREDENTIALS_KEY");
    }

    @Test
    void mountsTheFilesThatFileVariablesName() {
        int files = 0;
        for (Service service : Service.ALL) {
            Map<String, Object> container = container(base, service);
            List<String> mountPaths = listIn(container, "volumeMounts").stream()
                .map(mount -> string(mount.get("mountPath")))
                .toList();
            for (Map<String, Object> variable : listIn(container, "env")) {
                String name = string(variable.get("name"));
                if (name.endsWith("_FILE")) {
                    String file = string(variable.get("value"));
                    assertThat(mountPaths)
                        .as("%s: volume mounts, one of which must hold %s=%s", service.name(), name, file)
                        .anyMatch(mountPath -> file.startsWith(mountPath + "/"));
                    files++;
                }
            }
        }
        assertThat(files).as("variables naming a mounted file (agent-service's gateway key)").isPositive();
    }

    @Test
    void runsEachServiceAsTheImagesUserOnAReadOnlyFileSystemWithAWritableTmp() throws IOException {
        Matcher imageUser = Pattern.compile("--uid (\\d+)")
            .matcher(Files.readString(ROOT.resolve("docker/service.Dockerfile")));
        assertThat(imageUser.find()).as("useradd --uid in docker/service.Dockerfile").isTrue();
        int uid = Integer.parseInt(imageUser.group(1));
        for (Service service : Service.ALL) {
            String name = service.name();
            Map<String, Object> pod = podSpec(base, service);
            assertThat(path(pod, "securityContext", "runAsNonRoot")).as("%s: runAsNonRoot", name).isEqualTo(true);
            // the image names its user, and runAsNonRoot can only check a number
            assertThat(path(pod, "securityContext", "runAsUser")).as("%s: runAsUser", name).isEqualTo(uid);

            Map<String, Object> container = container(base, service);
            assertThat(path(container, "securityContext", "readOnlyRootFilesystem"))
                .as("%s: readOnlyRootFilesystem", name)
                .isEqualTo(true);
            assertThat(path(container, "securityContext", "allowPrivilegeEscalation"))
                .as("%s: allowPrivilegeEscalation", name)
                .isEqualTo(false);
            Optional<String> tmpVolume = listIn(container, "volumeMounts").stream()
                .filter(mount -> "/tmp".equals(mount.get("mountPath")))
                .map(mount -> string(mount.get("name")))
                .findFirst();
            assertThat(tmpVolume).as("%s: a volume mounted at /tmp", name).isPresent();
            assertThat(listIn(pod, "volumes")).as("%s: volume %s, an emptyDir", name, tmpVolume.get())
                .anyMatch(volume -> tmpVolume.get().equals(volume.get("name")) && volume.containsKey("emptyDir"));
        }
    }

    @Test
    void leavesRoomBesideTheHeapWithinTheMemoryLimit() {
        Pattern maxHeap = Pattern.compile("-Xmx(\\d+)m");
        for (Service service : Service.ALL) {
            String name = service.name();
            Map<String, Object> container = container(base, service);
            Optional<String> javaOptions = setting(base, container, "JAVA_TOOL_OPTIONS");
            assertThat(javaOptions).as("%s: JAVA_TOOL_OPTIONS", name).isPresent();
            Matcher heap = maxHeap.matcher(javaOptions.get());
            assertThat(heap.find()).as("%s: -Xmx<n>m in JAVA_TOOL_OPTIONS", name).isTrue();
            int heapMebibytes = Integer.parseInt(heap.group(1));
            assertThat(heapMebibytes).as("%s: -Xmx in MiB", name).isBetween(256, 1024);

            int limit = mebibytes(path(container, "resources", "limits", "memory"));
            assertThat(mebibytes(path(container, "resources", "requests", "memory")))
                .as("%s: memory request (a JVM does not give memory back, so it asks for its limit)", name)
                .isEqualTo(limit);
            assertThat(limit).as("%s: memory limit in MiB, twice the heap or more (metaspace, threads, natives)", name)
                .isGreaterThanOrEqualTo(2 * heapMebibytes);
            assertThat(path(container, "resources", "requests", "cpu")).as("%s: CPU request (the HPA's 100 %%)", name)
                .isNotNull();
        }
    }

    @Test
    void routesTheIngressToTheGatewayServiceOnly() {
        List<Map<String, Object>> ingresses = base.all("Ingress");
        assertThat(ingresses).as("Ingresses in the base").hasSize(1);
        Map<String, Object> gatewayService = base.get("Service", "gateway");
        List<Map<String, Object>> paths = new ArrayList<>();
        for (Map<String, Object> rule : maps(path(ingresses.get(0), "spec", "rules"))) {
            paths.addAll(maps(path(rule, "http", "paths")));
        }
        assertThat(paths).as("Ingress paths").isNotEmpty();
        for (Map<String, Object> ingressPath : paths) {
            String route = string(ingressPath.get("path"));
            assertThat(route).as("Ingress path %s (the actuator endpoints stay inside the cluster)", route)
                .isNotEqualTo("/")
                .doesNotStartWith("/actuator");
            Map<String, Object> backend = map(path(ingressPath, "backend", "service"));
            assertThat(backend.get("name")).as("Ingress path %s: backend service", route).isEqualTo("gateway");
            assertThat(servicePort(gatewayService, map(path(backend, "port"))))
                .as("Ingress path %s: backend service port", route)
                .isEqualTo(service("gateway").port());
        }
    }

    @Test
    void scrapesEveryServiceForPrometheusAndTheExposedGatewayWithAScrapersKey() {
        List<Map<String, Object>> monitors = base.all("ServiceMonitor");
        assertThat(monitors).as("ServiceMonitors in the base").hasSize(2);
        for (Service service : Service.ALL) {
            Map<String, Object> kubernetesService = base.get("Service", service.name());
            Map<String, String> labels = stringMap(path(kubernetesService, "metadata", "labels"));
            List<Map<String, Object>> scraping = monitors.stream().filter(monitor -> selects(monitor, labels)).toList();
            assertThat(scraping).as("%s: the ServiceMonitors that select its Service", service.name()).hasSize(1);
            Map<String, Object> monitor = scraping.get(0);
            assertThat(monitor.get("apiVersion")).as("ServiceMonitor apiVersion").isEqualTo("monitoring.coreos.com/v1");
            List<Map<String, Object>> endpoints = maps(path(monitor, "spec", "endpoints"));
            assertThat(endpoints).as("ServiceMonitor spec.endpoints").isNotEmpty();
            for (Map<String, Object> endpoint : endpoints) {
                assertThat(endpoint.get("path")).as("ServiceMonitor endpoint path").isEqualTo(PROMETHEUS);
                // a ServiceMonitor names the Service's port, never a number
                assertThat(servicePort(kubernetesService, Map.<String, Object>of("name", string(endpoint.get("port")))))
                    .as("%s: the Service port that the ServiceMonitor scrapes", service.name())
                    .isEqualTo(service.port());
                // the Ingress exposes the gateway alone: only its metrics need a key
                if (service.name().equals("gateway")) {
                    assertThat(map(path(endpoint, "authorization", "credentials"))).as("gateway: the scraper's key")
                        .containsEntry("name", "gateway-scrape-key");
                }
                else {
                    assertThat(endpoint.get("authorization"))
                        .as("%s: scraped inside the cluster without a key", service.name())
                        .isNull();
                }
            }
        }
    }

    /**
     * Whether a ServiceMonitor's selector (labels and NotIn/In expressions) selects these
     * labels.
     */
    private static boolean selects(Map<String, Object> monitor, Map<String, String> labels) {
        Map<String, String> required = stringMap(path(monitor, "spec", "selector", "matchLabels"));
        if (!labels.entrySet().containsAll(required.entrySet())) {
            return false;
        }
        Object expressions = map(path(monitor, "spec", "selector")).get("matchExpressions");
        for (Map<String, Object> expression : expressions == null ? List.<Map<String, Object>>of()
                : maps(expressions)) {
            @SuppressWarnings("unchecked")
            List<String> values = (List<String>) expression.get("values");
            boolean in = values.contains(labels.get(string(expression.get("key"))));
            if (string(expression.get("operator")).equals("NotIn") == in) {
                return false;
            }
        }
        return true;
    }

    @Test
    void patchesOnlyResourcesTheBaseHas() throws IOException {
        List<Path> overlays = overlays();
        assertThat(overlays).as("overlays under deploy/kubernetes/overlays").hasSizeGreaterThanOrEqualTo(2);
        for (Path overlay : overlays) {
            String name = overlay.getFileName().toString();
            Map<String, Object> kustomization = kustomization(overlay);
            assertThat(kustomization).as("%s: kustomization (patches only, not the deprecated fields)", name)
                .doesNotContainKeys("patchesStrategicMerge", "patchesJson6902");
            assertThat(strings(kustomization.get("resources"))).as("%s: resources", name).contains("../../base");
            List<Map<String, Object>> patches = maps(path(kustomization, "patches"));
            assertThat(patches).as("%s: patches", name).isNotEmpty();

            Manifests resources = Manifests.read(overlay);
            for (Map<String, Object> patch : patches) {
                for (Map<String, String> target : targetsOf(overlay, patch)) {
                    assertThat(resources.matching(target))
                        .as("%s: base resources that patch target %s names", name, target)
                        .isNotEmpty();
                }
            }
            render(overlay); // fails where an operation's path is not in the resource it
                             // patches
        }
    }

    @Test
    void runsTwoReplicasOfTheGatewayMeteringAndBillingInProduction() throws IOException {
        Manifests production = render(KUBERNETES.resolve("overlays/production"));
        for (String name : List.of("gateway", "metering-service", "billing-service")) {
            assertThat(replicas(production.get("Deployment", name))).as("production: %s replicas", name).isEqualTo(2);
            assertThat(path(production.get("HorizontalPodAutoscaler", name), "spec", "minReplicas"))
                .as("production: %s HPA minReplicas", name)
                .isEqualTo(2);
        }
        for (Service service : Service.ALL) {
            int baseMaximum = integer(path(base.get("HorizontalPodAutoscaler", service.name()), "spec", "maxReplicas"));
            assertThat(integer(path(production.get("HorizontalPodAutoscaler", service.name()), "spec", "maxReplicas")))
                .as("production: %s HPA maxReplicas, above the base's %d", service.name(), baseMaximum)
                .isGreaterThan(baseMaximum);
        }
    }

    @Test
    void scalesTheGatewayBeyondOneReplicaOnlyWithItsLimitsInRedis() throws IOException {
        Map<String, Manifests> renderings = new LinkedHashMap<>();
        renderings.put("base", base);
        for (Path overlay : overlays()) {
            renderings.put(overlay.getFileName().toString(), render(overlay));
        }
        int scaledOut = 0;
        for (Map.Entry<String, Manifests> rendering : renderings.entrySet()) {
            Manifests manifests = rendering.getValue();
            int mostGateways = replicas(manifests.get("Deployment", "gateway"));
            Optional<Map<String, Object>> autoscaler = manifests.find("HorizontalPodAutoscaler", "gateway");
            if (autoscaler.isPresent()) {
                mostGateways = Math.max(mostGateways, integer(path(autoscaler.get(), "spec", "maxReplicas")));
            }
            String store = setting(manifests, container(manifests, service("gateway")), "TF_LIMITS_STORE")
                .orElse("memory");
            if (mostGateways > 1) {
                assertThat(store)
                    .as("%s: TF_LIMITS_STORE of a gateway that may run %d replicas", rendering.getKey(), mostGateways)
                    .isEqualTo("redis");
                scaledOut++;
            }
            for (Service service : Service.ALL) {
                Optional<Map<String, Object>> serviceAutoscaler = manifests.find("HorizontalPodAutoscaler",
                        service.name());
                if (serviceAutoscaler.isPresent()) {
                    assertThat(replicas(manifests.get("Deployment", service.name())))
                        .as("%s: %s replicas, within its HPA's bounds", rendering.getKey(), service.name())
                        .isBetween(integer(path(serviceAutoscaler.get(), "spec", "minReplicas")),
                                integer(path(serviceAutoscaler.get(), "spec", "maxReplicas")));
                }
            }
        }
        assertThat(scaledOut).as("renderings in which the gateway may scale out").isPositive();
    }

    // --- the services' own configuration

    private static Service service(String name) {
        return Service.ALL.stream().filter(service -> service.name().equals(name)).findFirst().orElseThrow();
    }

    private static String urlVariable(Service service) {
        return service.portVariable().replaceFirst("_PORT$", "_URL");
    }

    private static Set<String> variablesReadBy(Service service) throws IOException {
        String applicationYml = Files
            .readString(ROOT.resolve(service.module()).resolve("src/main/resources/application.yml"));
        Matcher matcher = VARIABLE.matcher(applicationYml + sharedDefaults);
        Set<String> variables = new HashSet<>();
        while (matcher.find()) {
            variables.add(matcher.group(1));
        }
        return variables;
    }

    // --- reading a container

    private static Map<String, Object> podSpec(Manifests manifests, Service service) {
        return map(path(manifests.get("Deployment", service.name()), "spec", "template", "spec"));
    }

    private static Map<String, Object> container(Manifests manifests, Service service) {
        return maps(path(podSpec(manifests, service), "containers")).stream()
            .filter(container -> service.name().equals(container.get("name")))
            .findFirst()
            .orElseThrow(() -> new AssertionError(service.name() + ": no container named " + service.name()));
    }

    /**
     * Every variable a container sets, with where its value comes from: "value",
     * "ConfigMap <name>", "Secret <name>" or "the pod". As in Kubernetes, env wins over
     * envFrom.
     */
    private static Map<String, String> variableSources(Manifests manifests, Map<String, Object> container) {
        Map<String, String> sources = new LinkedHashMap<>();
        for (Map<String, Object> from : listIn(container, "envFrom")) {
            String prefix = from.containsKey("prefix") ? string(from.get("prefix")) : "";
            for (String kind : List.of("ConfigMap", "Secret")) {
                String refKey = kind.equals("ConfigMap") ? "configMapRef" : "secretRef";
                if (from.containsKey(refKey)) {
                    String source = string(map(from.get(refKey)).get("name"));
                    for (String key : keysOf(manifests.get(kind, source))) {
                        sources.put(prefix + key, kind + " " + source);
                    }
                }
            }
        }
        for (Map<String, Object> variable : listIn(container, "env")) {
            String name = string(variable.get("name"));
            if (!variable.containsKey("valueFrom")) {
                sources.put(name, "value");
                continue;
            }
            Map<String, Object> valueFrom = map(variable.get("valueFrom"));
            if (valueFrom.containsKey("configMapKeyRef")) {
                sources.put(name, "ConfigMap " + string(map(valueFrom.get("configMapKeyRef")).get("name")));
            }
            else if (valueFrom.containsKey("secretKeyRef")) {
                sources.put(name, "Secret " + string(map(valueFrom.get("secretKeyRef")).get("name")));
            }
            else {
                sources.put(name, "the pod");
            }
        }
        return sources;
    }

    /**
     * The value a container gives a variable, where the manifests hold it (a value or a
     * ConfigMap key).
     */
    private static Optional<String> setting(Manifests manifests, Map<String, Object> container, String variable) {
        for (Map<String, Object> entry : listIn(container, "env")) {
            if (variable.equals(entry.get("name"))) {
                if (entry.containsKey("value")) {
                    return Optional.of(string(entry.get("value")));
                }
                Map<String, Object> valueFrom = map(entry.get("valueFrom"));
                if (!valueFrom.containsKey("configMapKeyRef")) {
                    return Optional.empty();
                }
                Map<String, Object> ref = map(valueFrom.get("configMapKeyRef"));
                return configValue(manifests, string(ref.get("name")), string(ref.get("key")));
            }
        }
        for (Map<String, Object> from : listIn(container, "envFrom")) {
            String prefix = from.containsKey("prefix") ? string(from.get("prefix")) : "";
            if (from.containsKey("configMapRef") && variable.startsWith(prefix)) {
                Optional<String> value = configValue(manifests, string(map(from.get("configMapRef")).get("name")),
                        variable.substring(prefix.length()));
                if (value.isPresent()) {
                    return value;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> configValue(Manifests manifests, String configMap, String key) {
        Map<String, Object> data = map(path(manifests.get("ConfigMap", configMap), "data"));
        return data.containsKey(key) ? Optional.of(string(data.get(key))) : Optional.empty();
    }

    private static void assertProbe(Service service, Map<String, Object> container, String probe, String expectedPath) {
        Map<String, Object> httpGet = map(path(container, probe, "httpGet"));
        assertThat(httpGet.get("path")).as("%s: %s path", service.name(), probe).isEqualTo(expectedPath);
        assertThat(containerPort(container, path(httpGet, "port"))).as("%s: %s port", service.name(), probe)
            .isEqualTo(service.port());
    }

    /** A port given as a number, or by the name of one of the container's ports. */
    private static int containerPort(Map<String, Object> container, Object port) {
        if (port instanceof Integer) {
            return (Integer) port;
        }
        return maps(path(container, "ports")).stream()
            .filter(named -> string(port).equals(named.get("name")))
            .map(named -> integer(named.get("containerPort")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("container " + container.get("name") + " has no port named " + port));
    }

    /**
     * The number of a Service's port, given as {number: n} or {name: n} (Ingress
     * backends, ServiceMonitors).
     */
    private static int servicePort(Map<String, Object> kubernetesService, Map<String, Object> port) {
        List<Map<String, Object>> ports = maps(path(kubernetesService, "spec", "ports"));
        for (Map<String, Object> candidate : ports) {
            boolean byNumber = port.containsKey("number") && port.get("number").equals(candidate.get("port"));
            boolean byName = port.containsKey("name") && port.get("name").equals(candidate.get("name"));
            if (byNumber || byName) {
                return integer(candidate.get("port"));
            }
        }
        return fail("Service " + nameOf(kubernetesService) + " has no port " + port);
    }

    private static int cpuUtilizationTarget(Map<String, Object> autoscaler) {
        for (Map<String, Object> metric : maps(path(autoscaler, "spec", "metrics"))) {
            if ("Resource".equals(metric.get("type")) && "cpu".equals(path(metric, "resource", "name"))) {
                return integer(path(metric, "resource", "target", "averageUtilization"));
            }
        }
        return fail("HPA " + nameOf(autoscaler) + " has no CPU metric");
    }

    private static int replicas(Map<String, Object> deployment) {
        Map<String, Object> spec = map(path(deployment, "spec"));
        return spec.containsKey("replicas") ? integer(spec.get("replicas")) : 1;
    }

    private static int mebibytes(Object quantity) {
        String text = string(quantity);
        if (text.endsWith("Gi")) {
            return Integer.parseInt(text.substring(0, text.length() - 2)) * 1024;
        }
        if (text.endsWith("Mi")) {
            return Integer.parseInt(text.substring(0, text.length() - 2));
        }
        return fail("memory " + text + " is not in whole Mi or Gi");
    }

    // --- kustomizations, overlays and patches

    private static Map<String, Object> kustomization(Path directory) throws IOException {
        Object kustomization = new Yaml().load(Files.readString(directory.resolve("kustomization.yaml")));
        return map(kustomization);
    }

    private static List<Path> overlays() throws IOException {
        try (Stream<Path> entries = Files.list(KUBERNETES.resolve("overlays"))) {
            return entries.filter(entry -> Files.isRegularFile(entry.resolve("kustomization.yaml"))).sorted().toList();
        }
    }

    private static String patchText(Path overlay, Map<String, Object> patch) throws IOException {
        if (patch.containsKey("path")) {
            Path file = overlay.resolve(string(patch.get("path")));
            assertThat(file).as("%s: patch file", overlay.getFileName()).isRegularFile();
            return Files.readString(file);
        }
        return string(path(patch, "patch"));
    }

    /**
     * What a patch applies to: its target, or else the kind and name in each strategic
     * merge patch it holds.
     */
    private static List<Map<String, String>> targetsOf(Path overlay, Map<String, Object> patch) throws IOException {
        String where = overlay.getFileName() + ": patch " + patch.getOrDefault("path", patch.get("target"));
        if (patch.containsKey("target")) {
            Map<String, String> target = stringMap(patch.get("target"));
            assertThat(target.keySet()).as("%s: target fields this test understands", where)
                .contains("kind")
                .isSubsetOf("group", "version", "kind", "name");
            return List.of(target);
        }
        List<Map<String, Object>> documents = documents(patchText(overlay, patch));
        assertThat(documents).as("%s: patches in one file (kustomize 5.5 fails on more than one)", where).hasSize(1);
        return List.of(Map.of("kind", string(documents.get(0).get("kind")), "name",
                string(path(documents.get(0), "metadata", "name"))));
    }

    /**
     * The overlay's resources with its own patches applied: JSON patches (add, replace,
     * remove) and strategic merge patches that delete a resource, which is all the
     * overlays use.
     */
    private static Manifests render(Path overlay) throws IOException {
        Manifests rendered = Manifests.read(overlay);
        for (Map<String, Object> patch : maps(path(kustomization(overlay), "patches"))) {
            String where = overlay.getFileName() + ": patch " + patch.getOrDefault("path", patch.get("target"));
            Object content = new Yaml().load(patchText(overlay, patch));
            if (content instanceof List) {
                assertThat(patch).as("%s: a JSON patch needs a target", where).containsKey("target");
                List<Map<String, Object>> targets = rendered.matching(stringMap(patch.get("target")));
                assertThat(targets).as("%s: resources it patches", where).isNotEmpty();
                for (Map<String, Object> resource : targets) {
                    for (Map<String, Object> operation : maps(content)) {
                        applyOperation(resource, operation, where + " on " + nameOf(resource));
                    }
                }
            }
            else {
                Map<String, Object> strategic = map(content);
                assertThat(strategic.get("$patch"))
                    .as("%s: this test renders only strategic merge patches that" + " delete a resource", where)
                    .isEqualTo("delete");
                rendered.remove(string(strategic.get("kind")), string(path(strategic, "metadata", "name")));
            }
        }
        return rendered;
    }

    private static void applyOperation(Map<String, Object> resource, Map<String, Object> operation, String where) {
        String pointer = string(operation.get("path"));
        assertThat(pointer).as("%s: JSON patch path", where).startsWith("/");
        List<String> tokens = new ArrayList<>();
        for (String token : pointer.substring(1).split("/", -1)) {
            tokens.add(token.replace("~1", "/").replace("~0", "~"));
        }
        Object parent = resource;
        for (String token : tokens.subList(0, tokens.size() - 1)) {
            parent = child(parent, token, where + " " + pointer);
        }
        String last = tokens.get(tokens.size() - 1);
        String op = string(operation.get("op"));
        switch (op) {
            case "add" -> add(parent, last, operation.get("value"), where + " " + pointer);
            case "replace" -> {
                child(parent, last, where + " " + pointer);
                replace(parent, last, operation.get("value"));
            }
            case "remove" -> {
                child(parent, last, where + " " + pointer);
                remove(parent, last);
            }
            default -> fail(where + ": this test renders add, replace and remove, not " + op);
        }
    }

    private static Object child(Object node, String token, String where) {
        if (node instanceof Map) {
            assertThat(map(node)).as("%s: no %s there", where, token).containsKey(token);
            return map(node).get(token);
        }
        if (node instanceof List) {
            List<?> list = (List<?>) node;
            return list.get(index(token, list.size() - 1, where));
        }
        return fail(where + ": " + token + " lies below a plain value");
    }

    @SuppressWarnings("unchecked")
    private static void add(Object parent, String token, Object value, String where) {
        if (parent instanceof Map) {
            map(parent).put(token, value);
        }
        else if (parent instanceof List) {
            List<Object> list = (List<Object>) parent;
            if (token.equals("-")) {
                list.add(value);
            }
            else {
                list.add(index(token, list.size(), where), value);
            }
        }
        else {
            fail(where + ": " + token + " lies below a plain value");
        }
    }

    @SuppressWarnings("unchecked")
    private static void replace(Object parent, String token, Object value) {
        if (parent instanceof Map) {
            map(parent).put(token, value);
        }
        else {
            ((List<Object>) parent).set(Integer.parseInt(token), value);
        }
    }

    private static void remove(Object parent, String token) {
        if (parent instanceof Map) {
            map(parent).remove(token);
        }
        else {
            ((List<?>) parent).remove(Integer.parseInt(token));
        }
    }

    private static int index(String token, int highest, String where) {
        assertThat(token).as("%s: list index", where).matches("\\d+");
        int index = Integer.parseInt(token);
        assertThat(index).as("%s: list index", where).isBetween(0, highest);
        return index;
    }

    // --- plain YAML

    private static List<Map<String, Object>> documents(String text) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new Yaml().loadAll(text)) {
            if (document != null) {
                documents.add(map(document));
            }
        }
        return documents;
    }

    /**
     * The value under the keys, failing with the resource and the keys where it is
     * missing.
     */
    private static Object path(Map<String, Object> node, String... keys) {
        Object current = node;
        for (int depth = 0; depth < keys.length; depth++) {
            String at = String.join(".", Arrays.asList(keys).subList(0, depth + 1));
            assertThat(current).as("%s: %s", describe(node), at).isInstanceOf(Map.class);
            current = map(current).get(keys[depth]);
            assertThat(current).as("%s: %s", describe(node), at).isNotNull();
        }
        return current;
    }

    private static String describe(Map<String, Object> node) {
        if (node.containsKey("kind")) {
            return node.get("kind") + " " + nameOf(node);
        }
        return node.containsKey("name") ? String.valueOf(node.get("name")) : String.valueOf(node.keySet());
    }

    private static String nameOf(Map<String, Object> resource) {
        Object metadata = resource.get("metadata");
        return metadata instanceof Map ? String.valueOf(map(metadata).get("name")) : "(no name)";
    }

    private static Set<String> keysOf(Map<String, Object> configMapOrSecret) {
        Set<String> keys = new HashSet<>();
        for (String field : List.of("data", "stringData")) {
            if (configMapOrSecret.get(field) != null) {
                keys.addAll(map(configMapOrSecret.get(field)).keySet());
            }
        }
        return keys;
    }

    private static List<Map<String, Object>> listIn(Map<String, Object> node, String key) {
        return node.get(key) == null ? List.of() : maps(node.get(key));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).as("a YAML mapping").isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object value) {
        assertThat(value).as("a YAML list").isInstanceOf(List.class);
        return ((List<Object>) value).stream().map(KubernetesManifestTests::map).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object value) {
        assertThat(value).as("a YAML list").isInstanceOf(List.class);
        return ((List<Object>) value).stream().map(String::valueOf).toList();
    }

    private static Map<String, String> stringMap(Object value) {
        return map(value).entrySet()
            .stream()
            .collect(Collectors.toMap(Map.Entry::getKey, entry -> String.valueOf(entry.getValue()),
                    (first, second) -> second, LinkedHashMap::new));
    }

    private static String string(Object value) {
        assertThat(value).as("a YAML value").isNotNull();
        return String.valueOf(value);
    }

    private static int integer(Object value) {
        assertThat(value).as("a whole number").isInstanceOf(Integer.class);
        return (Integer) value;
    }

    /**
     * The resources of a kustomization directory (its own files and those of the
     * directories it includes).
     */
    private static final class Manifests {

        private final List<Map<String, Object>> resources;

        private Manifests(List<Map<String, Object>> resources) {
            this.resources = resources;
        }

        static Manifests read(Path directory) throws IOException {
            List<Map<String, Object>> resources = new ArrayList<>();
            for (String entry : strings(kustomization(directory).get("resources"))) {
                Path resource = directory.resolve(entry).normalize();
                if (Files.isDirectory(resource)) {
                    resources.addAll(read(resource).resources);
                }
                else if (Files.isRegularFile(resource)) {
                    // a listed file that is missing is reported by
                    // listsEveryManifestOfTheBaseAndOnlyFilesThatExist
                    resources.addAll(documents(Files.readString(resource)));
                }
            }
            return new Manifests(resources);
        }

        List<Map<String, Object>> all(String kind) {
            return resources.stream().filter(resource -> kind.equals(resource.get("kind"))).toList();
        }

        Optional<Map<String, Object>> find(String kind, String name) {
            return all(kind).stream().filter(resource -> name.equals(nameOf(resource))).findFirst();
        }

        Map<String, Object> get(String kind, String name) {
            return find(kind, name).orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
        }

        List<Map<String, Object>> matching(Map<String, String> target) {
            return resources.stream()
                .filter(resource -> !target.containsKey("kind") || target.get("kind").equals(resource.get("kind")))
                .filter(resource -> !target.containsKey("name") || target.get("name").equals(nameOf(resource)))
                .toList();
        }

        void remove(String kind, String name) {
            boolean removed = resources
                .removeIf(resource -> kind.equals(resource.get("kind")) && name.equals(nameOf(resource)));
            assertThat(removed).as("a %s named %s to delete", kind, name).isTrue();
        }

    }

}
