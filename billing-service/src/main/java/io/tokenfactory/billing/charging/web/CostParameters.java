package io.tokenfactory.billing.charging.web;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.billing.charging.CostPerToken.Dimension;
import io.tokenfactory.support.problem.QueryParameters;

import org.springframework.web.bind.MissingServletRequestParameterException;

/**
 * Cost per token's query parameters: a window [from, to) of at most 400 days (both
 * required), a grouping (text, read by {@link Dimension#parse}) and a department
 * (optional).
 */
record CostParameters(Instant from, Instant to, String groupBy, UUID department) {

    private static final long LONGEST_WINDOW_DAYS = 400;

    /**
     * @throws MissingServletRequestParameterException for a bound left out, answered as
     * for any required parameter
     */
    void checkWindow() throws MissingServletRequestParameterException {
        Required.check("from", from);
        Required.check("to", to);
        if (!from.isBefore(to) || Duration.between(from, to).toDays() > LONGEST_WINDOW_DAYS) {
            throw QueryParameters.invalid("from must be before to, at most 400 days apart");
        }
    }

    List<Dimension> dimensions() {
        return Dimension.parse(groupBy);
    }
}
