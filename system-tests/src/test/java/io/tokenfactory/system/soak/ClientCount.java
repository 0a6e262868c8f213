package io.tokenfactory.system.soak;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import io.tokenfactory.system.soak.ClientLoad.Received;
import io.tokenfactory.system.soak.Reconciliation.Check;
import io.tokenfactory.system.soak.Reconciliation.Usage;

/**
 * What each client received, request by request, against the usage metered and billed for
 * that request id: the same tokens for every request that completed or was cut by a fault
 * on the server's side (what inference sent is what the client got), at least as many for
 * those the client walked away from or lost with the gateway (tokens in transit are
 * billed too).
 */
final class ClientCount {

    private final Tally exact = new Tally();

    private final Tally atLeast = new Tally();

    private final Map<String, Long> endings = new TreeMap<>();

    ClientCount(Collection<Received> received, Map<UUID, Usage> metered, Map<UUID, Usage> billed) {
        Map<String, List<UUID>> eventsByRequest = new HashMap<>();
        metered.forEach((event, usage) -> eventsByRequest.computeIfAbsent(usage.requestId(), id -> new ArrayList<>())
            .add(event));
        for (Received request : received) {
            endings.merge(ending(request), 1L, Long::sum);
            Tally tally = request.mayFallShort() ? atLeast : exact;
            tally.count(request, eventsByRequest.getOrDefault(request.requestId(), List.of()), metered, billed);
        }
    }

    void addTo(List<Check> checks, Map<String, String> figures) {
        endings.forEach((ending, n) -> figures.put("client requests followed by id, " + ending, Long.toString(n)));
        figures.put("completion tokens the clients received (counted chunk by chunk)",
                Long.toString(exact.received + atLeast.received));
        figures.put("completion tokens billed beyond what the clients received (in transit when they walked away or "
                + "the gateway was cut)", Long.toString(atLeast.beyond));
        checks.add(exact.check("every request a client completed or lost to a fault on the server's side is metered "
                + "and billed once with exactly the tokens the client received", true));
        checks.add(atLeast.check("every request a client walked away from or lost with the gateway is metered and "
                + "billed once with at least the tokens the client received", false));
    }

    private static String ending(Received request) {
        return switch (request.ending()) {
            case COMPLETED -> "completed";
            case WALKED_AWAY -> "walked away by the client";
            case CUT -> request.fault() == null ? "cut with no fault in progress"
                    : request.fault().cutsTheRelay ? "cut with the gateway" : "cut by a fault on the server's side";
        };
    }

    /**
     * One group of requests, and how their usage compares with what their clients
     * received.
     */
    private static final class Tally {

        long requests;

        long received;

        /** billed beyond what the clients received, where they know what they received */
        long beyond;

        long metered;

        long billed;

        long noUsage;

        long missing;

        long twice;

        long unbilled;

        long different;

        /** a few of the requests that differ, to look them up by id */
        final List<String> examples = new ArrayList<>();

        void count(Received request, List<UUID> events, Map<UUID, Usage> meteredUsage, Map<UUID, Usage> billedUsage) {
            requests++;
            if (request.usageSeen()) {
                received += request.completionTokens();
            }
            else {
                noUsage++; // its tokens are unknown, but whether it was metered at all is
                           // not
            }
            if (events.isEmpty()) {
                missing++;
                example(request, "not metered");
                return;
            }
            if (events.size() > 1) {
                twice++;
                example(request, "metered " + events.size() + " times");
                return;
            }
            Usage meteredOnce = meteredUsage.get(events.get(0));
            Usage billedOnce = billedUsage.get(events.get(0));
            if (billedOnce == null) {
                unbilled++;
                example(request, "not billed");
                return;
            }
            metered += meteredOnce.completionTokens();
            billed += billedOnce.completionTokens();
            if (billedOnce.promptTokens() != meteredOnce.promptTokens()
                    || billedOnce.completionTokens() != meteredOnce.completionTokens()) {
                different++;
                example(request, "billed other tokens than metered");
            }
            else if (request.usageSeen()) {
                beyond += billedOnce.completionTokens() - request.completionTokens();
                boolean tokens = request.mayFallShort() ? meteredOnce.completionTokens() >= request.completionTokens()
                        : meteredOnce.completionTokens() == request.completionTokens();
                if (!tokens || meteredOnce.promptTokens() != request.promptTokens()) {
                    different++;
                    example(request, "received " + request.promptTokens() + " + " + request.completionTokens()
                            + ", metered " + meteredOnce.promptTokens() + " + " + meteredOnce.completionTokens());
                }
            }
        }

        private void example(Received request, String problem) {
            if (examples.size() < 3) {
                examples.add(request.requestId() + " (" + request.kind() + ", " + request.ending()
                        + (request.fault() == null ? "" : " by " + request.fault()) + "): " + problem);
            }
        }

        Check check(String name, boolean mustHaveRequests) {
            return new Check(name, requests + " requests, " + received + " completion tokens received",
                    metered + " metered, " + billed + " billed; " + missing + " not metered, " + twice
                            + " metered more than once, " + unbilled + " not billed, " + different
                            + " with other tokens, " + noUsage + " without usage in their chunks"
                            + (examples.isEmpty() ? "" : "; e.g. " + String.join("; ", examples)),
                    (requests > 0 || !mustHaveRequests) && noUsage == 0 && missing == 0 && twice == 0 && unbilled == 0
                            && different == 0);
        }

    }

}
