package io.tokenfactory.billing.charging.web;

import java.util.UUID;

import io.tokenfactory.billing.charging.AgentRunCharges;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.security.Caller;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * An agent run's tokens, joules and cost; a department key sees its own department's runs
 * only.
 */
@RestController
class AgentRunController {

    private final AgentRunCharges charges;

    AgentRunController(AgentRunCharges charges) {
        this.charges = charges;
    }

    @GetMapping("/api/billing/agent-runs/{runId}")
    AgentRunCharges.RunCharges run(@PathVariable UUID runId) {
        AgentRunCharges.RunCharges run = charges.of(runId);
        Caller caller = Caller.current();
        if (run.departmentId() != null && !caller.mayRead(run.departmentId())) {
            throw ApiProblemException.forbidden("A key of another department cannot see this agent run");
        }
        return run;
    }

}
