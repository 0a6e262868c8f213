package io.tokenfactory.billing.charging.web;

import java.time.Instant;

import io.tokenfactory.support.problem.QueryParameters;

import org.springframework.web.bind.MissingServletRequestParameterException;

/** The billed usage summary's window [from, to), both required. */
record BilledWindow(Instant from, Instant to) {

    /**
     * @throws MissingServletRequestParameterException for a bound left out, answered as
     * for any required parameter
     */
    void check() throws MissingServletRequestParameterException {
        Required.check("from", from);
        Required.check("to", to);
        if (!from.isBefore(to)) {
            throw QueryParameters.invalid("from must be before to");
        }
    }
}
