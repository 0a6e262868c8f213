package io.tokenfactory.agents.definition.messaging;

import java.util.function.Consumer;

import io.tokenfactory.agents.definition.AgentCatalog;
import io.tokenfactory.contracts.BudgetState;
import io.tokenfactory.contracts.BudgetStatusChanged;
import io.tokenfactory.contracts.EventTypes;
import io.tokenfactory.support.deadletter.PoisonMessages;
import io.tokenfactory.support.events.RejectedEventException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.function.cloudevent.CloudEventMessageUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

/**
 * Binds {@code tokenfactory.budget-status-changed} (group {@code agent-service}):
 * EXCEEDED pauses the department's active agents (reason {@code budget}); OK resumes
 * those paused for that reason, and only those. A redelivered report finds the agents
 * already in that state and changes nothing.
 */
@Configuration(proxyBeanMethods = false)
class BudgetConsumerConfiguration {

    private static final Logger log = LoggerFactory.getLogger(BudgetConsumerConfiguration.class);

    @Bean
    Consumer<Message<BudgetStatusChanged>> budgetStatusChanged(AgentCatalog agents, PoisonMessages poison) {
        return poison.guard("budgetStatusChanged-in-0", message -> {
            String type = CloudEventMessageUtils.getType(message);
            if (!EventTypes.BUDGET_STATUS_CHANGED.equals(type)) {
                throw new RejectedEventException("unexpected event type " + type + " on the budget exchange");
            }
            // a body that is not valid JSON for the record arrives unconverted, as bytes
            Object payload = message.getPayload();
            if (!(payload instanceof BudgetStatusChanged report) || report.departmentId() == null
                    || report.state() == null) {
                throw new RejectedEventException("payload is not a readable budget-status-changed record");
            }
            if (report.state() == BudgetState.EXCEEDED) {
                log.info("Department {} is over budget: paused {} agents", report.departmentId(),
                        agents.pauseForBudget(report.departmentId()));
            }
            else if (report.state() == BudgetState.OK) {
                log.info("Department {} is within budget again: resumed {} agents", report.departmentId(),
                        agents.resumeAfterBudget(report.departmentId()));
            }
        });
    }

}
