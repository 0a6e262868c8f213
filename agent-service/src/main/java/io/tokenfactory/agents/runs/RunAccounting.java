package io.tokenfactory.agents.runs;

import java.util.Map;
import java.util.UUID;

import io.tokenfactory.agents.clients.BillingClient;

import org.springframework.stereotype.Service;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * A run's joules and cost, as billing-service has charged them. Asked with the caller's
 * own identity token, so billing applies the caller's scope too; while billing cannot
 * answer the run is still shown, its accounting marked unavailable.
 */
@Service
public class RunAccounting {

    private final BillingClient billing;

    private final JsonMapper json;

    RunAccounting(BillingClient billing, JsonMapper json) {
        this.billing = billing;
        this.json = json;
    }

    /** billing's record of the run, or {@code {"status":"unavailable", "reason": …}}. */
    public Object of(UUID runId, String callerToken) {
        if (callerToken == null) {
            return Map.of("status", "unavailable");
        }
        try {
            BillingClient.Answer answer = billing.agentRunCharges(runId, callerToken);
            if (answer.status() != 200) {
                return Map.of("status", "unavailable", "reason", "billing answered " + answer.status());
            }
            return json.readTree(answer.body());
        }
        catch (BillingClient.Unreachable | JacksonException e) {
            return Map.of("status", "unavailable", "reason", "billing cannot be reached");
        }
    }

}
