package io.tokenfactory.gateway.budget;

import java.time.Duration;
import java.util.List;

import reactor.core.publisher.Mono;

/**
 * Budgets in money, shared by every gateway replica that shares the store: per budget (a
 * department's, a key's or an agent's month) what was settled ({@code spent}) and what
 * admitted requests still hold ({@code reserved}), in nano-units of the currency.
 * {@link #reserve} checks and takes every budget of a request at once, atomically, so
 * concurrent requests can never together pass a limit; a reservation whose gateway died
 * expires and gives its room back.
 */
interface MoneyStore {

    /**
     * One budget a request must fit in.
     *
     * @param floor spent as the book of record (billing) last said: a budget first seen
     * starts its tally there, and counts the larger of it and its tally
     */
    record Budget(String key, long limit, long floor) {
    }

    /** What a budget holds now. */
    record Held(long spent, long reserved) {
    }

    /**
     * Takes {@code amount} from every budget, or from none.
     * @return -1 when reserved, else the index of the first budget it did not fit in
     */
    Mono<Integer> reserve(String reservationId, List<Budget> budgets, long amount, Duration ttl);

    /**
     * Gives back what the reservation held (unless it expired meanwhile) and adds what
     * the request really cost to each budget's spend.
     */
    Mono<Void> settle(String reservationId, List<String> keys, long actual);

    /**
     * Raises a budget's spend to at least {@code spent} (a restart seeding the store).
     */
    Mono<Void> raiseSpent(String key, long spent);

    Mono<List<Held>> read(List<String> keys);

}
