package io.tokenfactory.gateway.budget;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.gateway.apikey.ApiKeyView;
import io.tokenfactory.gateway.apikey.ApiKeys;

import org.springframework.stereotype.Service;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A department's budgets as the door holds them now: its own (billing's limit), each of
 * its keys' and agents' — spent (the larger of billing's figure and the gateway's tally),
 * held by requests under way, and what is left.
 */
@Service
public class BudgetOverview {

    /**
     * @param scope {@code department}, {@code key} or {@code agent}
     * @param enforced whether requests are refused at the door when it does not cover
     * them (a department's budget without a hard cap only warns)
     */
    public record Line(String scope, UUID id, String name, String period, String currency, BigDecimal limit,
            BigDecimal spent, BigDecimal reserved, BigDecimal remaining, boolean enforced) {
    }

    private final BudgetBook book;

    private final MoneyStore store;

    private final ApiKeys keys;

    BudgetOverview(BudgetBook book, MoneyStore store, ApiKeys keys) {
        this.book = book;
        this.store = store;
        this.keys = keys;
    }

    public Mono<List<Line>> of(UUID departmentId) {
        return Mono.fromCallable(() -> keys.list(departmentId))
            .subscribeOn(Schedulers.boundedElastic())
            .flatMap(departmentKeys -> lines(departmentId, departmentKeys));
    }

    private Mono<List<Line>> lines(UUID departmentId, List<ApiKeyView> departmentKeys) {
        BudgetBook.Terms terms = book.terms();
        String period = terms.period(book.now()).toString();
        List<Line> template = new ArrayList<>();
        List<String> storeKeys = new ArrayList<>();
        List<Long> floors = new ArrayList<>();
        BudgetBook.DepartmentTerms department = terms.departments().get(departmentId);
        if (department != null && department.limit() != null) {
            template.add(new Line(BudgetKeys.DEPARTMENT, departmentId, null, period, terms.currency(),
                    department.limit(), null, null, null, department.hardCap()));
            storeKeys.add(BudgetKeys.of(BudgetKeys.DEPARTMENT, departmentId, period));
            floors.add(period.equals(department.period()) ? Money.nanos(department.spent()) : 0);
        }
        for (ApiKeyView key : departmentKeys) {
            if (key.monthlyBudget() != null) {
                template.add(new Line(BudgetKeys.KEY, key.id(), key.name(), period, terms.currency(),
                        key.monthlyBudget(), null, null, null, true));
                storeKeys.add(BudgetKeys.of(BudgetKeys.KEY, key.id(), period));
                floors.add(0L);
            }
        }
        for (Map.Entry<UUID, BudgetBook.AgentTerms> agent : terms.agents().entrySet()) {
            if (departmentId.equals(agent.getValue().departmentId())) {
                template.add(new Line(BudgetKeys.AGENT, agent.getKey(), null, period, terms.currency(),
                        agent.getValue().limit(), null, null, null, true));
                storeKeys.add(BudgetKeys.of(BudgetKeys.AGENT, agent.getKey(), period));
                floors.add(0L);
            }
        }
        return store.read(storeKeys).map(held -> {
            List<Line> lines = new ArrayList<>();
            for (int i = 0; i < template.size(); i++) {
                Line line = template.get(i);
                long spent = Math.max(held.get(i).spent(), floors.get(i));
                long reserved = held.get(i).reserved();
                BigDecimal remaining = line.limit().subtract(Money.amount(spent + reserved)).max(BigDecimal.ZERO);
                lines.add(new Line(line.scope(), line.id(), line.name(), period, line.currency(), line.limit(),
                        Money.amount(spent), Money.amount(reserved), remaining, line.enforced()));
            }
            return lines;
        });
    }

}
