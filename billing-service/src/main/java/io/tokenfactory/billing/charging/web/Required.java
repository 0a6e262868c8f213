package io.tokenfactory.billing.charging.web;

import org.springframework.web.bind.MissingServletRequestParameterException;

/**
 * A required component of a parameter record: left out, it is refused as a missing
 * {@code @RequestParam} is.
 */
final class Required {

    private Required() {
    }

    static void check(String name, Object value) throws MissingServletRequestParameterException {
        if (value == null) {
            throw new MissingServletRequestParameterException(name, "String");
        }
    }

}
