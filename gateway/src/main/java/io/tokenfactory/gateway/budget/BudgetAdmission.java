package io.tokenfactory.gateway.budget;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.gateway.apikey.ApiKeyView;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import reactor.core.publisher.Mono;

/**
 * Money at the door: a chargeable request is admitted only if its worst-case charge fits
 * in every budget it falls under — its department's (when hard-capped; a soft budget is
 * tallied only), its key's and its agent's — and that amount is reserved in the shared
 * store until the response ends; it then settles to what the response really used. Prices
 * are billing's list prices (a cost-plus department's charge is estimated at them); a
 * department's spend is the larger of billing's latest figure and the gateway's own
 * tally, so the cap holds while billing, metering or the broker is away.
 */
@Service
public class BudgetAdmission {

    /** What an admitted request holds, to settle when it ends. */
    public record Hold(String id, List<String> budgets, BudgetBook.Price price, BigDecimal worstCase) {

        static final Hold NONE = new Hold("", List.of(), BudgetBook.Price.FREE, BigDecimal.ZERO);

    }

    /** Refused: the request's worst case does not fit in a budget. */
    public static final class BudgetRefused extends RuntimeException {

        BudgetRefused(String message) {
            super(message);
        }

    }

    private static final Logger log = LoggerFactory.getLogger(BudgetAdmission.class);

    /**
     * The limit of a budget that is tallied but never refuses (a department's soft
     * budget).
     */
    private static final long UNLIMITED = Long.MAX_VALUE / 4;

    private final MoneyStore store;

    private final BudgetBook book;

    private final SpendTally tally;

    private final GatewayProperties.Budgets settings;

    private final Counter refused;

    BudgetAdmission(MoneyStore store, BudgetBook book, SpendTally tally, GatewayProperties properties,
            MeterRegistry meters) {
        this.store = store;
        this.book = book;
        this.tally = tally;
        this.settings = properties.budgets();
        this.refused = Counter.builder("tokenfactory.gateway.budget.refused")
            .description("Requests refused at the door because their worst-case charge did not fit a budget")
            .register(meters);
    }

    /**
     * Reserves the worst case: {@code promptTokens} (an upper bound) and the completion
     * the request may produce — its own limit, else the model's maximum output (else
     * {@code fallbackCompletionTokens}) — at the model's price.
     * @param maxCompletionTokens the request's limit; null when it names none
     * @param generates false for embeddings: no completion at all
     */
    public Mono<Hold> reserve(ApiKeyView key, String model, long promptTokens, Long maxCompletionTokens,
            boolean generates, long fallbackCompletionTokens) {
        if (settings.enforcement() != GatewayProperties.BudgetEnforcement.RESERVE || key.departmentId() == null) {
            return Mono.just(Hold.NONE);
        }
        BudgetBook.Terms terms = book.terms();
        String period = terms.period(book.now()).toString();
        List<Named> budgets = budgetsOf(key, terms, period);
        if (budgets.isEmpty()) {
            return Mono.just(Hold.NONE);
        }
        BudgetBook.Price price = terms.priceOf(model);
        Long modelMaximum = book.maxOutputTokens(model);
        // a limit above the model's maximum is reserved as asked: inference refuses it,
        // and a refusal settles to nothing
        long completionTokens = !generates ? 0 : maxCompletionTokens != null ? maxCompletionTokens
                : modelMaximum != null ? modelMaximum : fallbackCompletionTokens;
        BigDecimal worstCase = price.charge(promptTokens, completionTokens);
        // at least one nano: a budget used up refuses even a request priced at nothing
        long amount = Math.max(1, Money.nanosUp(worstCase));
        String id = UUID.randomUUID().toString();
        return store.reserve(id, budgets.stream().map(Named::budget).toList(), amount, settings.reservationTtl())
            .flatMap(
                    index -> index < 0
                            ? Mono.just(new Hold(id, budgets.stream().map(named -> named.budget().key()).toList(),
                                    price, worstCase))
                            : refusal(budgets.get(index), worstCase, terms.currency(), period));
    }

    /** Settles a hold to the tokens the response really used. */
    public Mono<Void> settle(Hold hold, long promptTokens, long completionTokens) {
        if (hold.budgets().isEmpty()) {
            return Mono.empty();
        }
        long actual = Money.nanos(hold.price().charge(promptTokens, completionTokens));
        return store.settle(hold.id(), hold.budgets(), actual)
            .doOnSuccess(ignored -> tally.add(hold.budgets(), actual));
    }

    private Mono<Hold> refusal(Named budget, BigDecimal worstCase, String currency, String period) {
        refused.increment();
        return store.read(List.of(budget.budget().key())).flatMap(held -> {
            MoneyStore.Held now = held.get(0);
            long used = Math.max(now.spent(), budget.budget().floor()) + now.reserved();
            BigDecimal left = Money.amount(Math.max(0, budget.budget().limit() - used));
            BigDecimal limit = Money.amount(budget.budget().limit());
            String message = worstCase.compareTo(limit) > 0
                    ? "This request may cost up to " + money(worstCase) + " " + currency + ", more than the whole "
                            + budget.name() + " budget (" + money(limit) + " " + currency
                            + " a month); lower max_tokens"
                    : "This request may cost up to " + money(worstCase) + " " + currency + "; the " + budget.name()
                            + " budget for " + period + " has " + money(left) + " " + currency + " left of "
                            + money(limit) + " " + currency + (now.reserved() > 0
                                    ? " (" + money(Money.amount(now.reserved())) + " held by requests under way)" : "");
            return Mono.error(new BudgetRefused(message));
        });
    }

    private static String money(BigDecimal amount) {
        return amount.setScale(Math.max(2, Math.min(6, amount.stripTrailingZeros().scale())), RoundingMode.UP)
            .toPlainString();
    }

    private List<Named> budgetsOf(ApiKeyView key, BudgetBook.Terms terms, String period) {
        List<Named> budgets = new ArrayList<>();
        BudgetBook.DepartmentTerms department = terms.departments().get(key.departmentId());
        if (department != null && department.limit() != null) {
            long floor = period.equals(department.period()) ? Money.nanos(department.spent()) : 0;
            // a budget without a hard cap never refuses, but is tallied all the same:
            // made
            // hard later, it starts from what was really spent, not from billing's
            // lagging
            // figure
            budgets.add(new Named("department's",
                    new MoneyStore.Budget(BudgetKeys.of(BudgetKeys.DEPARTMENT, key.departmentId(), period),
                            department.hardCap() ? Money.nanos(department.limit()) : UNLIMITED, floor)));
        }
        if (key.monthlyBudget() != null) {
            budgets.add(new Named("key's", new MoneyStore.Budget(BudgetKeys.of(BudgetKeys.KEY, key.id(), period),
                    Money.nanos(key.monthlyBudget()), 0)));
        }
        BudgetBook.AgentTerms agent = key.agentId() == null ? null : terms.agents().get(key.agentId());
        if (agent != null) {
            budgets
                .add(new Named("agent's", new MoneyStore.Budget(BudgetKeys.of(BudgetKeys.AGENT, key.agentId(), period),
                        Money.nanos(agent.limit()), 0)));
        }
        return budgets;
    }

    private record Named(String name, MoneyStore.Budget budget) {
    }

}
