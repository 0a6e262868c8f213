package io.tokenfactory.gateway.budget.web;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

import io.tokenfactory.gateway.ClientAddress;
import io.tokenfactory.gateway.apikey.ApiKeyView;
import io.tokenfactory.gateway.budget.AgentBudgets;
import io.tokenfactory.gateway.budget.BudgetOverview;
import io.tokenfactory.support.audit.Actor;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.security.IdentityClaims;

import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Budgets as the door holds them: a department's own, its keys' and its agents' (read by
 * the department's keys or an administrator); agents' budgets set by an administrator.
 * Keys' budgets are set on the key ({@code PUT /api/keys/{id}/budget}); departments' in
 * billing.
 */
@RestController
@RequestMapping("/api/gateway/budgets")
class BudgetController {

    private final BudgetOverview overview;

    private final AgentBudgets agents;

    BudgetController(BudgetOverview overview, AgentBudgets agents) {
        this.overview = overview;
        this.agents = agents;
    }

    @GetMapping
    Mono<List<BudgetOverview.Line>> list(@RequestParam(required = false) UUID departmentId,
            @AuthenticationPrincipal ApiKeyView caller) {
        boolean admin = caller.scopes().contains(IdentityClaims.SCOPE_ADMIN)
                || caller.scopes().contains(IdentityClaims.SCOPE_BILLING_ADMIN);
        UUID department = departmentId != null ? departmentId : caller.departmentId();
        if (department == null) {
            return Mono.error(new ApiProblemException(org.springframework.http.HttpStatus.BAD_REQUEST,
                    "department_required", "Bad request", "Name the department: ?departmentId=…"));
        }
        if (!admin && !department.equals(caller.departmentId())) {
            return Mono.error(
                    ApiProblemException.forbidden("A key of another department cannot read this department's budgets"));
        }
        return overview.of(department);
    }

    @PutMapping("/agents/{agentId}")
    Mono<ResponseEntity<Void>> setAgent(@PathVariable UUID agentId, @Valid @RequestBody AgentBudgetRequest request,
            @AuthenticationPrincipal ApiKeyView caller, ServerWebExchange exchange) {
        Actor actor = caller.actor(ClientAddress.of(exchange));
        return blocking(() -> {
            agents.set(agentId, request.departmentId(), request.monthlyBudget(), actor);
            return ResponseEntity.noContent().build();
        });
    }

    @DeleteMapping("/agents/{agentId}")
    Mono<ResponseEntity<Void>> removeAgent(@PathVariable UUID agentId, @AuthenticationPrincipal ApiKeyView caller,
            ServerWebExchange exchange) {
        Actor actor = caller.actor(ClientAddress.of(exchange));
        return blocking(() -> {
            agents.remove(agentId, actor);
            return ResponseEntity.noContent().build();
        });
    }

    private static <T> Mono<T> blocking(Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic());
    }

    /**
     * @param departmentId the agent's department
     * @param monthlyBudget in billing's currency, per billing month, over all the agent's
     * keys
     */
    record AgentBudgetRequest(@NotNull UUID departmentId,
            @NotNull @PositiveOrZero @Digits(integer = 13, fraction = 6) BigDecimal monthlyBudget) {
    }

}
