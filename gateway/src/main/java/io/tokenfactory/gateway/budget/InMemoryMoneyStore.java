package io.tokenfactory.gateway.budget;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import reactor.core.publisher.Mono;

/** Budgets of one gateway instance; one lock, as the checks span several budgets. */
class InMemoryMoneyStore implements MoneyStore {

    private static final class Account {

        long spent;

        final Map<String, Long> open = new HashMap<>();

        final Map<String, Instant> expires = new HashMap<>();

        long reserved(Instant now) {
            expires.entrySet().removeIf(entry -> {
                if (entry.getValue().isBefore(now)) {
                    open.remove(entry.getKey());
                    return true;
                }
                return false;
            });
            return open.values().stream().mapToLong(Long::longValue).sum();
        }

    }

    private final Map<String, Account> accounts = new HashMap<>();

    private final Clock clock;

    InMemoryMoneyStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Mono<Integer> reserve(String reservationId, List<Budget> budgets, long amount, Duration ttl) {
        Instant now = clock.instant();
        for (int i = 0; i < budgets.size(); i++) {
            Budget budget = budgets.get(i);
            // a budget first seen this month starts from the book of record's figure
            Account account = accounts.computeIfAbsent(budget.key(), unused -> {
                Account seeded = new Account();
                seeded.spent = budget.floor();
                return seeded;
            });
            if (Math.max(account.spent, budget.floor()) + account.reserved(now) + amount > budget.limit()) {
                return Mono.just(i);
            }
        }
        for (Budget budget : budgets) {
            Account account = account(budget.key());
            account.open.put(reservationId, amount);
            account.expires.put(reservationId, now.plus(ttl));
        }
        return Mono.just(-1);
    }

    @Override
    public synchronized Mono<Void> settle(String reservationId, List<String> keys, long actual) {
        for (String key : keys) {
            Account account = account(key);
            account.open.remove(reservationId);
            account.expires.remove(reservationId);
            account.spent += actual;
        }
        return Mono.empty();
    }

    @Override
    public synchronized Mono<Void> raiseSpent(String key, long spent) {
        Account account = account(key);
        account.spent = Math.max(account.spent, spent);
        return Mono.empty();
    }

    @Override
    public synchronized Mono<List<Held>> read(List<String> keys) {
        Instant now = clock.instant();
        List<Held> held = new ArrayList<>();
        for (String key : keys) {
            Account account = accounts.get(key);
            held.add(account == null ? new Held(0, 0) : new Held(account.spent, account.reserved(now)));
        }
        return Mono.just(held);
    }

    private Account account(String key) {
        return accounts.computeIfAbsent(key, unused -> new Account());
    }

}
