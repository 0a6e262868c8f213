package io.tokenfactory.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import io.tokenfactory.localrun.BrokerUsers;
import io.tokenfactory.localrun.Service;

/**
 * No Docker engine runs where the tests run, so docker-compose.yml is checked by reading
 * it: every service is there with the port, database, variables and health check that the
 * services' own configuration expects.
 */
class ComposeFileTests {

    /** The repository: tests run in the module's directory, deploy/. */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(TF_[A-Z_]+)");

    private static Map<String, Map<String, Object>> composeServices;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void readCompose() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
        composeServices = (Map<String, Map<String, Object>>) compose.get("services");
    }

    @Test
    void runsPostgresRabbitMqAndEveryServiceOfTheSuite() {
        Set<String> expected = Service.ALL.stream().map(Service::name).collect(Collectors.toSet());
        expected.addAll(Set.of("postgres", "rabbitmq"));

        assertThat(composeServices.keySet()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void publishesEachServiceOnItsPortAndChecksItsReadiness() throws IOException {
        for (Service service : Service.ALL) {
            Map<String, Object> compose = composeServices.get(service.name());
            String port = Integer.toString(service.port());

            assertThat(list(compose.get("ports"))).as(service.name()).containsExactly(port + ":" + port);
            assertThat(environment(compose)).as(service.name()).containsEntry(service.portVariable(), port);
            assertThat(applicationYml(service)).as(service.name())
                .contains("port: ${" + service.portVariable() + ":" + port + "}");
            assertThat(healthCheck(compose)).as(service.name())
                .contains("http://localhost:" + port + "/actuator/health/readiness");
        }
    }

    @Test
    void givesEachServiceItsOwnDatabaseOwnedByItsOwnRoleCreatedAtFirstStart() throws IOException {
        String initScript = Files.readString(ROOT.resolve("docker/postgres/init-service-roles.sh"));
        Map<String, String> postgres = environment(composeServices.get("postgres"));
        for (Service service : Service.ALL) {
            Map<String, String> environment = environment(composeServices.get(service.name()));
            assertThat(environment).as(service.name())
                .containsEntry(service.databaseVariable(), service.database())
                .containsEntry("TF_POSTGRES_USER", service.databaseRole());
            assertThat(applicationYml(service)).as(service.name())
                .contains("${" + service.databaseVariable() + ":" + service.database() + "}");
            // the role's password is the one the service logs in with
            String password = String.valueOf(environment.get("TF_POSTGRES_PASSWORD"));
            String variable = password.substring(2, password.indexOf(':'));
            assertThat(initScript).contains("database " + service.database() + " \"${" + variable + ":?}\"");
            assertThat(postgres).containsEntry(variable, password);
        }
        assertThat(environment(composeServices.get("gateway")).values())
            .doesNotContain(postgres.get("POSTGRES_PASSWORD"));
    }

    @Test
    void givesEachServiceItsOwnBrokerUserWithTheLaunchersPermissions() throws IOException {
        String usersScript = Files.readString(ROOT.resolve("docker/rabbitmq/service-users.sh"));
        Map<String, String> rabbitmq = environment(composeServices.get("rabbitmq"));
        for (Service service : Service.ALL) {
            Map<String, String> environment = environment(composeServices.get(service.name()));
            assertThat(environment).as(service.name()).containsEntry("TF_RABBITMQ_USER", service.brokerUser());
            String password = String.valueOf(environment.get("TF_RABBITMQ_PASSWORD"));
            String variable = password.substring(2, password.indexOf(':'));
            assertThat(rabbitmq).containsEntry(variable, password);
            BrokerUsers.Permissions permissions = BrokerUsers.Permissions.of(service.name());
            assertThat(usersScript).as(service.name())
                .contains(
                        "user " + service.brokerUser() + " \"${" + variable + ":?}\" \\\n  '" + permissions.configure()
                                + "' \\\n  '" + permissions.write() + "' \\\n  '" + permissions.read() + "'");
        }
    }

    @Test
    void setsOnlyVariablesTheServicesActuallyRead() throws IOException {
        String sharedDefaults = Files
            .readString(ROOT.resolve("service-support/src/main/resources/tokenfactory-service-defaults.yml"));
        for (Service service : Service.ALL) {
            Set<String> read = variablesIn(applicationYml(service) + sharedDefaults);

            assertThat(read).as(service.name()).contains("TF_POSTGRES_HOST", "TF_RABBITMQ_HOST");
            assertThat(environment(composeServices.get(service.name())).keySet())
                .as(service.name() + " sets variables it never reads")
                .isSubsetOf(read)
                .contains("TF_POSTGRES_HOST", "TF_POSTGRES_PASSWORD", "TF_RABBITMQ_HOST", "TF_RABBITMQ_PASSWORD");
        }
    }

    @Test
    void startsServicesOnlyOnHealthyInfrastructureAndTheGatewayLast() {
        for (Service service : Service.ALL) {
            Map<String, Object> dependsOn = map(composeServices.get(service.name()).get("depends_on"));
            assertThat(map(dependsOn.get("postgres"))).containsEntry("condition", "service_healthy");
            assertThat(map(dependsOn.get("rabbitmq"))).containsEntry("condition", "service_healthy");
        }
        Map<String, Object> gatewayDependsOn = map(composeServices.get("gateway").get("depends_on"));
        Service.ALL.stream()
            .filter(service -> !service.name().equals("gateway"))
            .forEach(service -> assertThat(map(gatewayDependsOn.get(service.name()))).containsEntry("condition",
                    "service_healthy"));
        assertThat(composeServices.get("postgres")).containsKey("healthcheck");
        assertThat(composeServices.get("rabbitmq")).containsKey("healthcheck");
    }

    @Test
    void pointsTheServicesAtEachOtherByTheirComposeNames() {
        Map<String, String> gateway = environment(composeServices.get("gateway"));
        assertThat(gateway).containsEntry("TF_INFERENCE_URL", "http://inference-service:8082")
            .containsEntry("TF_AGENTS_URL", "http://agent-service:8081")
            .containsEntry("TF_METERING_URL", "http://metering-service:8083")
            .containsEntry("TF_BILLING_URL", "http://billing-service:8084");
        // metering reconciles against inference by its compose name too
        assertThat(environment(composeServices.get("metering-service"))).containsEntry("TF_INFERENCE_URL",
                "http://inference-service:8082");
    }

    @Test
    void holdsNoSecret() throws IOException {
        String compose = Files.readString(ROOT.resolve("docker-compose.yml"));
        assertThat(compose).contains("${POSTGRES_PASSWORD:?")
            .contains("${RABBITMQ_PASSWORD:?")
            .doesNotContainPattern("PASSWORD: [^$\\n]");
    }

    private static String applicationYml(Service service) throws IOException {
        return Files.readString(ROOT.resolve(service.module()).resolve("src/main/resources/application.yml"));
    }

    private static Set<String> variablesIn(String text) {
        Matcher matcher = VARIABLE.matcher(text);
        Set<String> variables = new java.util.HashSet<>();
        while (matcher.find()) {
            variables.add(matcher.group(1));
        }
        return variables;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(Map<String, Object> service) {
        return ((Map<String, Object>) service.get("environment")).entrySet()
            .stream()
            .collect(Collectors.toMap(Map.Entry::getKey, entry -> String.valueOf(entry.getValue())));
    }

    private static String healthCheck(Map<String, Object> service) {
        return String.join(" ", list(map(service.get("healthcheck")).get("test")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<String> list(Object value) {
        return ((List<Object>) value).stream().map(String::valueOf).toList();
    }

}
