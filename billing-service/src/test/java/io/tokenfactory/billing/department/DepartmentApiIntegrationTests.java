package io.tokenfactory.billing.department;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import io.tokenfactory.testsupport.HttpTestClient;
import io.tokenfactory.testsupport.ServiceIntegrationTest;
import io.tokenfactory.testsupport.TestTokens;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import tools.jackson.databind.JsonNode;

@ServiceIntegrationTest
class DepartmentApiIntegrationTests {

    private static final String DEPARTMENTS = "/api/billing/departments";

    @LocalServerPort
    int port;

    @Autowired
    DepartmentRepository repository;

    HttpTestClient http;

    @BeforeEach
    void setUp() {
        http = HttpTestClient.onPort(port).asAdmin();
    }

    @Test
    void createsReadsListsAndUpdatesADepartment() {
        String suffix = unique();
        ResponseEntity<JsonNode> created = http.post(DEPARTMENTS,
                Map.of("name", "Research " + suffix, "costCentreCode", "CC-" + suffix));

        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        String id = created.getBody().get("id").asString();
        assertThat(created.getHeaders().getLocation()).hasToString(DEPARTMENTS + "/" + id);
        assertThat(created.getBody().get("costCentreCode").asString()).isEqualTo("CC-" + suffix);

        ResponseEntity<JsonNode> read = http.get(DEPARTMENTS + "/" + id);
        assertThat(read.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(read.getBody().get("name").asString()).isEqualTo("Research " + suffix);

        assertThat(http.get(DEPARTMENTS).getBody().findValuesAsString("id")).contains(id);

        ResponseEntity<JsonNode> updated = http.put(DEPARTMENTS + "/" + id,
                Map.of("name", "Applied Research " + suffix, "costCentreCode", "CC-" + suffix + "-2"));
        assertThat(updated.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(repository.findById(UUID.fromString(id))).get()
            .extracting(Department::name, Department::costCentreCode)
            .containsExactly("Applied Research " + suffix, "CC-" + suffix + "-2");
    }

    @Test
    void refusesADuplicateNameOrCostCentreWithConflictAndCreatesNothing() {
        String suffix = unique();
        http.post(DEPARTMENTS, Map.of("name", "Finance " + suffix, "costCentreCode", "FIN-" + suffix));
        long before = repository.count();

        ResponseEntity<JsonNode> sameName = http.post(DEPARTMENTS,
                Map.of("name", "finance " + suffix, "costCentreCode", "OTHER-" + suffix));
        ResponseEntity<JsonNode> sameCode = http.post(DEPARTMENTS,
                Map.of("name", "Other " + suffix, "costCentreCode", "fin-" + suffix));

        assertThat(sameName.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(sameName.getHeaders().getContentType()).hasToString("application/problem+json");
        assertThat(sameName.getBody().get("code").asString()).isEqualTo("department_exists");
        assertThat(sameName.getBody().get("type").asString())
            .isEqualTo("https://tokenfactory.io/problems/department_exists");
        assertThat(sameCode.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(repository.count()).isEqualTo(before);
    }

    @Test
    void answersInvalidInputWithProblemDetailsAndChangesNothing() {
        long before = repository.count();

        ResponseEntity<JsonNode> blank = http.post(DEPARTMENTS, Map.of("name", " ", "costCentreCode", "has space"));
        assertThat(blank.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(blank.getBody().get("code").asString()).isEqualTo("validation_failed");
        assertThat(blank.getBody().get("errors").findValuesAsString("field")).containsExactlyInAnyOrder("name",
                "costCentreCode");

        ResponseEntity<JsonNode> malformed = http.postRaw(DEPARTMENTS, "{\"name\": ");
        assertThat(malformed.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(malformed.getBody().get("code").asString()).isEqualTo("malformed_body");
        assertThat(malformed.getBody().toString()).doesNotContain("Exception").doesNotContain("at io.");

        ResponseEntity<JsonNode> badId = http.get(DEPARTMENTS + "/not-a-uuid");
        assertThat(badId.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(badId.getBody().get("code").asString()).isEqualTo("invalid_parameter");

        assertThat(repository.count()).isEqualTo(before);
    }

    @Test
    void answersUnknownDepartmentsAndPathsWithNotFound() {
        ResponseEntity<JsonNode> unknown = http.get(DEPARTMENTS + "/" + UUID.randomUUID());
        assertThat(unknown.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(unknown.getBody().get("code").asString()).isEqualTo("department_not_found");

        ResponseEntity<JsonNode> unknownUpdate = http.put(DEPARTMENTS + "/" + UUID.randomUUID(),
                Map.of("name", "Nobody", "costCentreCode", "NONE"));
        assertThat(unknownUpdate.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);

        ResponseEntity<JsonNode> noSuchPath = http.get("/api/billing/nothing-here");
        assertThat(noSuchPath.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(noSuchPath.getBody().get("code").asString()).isEqualTo("not_found");
    }

    @Test
    void letsADepartmentReadOnlyItsOwnRecordAndNeverChangeIt() {
        String suffix = unique();
        String own = http.post(DEPARTMENTS, Map.of("name", "Legal " + suffix, "costCentreCode", "LEG-" + suffix))
            .getBody()
            .get("id")
            .asString();
        String other = http.post(DEPARTMENTS, Map.of("name", "Sales " + suffix, "costCentreCode", "SAL-" + suffix))
            .getBody()
            .get("id")
            .asString();
        HttpTestClient legal = HttpTestClient.onPort(port)
            .withToken(TestTokens.department(UUID.fromString(own), "inference billing:read"));

        assertThat(legal.get(DEPARTMENTS + "/" + own).getStatusCode()).isEqualTo(HttpStatus.OK);
        ResponseEntity<JsonNode> foreign = legal.get(DEPARTMENTS + "/" + other);
        assertThat(foreign.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(foreign.getBody().get("code").asString()).isEqualTo("forbidden");
        assertThat(legal.get(DEPARTMENTS).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(
                legal.put(DEPARTMENTS + "/" + own, Map.of("name", "Mine now", "costCentreCode", "X")).getStatusCode())
            .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(legal.post(DEPARTMENTS, Map.of("name", "New " + suffix, "costCentreCode", "N-" + suffix))
            .getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(repository.findById(UUID.fromString(own))).get()
            .extracting(Department::name)
            .isEqualTo("Legal " + suffix);
    }

    @Test
    void refusesCallsThatDidNotComeThroughTheGateway() {
        ResponseEntity<JsonNode> direct = HttpTestClient.onPort(port).get(DEPARTMENTS);

        assertThat(direct.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(HttpTestClient.onPort(port).withToken(TestTokens.forged()).get(DEPARTMENTS).getStatusCode())
            .isEqualTo(HttpStatus.UNAUTHORIZED);
    }

    private static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void keepsABudgetAndAPricingModeAndRefusesImpossibleOnes() {
        String suffix = unique();
        ResponseEntity<JsonNode> created = http.post(DEPARTMENTS,
                Map.of("name", "Budgeted " + suffix, "costCentreCode", "BUD-" + suffix, "monthlyBudget", "1500.50",
                        "softAlertPercent", 75, "hardCap", true, "pricingMode", "COST_PLUS", "marginPercent", "12.5"));
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(created.getBody().get("monthlyBudget").decimalValue()).isEqualByComparingTo("1500.50");
        assertThat(created.getBody().get("softAlertPercent").asInt()).isEqualTo(75);
        assertThat(created.getBody().get("hardCap").asBoolean()).isTrue();
        assertThat(created.getBody().get("pricingMode").asString()).isEqualTo("COST_PLUS");
        String id = created.getBody().get("id").asString();

        for (Map<String, Object> bad : java.util.List.<Map<String, Object>>of(
                Map.of("name", "Budgeted " + suffix, "costCentreCode", "BUD-" + suffix, "monthlyBudget", "-1"),
                Map.of("name", "Budgeted " + suffix, "costCentreCode", "BUD-" + suffix, "softAlertPercent", 0),
                Map.of("name", "Budgeted " + suffix, "costCentreCode", "BUD-" + suffix, "marginPercent", "-3"),
                Map.of("name", "Budgeted " + suffix, "costCentreCode", "BUD-" + suffix, "pricingMode", "FREE_LUNCH"))) {
            ResponseEntity<JsonNode> refused = http.put(DEPARTMENTS + "/" + id, bad);
            assertThat(refused.getStatusCode()).as(bad.toString()).isEqualTo(HttpStatus.BAD_REQUEST);
        }
        assertThat(repository.findById(UUID.fromString(id))).get().satisfies(department -> {
            assertThat(department.policy().monthlyBudget()).isEqualByComparingTo("1500.50");
            assertThat(department.policy().pricingMode()).isEqualTo(PricingMode.COST_PLUS);
        });

        // a PUT without budget fields returns them to their defaults
        ResponseEntity<JsonNode> plain = http.put(DEPARTMENTS + "/" + id,
                Map.of("name", "Budgeted " + suffix, "costCentreCode", "BUD-" + suffix));
        assertThat(plain.getBody().get("monthlyBudget").isNull()).isTrue();
        assertThat(plain.getBody().get("pricingMode").asString()).isEqualTo("LIST_PRICE");
    }

}
