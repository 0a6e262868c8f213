package io.tokenfactory.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.gateway.GatewayIntegrationTest;
import io.tokenfactory.testsupport.HttpTestClient;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every change to a key or an agent's budget is in the trail once, with who, from where,
 * before and after; the trail cannot be altered, is for administrators only, and reads as
 * JSON or CSV.
 */
class AuditTrailIntegrationTests extends GatewayIntegrationTest {

    @Autowired
    JdbcTemplate jdbc;

    private HttpTestClient admin;

    private String adminKeyId;

    private UUID department;

    @BeforeEach
    void setUp() {
        var issued = adminKey();
        adminKeyId = issued.key().id().toString();
        admin = http().withToken(issued.secret());
        department = UUID.randomUUID();
        upstream.knownDepartments.add(department);
    }

    @Test
    void keyChangesAreRecordedOnceWithTheirActorAndStates() {
        ResponseEntity<JsonNode> created = admin.post("/api/keys",
                Map.of("name", "audited", "departmentId", department, "scopes", List.of("inference")));
        String key = created.getBody().at("/key/id").asString();
        admin.put("/api/keys/" + key + "/budget", Map.of("monthlyBudget", "12.5"));
        admin.post("/api/keys/" + key + "/rotate", Map.of());
        admin.post("/api/keys/" + key + "/revoke", Map.of());

        List<JsonNode> trail = admin.get("/api/audit?subject=" + key).getBody().valueStream().toList();
        assertThat(trail).extracting(record -> record.get("action").asString())
            .containsExactly("key.revoked", "key.rotated", "key.budget-set", "key.issued");
        assertThat(trail).allSatisfy(record -> {
            assertThat(record.get("actorKind").asString()).isEqualTo("API_KEY");
            assertThat(record.get("actorId").asString()).isEqualTo(adminKeyId);
            assertThat(record.get("sourceAddress").asString()).isNotBlank();
            assertThat(record.get("departmentId").asString()).isEqualTo(department.toString());
        });
        JsonNode issued = trail.get(3);
        assertThat(issued.get("before").isNull()).isTrue();
        assertThat(state(issued, "after").get("name").asString()).isEqualTo("audited");
        assertThat(issued.get("after").asString()).doesNotContain(created.getBody().get("secret").asString());
        JsonNode budget = trail.get(2);
        assertThat(state(budget, "before").get("monthlyBudget").isNull()).isTrue();
        assertThat(state(budget, "after").get("monthlyBudget").decimalValue()).isEqualByComparingTo("12.5");
        assertThat(state(trail.get(0), "before").get("revokedAt").isNull()).isTrue();
        assertThat(state(trail.get(0), "after").get("revokedAt").asString()).isNotBlank();

        // filters: by action prefix and by department; CSV with a header and one line
        // each
        assertThat(admin.get("/api/audit?action=key.rot&subject=" + key).getBody().valueStream().toList()).hasSize(1);
        assertThat(admin.get("/api/audit?departmentId=" + department).getBody().valueStream().toList()).hasSize(4);
        ResponseEntity<String> csv = admin.getText("/api/audit/csv?subject=" + key);
        assertThat(csv.getHeaders().getContentType().toString()).startsWith("text/csv");
        assertThat(csv.getBody().lines()).hasSize(5).first().asString().startsWith("id,occurred_at,actor_kind");
    }

    @Test
    void agentBudgetsAreRecordedWithBeforeAndAfter() {
        UUID agent = UUID.randomUUID();
        admin.put("/api/gateway/budgets/agents/" + agent, Map.of("departmentId", department, "monthlyBudget", "3"));
        admin.put("/api/gateway/budgets/agents/" + agent, Map.of("departmentId", department, "monthlyBudget", "4"));
        admin.delete("/api/gateway/budgets/agents/" + agent);

        List<JsonNode> trail = admin.get("/api/audit?subject=" + agent).getBody().valueStream().toList();
        assertThat(trail).extracting(record -> record.get("action").asString())
            .containsExactly("agent-budget.removed", "agent-budget.set", "agent-budget.set");
        assertThat(state(trail.get(1), "after").get("monthlyBudget").decimalValue()).isEqualByComparingTo("4");
        assertThat(state(trail.get(1), "before").get("monthlyBudget").decimalValue()).isEqualByComparingTo("3");
        assertThat(trail.get(0).get("after").isNull()).isTrue();
    }

    /** A recorded state: JSON text in the record. */
    private static JsonNode state(JsonNode record, String which) {
        return JSON.readTree(record.get(which).asString());
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void theTrailCannotBeChangedRemovedOrTruncatedAndIsForAdministratorsOnly() {
        admin.post("/api/keys", Map.of("name", "x", "departmentId", department, "scopes", List.of("inference")));
        assertThatThrownBy(() -> jdbc.update("UPDATE audit_record SET action = 'nothing'"))
            .hasMessageContaining("append-only");
        assertThatThrownBy(() -> jdbc.update("DELETE FROM audit_record")).hasMessageContaining("append-only");
        assertThatThrownBy(() -> jdbc.execute("TRUNCATE audit_record")).hasMessageContaining("append-only");

        String departmentKey = departmentKey(department, "inference", "billing:read").secret();
        assertThat(http().withToken(departmentKey).get("/api/audit").getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(admin.get("/api/audit?limit=0").getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(admin.get("/api/audit?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z").getStatusCode())
            .isEqualTo(HttpStatus.BAD_REQUEST);
    }

}
